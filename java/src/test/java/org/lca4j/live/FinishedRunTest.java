package org.lca4j.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.run.RunFiles;

/**
 * lca view's reading of a run directory written by hand: two layers of 3 and 1 parameters, two
 * estimators (exact second), 9 steps, stopped by a signal.
 */
class FinishedRunTest {
    private static final int STEPS = 9;

    private static double helpedW(int t) {
        return t / 8.0;
    }

    private static double helpedB(int t) {
        return 1 - t / 8.0;
    }

    private static Path run(Path dir, String status) throws IOException {
        Files.writeString(dir.resolve(RunFiles.RUN_JSON), """
                {"format": "lca4j-run/1", "status": "%s", "error": "stopped by a signal",
                 "layers": [{"name": "w", "shape": [3], "offset": 0, "size": 3}, {"name": "b", "shape": [1], "offset": 3, "size": 1}]}
                """.formatted(status));
        StringBuilder layers = new StringBuilder("step,estimator,layer,lca,helped_fraction\n");
        StringBuilder steps = new StringBuilder("step,batch_loss,loss_before,loss_after\n");
        for (int t = 0; t < STEPS; t++) {
            for (String e : List.of("free_trap", "exact")) {
                layers.append(t).append(',').append(e).append(",w,").append(-t).append(',').append(helpedW(t)).append('\n');
                layers.append(t).append(',').append(e).append(",b,0.5,").append(helpedB(t)).append('\n');
            }
            steps.append(t).append(',').append(2 * t).append(',').append(10 - t).append(',').append(9.5 - t).append('\n');
        }
        Files.writeString(dir.resolve(RunFiles.LAYERS_CSV), layers);
        Files.writeString(dir.resolve(RunFiles.STEPS_CSV), steps);
        return dir;
    }

    @Test
    void aRunDirectoryBecomesAtMostMaxPointsOfWholeStrides(@TempDir Path dir) throws Exception {
        run(dir, "interrupted");
        try (LiveServer s = new LiveServer("127.0.0.1", 0)) {
            assertEquals(STEPS, FinishedRun.publish(dir, s, 4).steps());
            JsonNode meta = LiveServerTest.events(s, "meta").getFirst();
            assertEquals(STEPS, meta.path("totalSteps").asInt());
            assertEquals(3, meta.path("stride").asInt(), "⌈9 / 4⌉ steps a point");
            assertEquals("exact", meta.path("heatEstimator").asText(), "exact when the run has it, wherever it comes");
            List<JsonNode> points = LiveServerTest.events(s, "step");
            assertEquals(3, points.size());
            for (int k = 0; k < 3; k++) {
                JsonNode p = points.get(k);
                int first = 3 * k, last = first + 2;
                assertEquals(first, p.path("step").asInt());
                assertEquals(10 - first, p.path("lossBefore").asDouble(), 0, "steps.csv's loss_before of the point's first step");
                assertEquals(9.5 - last, p.path("lossAfter").asDouble(), 0, "steps.csv's loss_after of its last step");
                assertEquals(2 * (first + 1), p.path("batchLoss").asDouble(), 1e-12);
                // A step's helped fraction over all 4 parameters: each layer's counts weighted by its size.
                double helped = 0;
                for (int t = first; t <= last; t++) helped += (3 * helpedW(t) + helpedB(t)) / 4;
                assertEquals(helped / 3, p.path("helped").path("exact").asDouble(), 1e-12, "point " + k);
            }
            List<JsonNode> failed = LiveServerTest.events(s, "failed");
            assertEquals(1, failed.size(), "an interrupted run says so");
            assertEquals("after 9 steps: stopped by a signal", failed.getFirst().path("error").asText());
        }
    }

    @Test
    void rowsOutOfStepOrderAreRefusedByLine(@TempDir Path dir) throws Exception {
        run(dir, "complete");
        Path csv = dir.resolve(RunFiles.LAYERS_CSV);
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(csv));
        // Swap step 1's rows with step 2's: line 10 (the first of step 2) now follows step 0.
        List<String> one = List.copyOf(lines.subList(5, 9)), two = List.copyOf(lines.subList(9, 13));
        for (int i = 0; i < 4; i++) {
            lines.set(5 + i, two.get(i));
            lines.set(9 + i, one.get(i));
        }
        Files.write(csv, lines);
        try (LiveServer s = new LiveServer("127.0.0.1", 0)) {
            IOException e = assertThrows(IOException.class, () -> FinishedRun.publish(dir, s, 4));
            assertTrue(e.getMessage().contains(RunFiles.LAYERS_CSV + ":10: step 1 after step 2"), e.getMessage());
        }
    }
}
