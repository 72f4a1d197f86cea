package org.lca4j.live;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The live view's HTTP server (the JDK's built-in one, on 127.0.0.1 by default): the page, its
 * script and uPlot from the jar, and {@code /events}, a server-sent-event stream of the run.
 *
 * <p>Events are appended to an in-memory history; each client has its own thread and cursor and
 * replays the history from the start, then waits for more. {@link #publish} only appends and wakes
 * the clients: a slow or absent browser never makes training wait, and any number can watch. The
 * history holds what is published, so publishers keep it bounded: {@link LiveListener} and
 * {@link FinishedRun} send a run as at most 2,000 step events ({@link StepPoints}).
 */
public final class LiveServer implements AutoCloseable {
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";
    private static final Map<String, String[]> FILES = Map.of(
            "/", new String[] {"/live/index.html", "text/html; charset=utf-8"},
            "/live.js", new String[] {"/live/live.js", "text/javascript; charset=utf-8"},
            "/uplot.js", new String[] {UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"},
            "/uplot.css", new String[] {UPLOT + "uPlot.min.css", "text/css; charset=utf-8"});

    private final HttpServer server;
    private final ExecutorService pool;
    private final List<String> history = new ArrayList<>();
    private boolean closed;

    /** Starts serving; port 0 picks a free one. */
    public LiveServer(String host, int port) throws IOException {
        // Option-neutral wording: train and demo take the port as --serve, view as --port.
        if (port < 0 || port > 65535) throw new IllegalArgumentException("the live view's port must be 0..65535, got " + port);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 0);
        } catch (java.net.UnknownHostException e) {
            throw new IOException("cannot serve on " + host + ": no such host", e);
        } catch (java.net.BindException e) {
            String why = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
            throw new IOException("cannot serve on " + host + ":" + port + ": " + e.getMessage()
                    + (why.contains("in use") ? " (another program has that port; port 0 picks a free one)"
                    : why.contains("permission") ? " (ports below 1024 need privileges; port 0 picks a free one)"
                    : " (is " + host + " an address of this machine?)"), e);
        }
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lca4j-live");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/events", this::events);
        server.createContext("/", this::file);
        server.start();
    }

    /**
     * A URL a browser on this machine can open: for a wildcard host (--host 0.0.0.0 or ::, every
     * interface) that is 127.0.0.1, and an IPv6 address goes in brackets.
     */
    public String url() {
        InetSocketAddress a = server.getAddress();
        InetAddress ip = a.getAddress();
        String host = ip.isAnyLocalAddress() ? "127.0.0.1"
                : ip instanceof java.net.Inet6Address ? "[" + ip.getHostAddress().replaceFirst("%.*$", "") + "]" : ip.getHostAddress();
        return "http://" + host + ":" + a.getPort() + "/";
    }

    /** Sends a named event with a JSON payload to every client, now and later. Never blocks on them. */
    public void publish(String event, String json) {
        synchronized (history) {
            // The id lets a reconnecting browser (EventSource does so by itself) resume where it left off.
            history.add("id: " + history.size() + "\nevent: " + event + "\ndata: " + json.replace("\n", "\ndata: ") + "\n\n");
            history.notifyAll();
        }
    }

    /** Events published so far. */
    public int published() {
        synchronized (history) {
            return history.size();
        }
    }

    private void events(HttpExchange x) throws IOException {
        x.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        x.getResponseHeaders().set("Cache-Control", "no-cache");
        x.sendResponseHeaders(200, 0);
        try (OutputStream out = x.getResponseBody()) {
            int cursor = resumeAfter(x.getRequestHeaders().getFirst("Last-Event-ID"));
            while (true) {
                List<String> batch;
                synchronized (history) {
                    while (cursor == history.size() && !closed) {
                        try {
                            history.wait(15_000);
                        } catch (InterruptedException e) {
                            return;
                        }
                        if (cursor == history.size() && !closed) break; // a keep-alive comment below
                    }
                    if (closed && cursor == history.size()) return;
                    cursor = Math.min(cursor, history.size());
                    batch = new ArrayList<>(history.subList(cursor, history.size()));
                    cursor = history.size();
                }
                if (batch.isEmpty()) out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                for (String f : batch) out.write(f.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException gone) {
            // The browser left; nothing of the run depends on it.
        }
    }

    private static int resumeAfter(String lastEventId) {
        if (lastEventId == null) return 0;
        try {
            return Math.max(0, Integer.parseInt(lastEventId.trim()) + 1);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void file(HttpExchange x) throws IOException {
        String[] f = FILES.get(x.getRequestURI().getPath());
        try (x) {
            if (f == null) {
                x.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body;
            try (InputStream in = LiveServer.class.getResourceAsStream(f[0])) {
                if (in == null) throw new IOException("resource " + f[0] + " missing from the jar");
                body = in.readAllBytes();
            }
            x.getResponseHeaders().set("Content-Type", f[1]);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        synchronized (history) {
            closed = true;
            history.notifyAll();
        }
        server.stop(0);
        pool.shutdownNow();
    }
}
