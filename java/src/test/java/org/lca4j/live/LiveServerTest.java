package org.lca4j.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.train.RunListener;
import org.lca4j.train.TrainConfig;
import org.lca4j.train.Trainer;

/** The server side of the live view, without a browser: fan-out, resumption, slow clients, replay of a finished run. */
class LiveServerTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The data lines of the first n events a client reads, optionally resuming after an event id. */
    private static List<String> read(LiveServer s, int n, String lastEventId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url() + "events"));
        if (lastEventId != null) b.header("Last-Event-ID", lastEventId);
        HttpResponse<Stream<String>> r = HTTP.sendAsync(b.build(), HttpResponse.BodyHandlers.ofLines()).get(10, TimeUnit.SECONDS);
        try (Stream<String> lines = r.body()) {
            return lines.filter(l -> l.startsWith("data: ")).limit(n).toList();
        }
    }

    @Test
    void everyClientGetsEveryEventAndAStalledOneBlocksNobody() throws Exception {
        try (LiveServer s = new LiveServer("127.0.0.1", 0); Socket stalled = new Socket("127.0.0.1", URI.create(s.url()).getPort())) {
            // A client that asks for the stream and then never reads it.
            stalled.getOutputStream().write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            String big = "{\"x\":\"" + "a".repeat(10_000) + "\"}";
            long t0 = System.nanoTime();
            for (int i = 0; i < 2_000; i++) s.publish("step", i % 100 == 0 ? "{\"i\":" + i + "}" : big);
            assertTrue((System.nanoTime() - t0) / 1e9 < 5, "publishing never waits for clients");
            List<String> a = read(s, 2_000, null), b = read(s, 2_000, null);
            assertEquals(2_000, a.size());
            assertEquals(a, b);
            assertEquals("data: {\"i\":0}", a.getFirst());
            // A reconnecting browser sends the last id it saw and gets only what followed.
            assertEquals("data: {\"i\":1900}", read(s, 1, "1899").getFirst());
        }
    }

    @Test
    void servesThePageAndUplotFromTheJar() throws Exception {
        try (LiveServer s = new LiveServer("127.0.0.1", 0)) {
            for (String f : new String[] {"", "live.js", "uplot.js", "uplot.css"}) {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + f)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), f);
                assertTrue(r.body().length() > 500, f);
            }
            assertEquals(404, HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "nope")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        }
    }

    @Test
    void aPortInUseIsNamed() throws Exception {
        try (LiveServer s = new LiveServer("127.0.0.1", 0)) {
            int port = URI.create(s.url()).getPort();
            IOException e = assertThrows(IOException.class, () -> new LiveServer("127.0.0.1", port));
            assertTrue(e.getMessage().contains(":" + port), e.getMessage());
        }
    }

    @Test
    void aFinishedRunReplaysItsSteps(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        Trainer.run(TrainConfig.builder().model("20,8,4").data("synthetic").syntheticSize(400).batch(50).steps(12).referenceSize(200)
                .estimators(List.of("exact", "free_trap")).device("cpu").out(run).build(), new org.lca4j.run.RunRecorder(run, java.util.Map.of()));
        try (LiveServer s = new LiveServer("127.0.0.1", 0)) {
            assertEquals(12, FinishedRun.publish(run, s).steps());
            List<String> events = read(s, 14, null);
            assertTrue(events.getFirst().contains("\"layers\""), "meta first");
            assertTrue(events.get(1).contains("\"exact\"") && events.get(1).contains("\"free_trap\""), events.get(1));
            assertTrue(events.get(13).contains("\"bestByCost\""), "the study table last");
        }
        IOException e = assertThrows(IOException.class, () -> FinishedRun.publish(dir.resolve("nothing"), null));
        assertTrue(e.getMessage().contains("run.json"), e.getMessage());
    }

    /** The JSON of each event of a name among every one the server holds, the last one included. */
    static List<com.fasterxml.jackson.databind.JsonNode> events(LiveServer s, String name) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(s.url() + "events")).build();
        HttpResponse<Stream<String>> resp = HTTP.sendAsync(r, HttpResponse.BodyHandlers.ofLines()).get(10, TimeUnit.SECONDS);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> kinds = new java.util.ArrayList<>();
        List<com.fasterxml.jackson.databind.JsonNode> out = new java.util.ArrayList<>();
        int all = s.published(), data = 0;
        try (Stream<String> lines = resp.body()) {
            java.util.Iterator<String> it = lines.iterator();
            // Until the last event's data line, not its event line: the stream stays open after it.
            while (data < all && it.hasNext()) {
                String l = it.next();
                if (l.startsWith("event: ")) kinds.add(l.substring(7));
                if (!l.startsWith("data: ")) continue;
                data++;
                if (kinds.getLast().equals(name)) out.add(json.readTree(l.substring(6)));
            }
        }
        return out;
    }

    @Test
    void aLongRunIsSentAsABoundedNumberOfPointsWhoseSumsAreTheRunsLive(@TempDir Path dir) throws Exception {
        // 53 steps as at most 8 points: 7 steps each, the last 4. Sums over points (mean × steps) are the
        // run's own totals, for the per-layer LCA and for the per-neuron heatmap.
        Path run = dir.resolve("run");
        TrainConfig cfg = TrainConfig.builder().model("20,8,4").data("synthetic").syntheticSize(400).batch(50).steps(53).referenceSize(100)
                .estimators(List.of("exact", "free_trap")).device("cpu").out(run).build();
        org.lca4j.train.RunSummary summary;
        try (LiveServer s = new LiveServer("127.0.0.1", 0)) {
            summary = Trainer.run(cfg, RunListener.all(List.of(new LiveListener(s, 8), new org.lca4j.run.RunRecorder(run, java.util.Map.of()))));
            List<com.fasterxml.jackson.databind.JsonNode> points = events(s, "step");
            assertEquals(8, points.size());
            assertEquals(7, events(s, "meta").getFirst().path("stride").asInt());
            assertEquals(49, points.getLast().path("step").asInt());
            assertEquals(4, points.getLast().path("steps").asInt());
            double[] exact = summary.layerTotals().get("exact");
            for (int l = 0; l < exact.length; l++) {
                double sum = 0;
                for (com.fasterxml.jackson.databind.JsonNode p : points) sum += p.path("lca").path("exact").get(l).asDouble() * p.path("steps").asInt();
                assertEquals(exact[l], sum, 1e-12 * Math.max(1, Math.abs(exact[l])), "layer " + l);
            }
            // fc1's neurons: its incoming weights and bias, so together the two layers' totals.
            double neurons = 0;
            for (com.fasterxml.jackson.databind.JsonNode p : points) {
                for (com.fasterxml.jackson.databind.JsonNode v : p.path("neurons").path("fc1.weight")) neurons += v.asDouble() * p.path("steps").asInt();
            }
            assertEquals(exact[0] + exact[1], neurons, 1e-12);
            // Neuron j by itself: row j of fc1.weight [8, 20] (row-major) plus bias j, from the run's per-parameter sums.
            double[] w = org.lca4j.io.Npy.read(org.lca4j.run.RunFiles.cumulative(run, "exact", "fc1.weight")).asDoubles();
            double[] b = org.lca4j.io.Npy.read(org.lca4j.run.RunFiles.cumulative(run, "exact", "fc1.bias")).asDoubles();
            for (int j = 0; j < 8; j++) {
                double want = b[j], got = 0;
                for (int i = 0; i < 20; i++) want += w[j * 20 + i];
                for (com.fasterxml.jackson.databind.JsonNode p : points) got += p.path("neurons").path("fc1.weight").get(j).asDouble() * p.path("steps").asInt();
                assertEquals(want, got, 1e-12, "neuron " + j);
            }
        }
        // lca view reads the run directory the same way.
        try (LiveServer s = new LiveServer("127.0.0.1", 0)) {
            assertEquals(53, FinishedRun.publish(run, s, 8).steps());
            List<com.fasterxml.jackson.databind.JsonNode> points = events(s, "step");
            assertEquals(8, points.size());
            double[] exact = summary.layerTotals().get("exact");
            double sum = 0;
            for (com.fasterxml.jackson.databind.JsonNode p : points) sum += p.path("lca").path("exact").get(0).asDouble() * p.path("steps").asInt();
            assertEquals(exact[0], sum, 1e-9 * Math.abs(exact[0]), "layers.csv's rows hold 17 significant digits");
            assertEquals(summary.conservation().initialLoss(), points.getFirst().path("lossBefore").asDouble(), 1e-12);
        }
    }

    @Test
    void aRunThatStoppedEarlySaysSoInsteadOfLookingLikeItIsStillTraining(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("diverged");
        assertThrows(org.lca4j.train.TrainingDivergedException.class, () -> Trainer.run(TrainConfig.builder().model("20,8,4").data("synthetic")
                .syntheticSize(400).batch(50).steps(30).lr(1e6).momentum(0).estimators(List.of("free_trap")).device("cpu").out(run).build(),
                new org.lca4j.run.RunRecorder(run, java.util.Map.of())));
        try (LiveServer s = new LiveServer("127.0.0.1", 0)) {
            int steps = FinishedRun.publish(run, s).steps();
            List<String> events = read(s, steps + 2, null);
            String last = events.getLast();
            assertTrue(last.contains("after " + steps + " steps: training diverged at step"), last);
        }
    }

    @Test
    void aRunWhoseProcessWasKilledSaysSo(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("killed");
        Trainer.run(TrainConfig.builder().model("20,8,4").data("synthetic").syntheticSize(400).batch(50).steps(5)
                .estimators(List.of("free_trap")).device("cpu").out(run).build(), new org.lca4j.run.RunRecorder(run, java.util.Map.of()));
        // What a kill -9 leaves: run.json still says running, and its process is gone.
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path json = run.resolve(org.lca4j.run.RunFiles.RUN_JSON);
        String original = java.nio.file.Files.readString(json);
        String text = original.replace("\"complete\"", "\"running\"")
                .replaceFirst("\"pid\" ?: ?\\d+", "\"pid\": " + gone.pid());
        java.nio.file.Files.writeString(json, text);
        try (LiveServer s = new LiveServer("127.0.0.1", 0)) {
            FinishedRun.Published p = FinishedRun.publish(run, s);
            String last = read(s, p.steps() + 3, null).getLast();
            assertTrue(last.contains("after 5 steps: its process (pid " + gone.pid() + ") ended without closing the records"), last);
            // lca view's terminal line comes from the same reading as the page's.
            assertEquals("running", p.status());
            assertFalse(p.stillTraining());
            assertTrue(p.gone().orElseThrow().contains("pid " + gone.pid()), p.gone().toString());
        }
        // The run was written by this JVM, which is alive: marked running, it is still training, and the page says nothing ended.
        java.nio.file.Files.writeString(json, original.replace("\"complete\"", "\"running\""));
        try (LiveServer s = new LiveServer("127.0.0.1", 0)) {
            FinishedRun.Published p = FinishedRun.publish(run, s);
            assertTrue(p.stillTraining(), p.toString());
            assertTrue(read(s, p.steps() + 2, null).stream().noneMatch(e -> e.contains("ended without closing")));
        }
    }

    @Test
    void aHostThatIsNotThisMachinesIsNamedAsSuch() {
        // TEST-NET-1 is never this machine's, unless the kernel allows binding foreign addresses.
        try (LiveServer bound = new LiveServer("192.0.2.1", 0)) {
            org.junit.jupiter.api.Assumptions.abort("this host binds non-local addresses (ip_nonlocal_bind)");
        } catch (IOException expected) {
            // as on a normal host
        }
        IOException e = assertThrows(IOException.class, () -> new LiveServer("192.0.2.1", 0));
        assertTrue(e.getMessage().contains("192.0.2.1") && e.getMessage().contains("an address of this machine"), e.getMessage());
    }

    @Test
    void theUrlOfAServerOnEveryInterfaceOrOnIpv6OpensInABrowser() throws Exception {
        // --host 0.0.0.0 used to print http://0:0:0:0:0:0:0:0:PORT/, which is no URL at all.
        try (LiveServer s = new LiveServer("0.0.0.0", 0)) {
            URI u = URI.create(s.url());
            assertEquals("127.0.0.1", u.getHost(), s.url());
            assertEquals(200, HTTP.send(HttpRequest.newBuilder(u).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        }
        LiveServer v6;
        try {
            v6 = new LiveServer("::1", 0);
        } catch (IOException noIpv6) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + noIpv6.getMessage());
            return;
        }
        try (LiveServer s = v6) {
            URI u = URI.create(s.url());
            assertTrue(u.getHost().startsWith("[") && java.net.InetAddress.getByName(u.getHost()).isLoopbackAddress(), s.url());
            assertEquals(200, HTTP.send(HttpRequest.newBuilder(u).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        }
    }

    @Test
    void noFinishedRunAtAll(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class, () -> FinishedRun.publish(dir.resolve("nothing"), null));
        assertTrue(e.getMessage().contains("run.json"), e.getMessage());
    }
}
