package org.lca4j.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.train.RunListener;
import org.lca4j.train.StepEvent;
import org.lca4j.train.TrainConfig;
import org.lca4j.train.Trainer;

/**
 * End to end in headless Chromium (Debian's chromium-headless-shell, which ./lca test installs):
 * the page opens before training starts, its charts grow while steps arrive, and it ends with the
 * study table. Skipped, not passed, when no Chromium is installed. Saves target/live-view.png.
 */
class LiveViewBrowserTest {
    private static final int STEPS = 40;

    private static Path chromium() {
        for (String c : List.of("/usr/bin/chromium-headless-shell", "/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(c))) return Path.of(c);
        }
        return null;
    }

    private static JsonNode waitFor(Cdp cdp, String expression, Predicate<JsonNode> ok, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode v = null;
        while (System.nanoTime() < deadline) {
            v = cdp.eval(expression);
            if (ok.test(v)) return v;
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for " + expression + ", last value " + v);
    }

    /** Headless Chromium on the live view, with its DevTools endpoint in {@code profile} and its log in dir/chromium.log. */
    private static Process open(Path chrome, Path profile, LiveServer server, Path dir) throws java.io.IOException {
        return new ProcessBuilder(chrome.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "--window-size=1300,2400", server.url())
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
    }

    @Test
    void theChartsGrowWhileTrainingRuns(@TempDir Path dir) throws Exception {
        Path chrome = chromium();
        assumeTrue(chrome != null, "no Chromium installed (apt-get install chromium-headless-shell)");
        Path profile = dir.resolve("profile");
        try (LiveServer server = new LiveServer("127.0.0.1", 0)) {
            Process browser = open(chrome, profile, server, dir);
            try (Cdp cdp = Cdp.connect(profile, Duration.ofSeconds(30))) {
                waitFor(cdp, "document.getElementById('state') && document.getElementById('state').textContent", v -> v.asText().equals("waiting for steps"),
                        Duration.ofSeconds(20));

                // Slowed down so the page is seen mid-run; training itself never waits for the browser.
                TrainConfig cfg = TrainConfig.builder().model("20,16,8,4").data("synthetic").syntheticSize(1000).batch(50).steps(STEPS)
                        .referenceSize(500).estimators(List.of("all")).device("cpu").out(dir.resolve("run")).build();
                RunListener pace = new RunListener() {
                    @Override
                    public void stepDone(StepEvent e) {
                        try {
                            Thread.sleep(60);
                        } catch (InterruptedException ignored) {
                            Thread.currentThread().interrupt();
                        }
                    }
                };
                CompletableFuture<?> run = CompletableFuture.runAsync(() -> {
                    try {
                        Trainer.run(cfg, RunListener.all(List.of(new LiveListener(server), pace)));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });

                int mid = waitFor(cdp, "lca.steps.length", v -> v.asInt() > 0 && v.asInt() < STEPS, Duration.ofSeconds(30)).asInt();
                int later = waitFor(cdp, "lca.charts.layers[0].data[0].length", v -> v.asInt() > mid, Duration.ofSeconds(30)).asInt();
                assertTrue(later > mid, "the per-layer chart grew from " + mid + " to " + later + " points during the run");
                run.get();
                waitFor(cdp, "document.getElementById('state').textContent", v -> v.asText().equals("done"), Duration.ofSeconds(20));
                Thread.sleep(200); // one animation frame for the last redraw

                assertEquals(STEPS, cdp.eval("lca.charts.loss.data[0].length").asInt());
                assertEquals(STEPS, cdp.eval("lca.charts.cumulative.data[0].length").asInt());
                assertEquals(org.lca4j.estimate.Estimator.values().length, cdp.eval("document.querySelectorAll('#study tbody tr').length").asInt(), "a row per estimator");
                assertTrue(cdp.eval("document.querySelectorAll('#study tr.best').length").asInt() >= 1, "best estimators marked when done");
                // The heatmap drew something: some pixel of the canvas is not transparent.
                assertTrue(cdp.eval("(() => { const c = document.getElementById('heat'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                        + " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; })()").asInt() > 1000, "heatmap drawn");

                JsonNode shot = cdp.call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
                Path png = Path.of("target", "live-view.png");
                Files.createDirectories(png.getParent());
                Files.write(png, Base64.getDecoder().decode(shot.path("data").asText()));
                assertTrue(Files.size(png) > 20_000, "screenshot saved");
            } finally {
                browser.destroyForcibly();
            }
        }
    }

    @Test
    void aLongRunIsDrawnFromItsPointsWithTheRunsTotals(@TempDir Path dir) throws Exception {
        // 60 steps served as 10 points of 6 (as a run of 12,000 steps is as 2,000): the step counter
        // says 60, the charts hold 10 points, and the cumulative chart ends at the run's totals.
        Path chrome = chromium();
        assumeTrue(chrome != null, "no Chromium installed (apt-get install chromium-headless-shell)");
        Path run = dir.resolve("run");
        org.lca4j.train.RunSummary summary = Trainer.run(TrainConfig.builder().model("20,8,4").data("synthetic").syntheticSize(400).batch(50)
                .steps(60).referenceSize(100).estimators(List.of("exact", "free_trap")).device("cpu").out(run).build(),
                new org.lca4j.run.RunRecorder(run, Map.of()));
        Path profile = dir.resolve("profile");
        try (LiveServer server = new LiveServer("127.0.0.1", 0)) {
            FinishedRun.publish(run, server, 10);
            Process browser = open(chrome, profile, server, dir);
            try (Cdp cdp = Cdp.connect(profile, Duration.ofSeconds(30))) {
                waitFor(cdp, "document.getElementById('state') && document.getElementById('state').textContent", v -> v.asText().equals("done"),
                        Duration.ofSeconds(20));
                Thread.sleep(200); // one animation frame for the last redraw
                assertEquals("60", cdp.eval("document.getElementById('steps').textContent").asText());
                assertEquals(10, cdp.eval("lca.charts.loss.data[0].length").asInt());
                assertTrue(cdp.eval("document.getElementById('stride').textContent").asText().contains("6 consecutive steps"));
                double[] exact = summary.layerTotals().get("exact");
                for (int l = 0; l < exact.length; l++) {
                    double drawn = cdp.eval("lca.charts.cumulative.data[" + (l + 1) + "][9]").asDouble();
                    assertEquals(exact[l], drawn, 1e-9 * Math.max(1e-3, Math.abs(exact[l])), "layer " + l + "'s cumulative LCA");
                }
            } finally {
                browser.destroyForcibly();
            }
        }
    }
}
