package org.lca4j.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A minimal Chrome DevTools Protocol client over the JDK's WebSocket, for driving headless Chromium in tests. */
final class Cdp implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final WebSocket ws;
    private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    private Cdp(WebSocket ws) {
        this.ws = ws;
    }

    /** Connects to the first page of a browser whose profile directory will hold DevToolsActivePort. */
    static Cdp connect(Path profile, Duration timeout) throws Exception {
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.isRegularFile(portFile) || Files.readAllLines(portFile).isEmpty()) {
            if (System.nanoTime() > deadline) throw new IOException("Chromium wrote no " + portFile);
            Thread.sleep(100);
        }
        int port = Integer.parseInt(Files.readAllLines(portFile).getFirst().trim());
        HttpClient http = HttpClient.newHttpClient();
        String wsUrl = null;
        while (wsUrl == null) {
            String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (JsonNode t : MAPPER.readTree(list)) if (t.path("type").asText().equals("page")) wsUrl = t.path("webSocketDebuggerUrl").asText();
            if (wsUrl == null) {
                if (System.nanoTime() > deadline) throw new IOException("Chromium has no page target");
                Thread.sleep(100);
            }
        }
        Cdp[] self = new Cdp[1];
        StringBuilder partial = new StringBuilder();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(wsUrl), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    try {
                        JsonNode msg = MAPPER.readTree(partial.toString());
                        CompletableFuture<JsonNode> f = self[0] == null ? null : self[0].calls.remove(msg.path("id").asInt(-1));
                        if (f != null) f.complete(msg);
                    } catch (IOException ignored) {
                        // an event we do not read
                    }
                    partial.setLength(0);
                }
                w.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
        self[0] = new Cdp(ws);
        return self[0];
    }

    JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        calls.put(id, f);
        ObjectNode msg = MAPPER.createObjectNode().put("id", id).put("method", method);
        msg.set("params", MAPPER.valueToTree(params));
        ws.sendText(msg.toString(), true).get(10, TimeUnit.SECONDS);
        JsonNode r = f.get(20, TimeUnit.SECONDS);
        if (r.has("error")) throw new IOException(method + ": " + r.path("error"));
        return r.path("result");
    }

    /** Evaluates a JavaScript expression in the page and returns its JSON value. */
    JsonNode eval(String expression) throws Exception {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        if (r.has("exceptionDetails")) throw new IOException("page threw: " + r.path("exceptionDetails"));
        return r.path("result").path("value");
    }

    @Override
    public void close() {
        ws.abort();
    }
}
