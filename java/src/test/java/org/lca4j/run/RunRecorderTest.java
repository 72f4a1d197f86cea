package org.lca4j.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.Lca;
import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.ParamLayout;
import org.lca4j.core.StepLca;
import org.lca4j.data.LabeledSet;
import org.lca4j.io.Npy;
import org.lca4j.train.RunContext;
import org.lca4j.train.RunListener;
import org.lca4j.train.StepEvent;
import org.lca4j.train.TrainConfig;
import org.lca4j.train.Trainer;

/** How a run directory ends when the run does not end by itself: a signal, or an Error. */
class RunRecorderTest {
    @TempDir
    Path tmp;

    private TrainConfig config(Path out) {
        return TrainConfig.builder().model("20,16,4").data("synthetic").syntheticSize(600).batch(50).steps(12).seed(5)
                .estimators(List.of("exact", "free_trap")).saveTrajectory(true).out(out).build();
    }

    @Test
    void aSignalClosesTheRecordsAtTheLastWholeStepAndLaterStepsWriteNothing() throws Exception {
        Path out = tmp.resolve("stopped");
        RunRecorder recorder = new RunRecorder(out, Map.of());
        long[] returned = {-2};
        // What the CLI's shutdown hook does, here on the training thread right after step 4 is recorded.
        RunListener signal = new RunListener() {
            @Override
            public void stepDone(StepEvent e) {
                if (e.step() == 4) returned[0] = recorder.interrupted("stopped from outside");
            }
        };
        Trainer.run(config(out), RunListener.all(List.of(recorder, signal)));
        assertEquals(5, returned[0]);
        JsonNode run = Json.read(out.resolve(RunFiles.RUN_JSON));
        assertEquals("interrupted", run.path("status").asText());
        assertEquals("stopped from outside", run.path("error").asText());
        assertEquals(5, run.path("steps_recorded").asLong());
        assertTrue(run.path("summary").isMissingNode(), "the run's own end must not overwrite the interrupted record");
        assertEquals(6, Files.readAllLines(out.resolve(RunFiles.STEPS_CSV)).size(), "header and steps 0-4");
        assertEquals(1 + 5 * 2 * 4, Files.readAllLines(out.resolve(RunFiles.LAYERS_CSV)).size());
        // θ_0 … θ_5, and the header rewritten to say so: numpy reads it whole.
        assertEquals(6, Npy.read(out.resolve(RunFiles.TRAJECTORY_DIR).resolve(RunFiles.THETA_NPY)).shape()[0]);
        long held = Json.read(out.resolve(RunFiles.CUMULATIVE_DIR).resolve(RunFiles.CUMULATIVE_STEPS)).path("steps").asLong();
        assertEquals(run.path("cumulative_steps").asLong(), held);
        assertFalse(Files.exists(out.resolve(RunFiles.RESERVE)), "the reserve is given back");
        assertEquals(-1, recorder.interrupted("again"), "a closed run is not closed twice");
    }

    @Test
    void aSignalFromAnotherThreadWaitsForTheStepBeingWrittenAndStopsTheRest() throws Exception {
        Path out = tmp.resolve("racing");
        RunRecorder recorder = new RunRecorder(out, Map.of());
        java.util.concurrent.CountDownLatch inStep = new java.util.concurrent.CountDownLatch(1);
        long[] returned = {-2};
        Thread hook = new Thread(() -> {
            try {
                inStep.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            returned[0] = recorder.interrupted("signal");
        });
        hook.start();
        // A recorder whose step 6 is slow, as a large snapshot would be: the signal arrives during it.
        RunListener slowRecorder = new RunListener() {
            @Override
            public void started(org.lca4j.train.RunContext c) {
                recorder.started(c);
            }

            @Override
            public void stepDone(StepEvent e) {
                if (e.step() == 6) {
                    synchronized (recorder) { // what stepDone holds while it writes
                        inStep.countDown();
                        try {
                            Thread.sleep(300);
                        } catch (InterruptedException ie) {
                            Thread.currentThread().interrupt();
                        }
                        recorder.stepDone(e);
                    }
                } else {
                    if (e.step() == 7) join(hook); // the signal is handled before step 7 reaches the recorder
                    recorder.stepDone(e);
                }
            }

            @Override
            public void finished(org.lca4j.train.RunSummary s) {
                recorder.finished(s);
            }
        };
        Trainer.run(config(out), slowRecorder);
        hook.join();
        assertEquals(7, returned[0], "the hook waited for step 6 to be written whole");
        JsonNode run = Json.read(out.resolve(RunFiles.RUN_JSON));
        assertEquals("interrupted", run.path("status").asText());
        assertEquals(8, Files.readAllLines(out.resolve(RunFiles.STEPS_CSV)).size(), "header and steps 0-6, nothing after");
        assertEquals(8, Npy.read(out.resolve(RunFiles.TRAJECTORY_DIR).resolve(RunFiles.THETA_NPY)).shape()[0]);
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aSignalAfterTheEndChangesNothing() throws Exception {
        Path out = tmp.resolve("done");
        RunRecorder recorder = new RunRecorder(out, Map.of());
        Trainer.run(config(out), recorder);
        byte[] before = Files.readAllBytes(out.resolve(RunFiles.RUN_JSON));
        assertEquals(-1, recorder.interrupted("late"));
        assertEquals(-1, new RunRecorder(tmp.resolve("never"), Map.of()).interrupted("early"), "nothing to close before the run starts");
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(out.resolve(RunFiles.RUN_JSON))));
        assertFalse(Files.exists(tmp.resolve("never")));
    }

    @Test
    void anErrorSuchAsOutOfMemoryIsRecordedAsAFailure() throws Exception {
        Path out = tmp.resolve("oom");
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        RunListener blowUp = new RunListener() {
            @Override
            public void stepDone(StepEvent e) {
                if (e.step() == 2) throw oom;
            }
        };
        assertSame(oom, assertThrows(OutOfMemoryError.class,
                () -> Trainer.run(config(out), RunListener.all(List.of(new RunRecorder(out, Map.of()), blowUp)))));
        JsonNode run = Json.read(out.resolve(RunFiles.RUN_JSON));
        assertEquals("failed", run.path("status").asText());
        assertEquals("Java heap space", run.path("error").asText());
        assertEquals(3, run.path("steps_recorded").asLong());
    }

    @Test
    void stepsAndLayersCsvHoldEachStepsOwnNumbers() throws Exception {
        Path out = tmp.resolve("rows");
        RunRecorder recorder = new RunRecorder(out, Map.of());
        List<StepEvent> events = new java.util.ArrayList<>();
        Path theta = out.resolve(RunFiles.TRAJECTORY_DIR).resolve(RunFiles.THETA_NPY);
        RunListener check = new RunListener() {
            @Override
            public void stepDone(StepEvent e) {
                events.add(e); // the StepLca and ExactLca.Step records are the run's own, not reused buffers
                try {
                    // Mid-run, theta.npy is a whole file counting the rows written (what a kill -9 leaves, numpy.load reads).
                    var rows = Npy.read(theta);
                    assertEquals(e.step() + 2, rows.rows(), "rows present at step " + e.step());
                } catch (java.io.IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            }
        };
        Trainer.run(config(out), RunListener.all(List.of(recorder, check)));
        assertEquals(12, events.size());

        List<String> steps = Files.readAllLines(out.resolve(RunFiles.STEPS_CSV));
        assertEquals("step,batch_loss,loss_before,loss_after,loss_change,lca,splits,error,step_ms", steps.getFirst());
        for (int t = 0; t < 12; t++) {
            String[] f = steps.get(t + 1).split(",");
            StepEvent e = events.get(t);
            var x = e.exact();
            assertEquals(t, Long.parseLong(f[0]));
            assertEquals(e.batchLoss(), Double.parseDouble(f[1]), 0);
            assertEquals(x.lossBefore(), Double.parseDouble(f[2]), 0);
            assertEquals(x.lossAfter(), Double.parseDouble(f[3]), 0);
            assertEquals(x.lossAfter() - x.lossBefore(), Double.parseDouble(f[4]), 0);
            assertEquals(java.util.Arrays.stream(x.lca().lca()).sum(), Double.parseDouble(f[5]), 1e-15);
            assertEquals(x.splits(), Integer.parseInt(f[6]));
            assertEquals(x.error(), Double.parseDouble(f[7]), 0);
            assertEquals(x.lossAfter() - x.lossBefore() - Double.parseDouble(f[5]), x.error(), 1e-15);
        }

        List<String> layers = Files.readAllLines(out.resolve(RunFiles.LAYERS_CSV));
        assertEquals(1 + 12 * 2 * 4, layers.size());
        for (String line : layers.subList(1, layers.size())) {
            String[] f = line.split(",");
            StepEvent e = events.get(Integer.parseInt(f[0]));
            assertEquals(Integer.parseInt(f[0]), e.step());
            var s = e.lca().get(f[1]);
            int l = s.layout().indexOf(f[2]);
            assertEquals(s.lca(l), Double.parseDouble(f[3]), 0, line);
            // helped_fraction: the layer's parameters with A < 0 over all of its parameters.
            assertEquals(s.helpedCount(l) / (double) s.layout().layer(l).size(), Double.parseDouble(f[4]), 0, line);
        }
    }

    @Test
    void runJsonsLayerTotalsAreLayersCsvSumsUnderEachLayersOwnName() throws Exception {
        Path out = tmp.resolve("totals");
        Trainer.run(config(out), new RunRecorder(out, Map.of()));
        Map<String, Double> sums = new java.util.LinkedHashMap<>();
        for (String line : Files.readAllLines(out.resolve(RunFiles.LAYERS_CSV)).subList(1, 1 + 12 * 2 * 4)) {
            String[] f = line.split(",");
            sums.merge(f[1] + "/" + f[2], Double.parseDouble(f[3]), Double::sum);
        }
        JsonNode summary = Json.read(out.resolve(RunFiles.RUN_JSON)).path("summary");
        JsonNode totals = summary.path("layer_totals");
        for (String est : List.of("exact", "free_trap")) {
            for (String layer : List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias")) {
                double total = totals.path(est).path(layer).asDouble(Double.NaN), csv = sums.get(est + "/" + layer);
                double cumulative = java.util.Arrays.stream(Npy.read(RunFiles.cumulative(out, est, layer)).asDoubles()).sum();
                assertEquals(csv, total, 1e-9 * Math.abs(csv), est + " " + layer + ": Σ_t of layers.csv's lca");
                assertEquals(cumulative, total, 1e-9 * Math.abs(cumulative), est + " " + layer + ": the sum of its cumulative .npy");
            }
        }
        // Exact LCA's time relative to a plain training step, both per step: (training + exact) / training.
        double train = summary.path("training_ms_per_step").asDouble(), exact = summary.path("exact_ms_per_step").asDouble();
        assertEquals((train + exact) / train, summary.path("exact_relative_time").asDouble(), 1e-12);
        assertFalse(summary.path("best_criterion").asText("").isBlank(), "the best_by_cost criterion in words");
    }

    @Test
    void layersCsvHelpedFractionCountsEveryParameterOfTheLayer() throws Exception {
        // A step made up by hand: w (4 parameters) has 1 helped, 1 hurt and 2 with A = 0; b (2) has 0 helped, 1 hurt.
        ParamLayout layout = ParamLayout.builder().add("w", 2, 2).add("b", 2).build();
        Path out = tmp.resolve("made-up");
        TrainConfig cfg = TrainConfig.builder().out(out).build();
        RunRecorder recorder = new RunRecorder(out, Map.of());
        try (LcaAccumulator acc = Lca.cpu(layout)) {
            recorder.started(new RunContext(cfg, layout, null, "made up", 1, 0, LabeledSet.of(new float[2], new int[] {0}, 2, 2), "made up",
                    Map.of("exact", acc), 1, new float[6], "none", null));
            StepLca s = new StepLca(0, layout, new double[] {-1, 0.5}, new long[] {1, 0}, new long[] {1, 1});
            recorder.stepDone(new StepEvent(0, 1, 0.5, new float[6], new float[6], null, null, Map.of("exact", s), Map.of(), 2_000_000));
        }
        recorder.interrupted("test over");
        assertEquals(List.of("step,estimator,layer,lca,helped_fraction", "0,exact,w,-1.0,0.25", "0,exact,b,0.5,0.0"),
                Files.readAllLines(out.resolve(RunFiles.LAYERS_CSV)));
        assertEquals(List.of("step,batch_loss,loss_before,loss_after,loss_change,lca,splits,error,step_ms", "0,0.5,,,,,,,2.0"),
                Files.readAllLines(out.resolve(RunFiles.STEPS_CSV)));
    }
}
