package org.lca4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.lca4j.data.DataSources;
import org.lca4j.data.LabeledSet;
import org.lca4j.data.SyntheticData;
import org.lca4j.nn.BatchGradient;
import org.lca4j.nn.Mlp;
import org.lca4j.run.Json;
import org.lca4j.run.RunFiles;
import org.lca4j.run.RunRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    Path tmp;

    static TrainConfig.Builder small() {
        return TrainConfig.builder().model("20,16,8,4").data("synthetic").syntheticSize(1200).batch(50).steps(40).seed(3);
    }

    static RunSummary runInto(TrainConfig cfg, List<StepEvent> events) throws Exception {
        RunListener collect = new RunListener() {
            @Override
            public void stepDone(StepEvent e) {
                if (events != null) events.add(e);
            }
        };
        return Trainer.run(cfg, RunListener.all(List.of(new RunRecorder(cfg.out(), Map.of()), collect)));
    }

    @Test
    void runJsonNamesTheReferenceSetOnlyWhereSomethingReadIt() throws Exception {
        String[][] cases = {{"free_trap", "false"}, {"first_order", "false"}, {"free_trap", "true"}, {"exact", "false"}};
        for (String[] c : cases) {
            Path out = tmp.resolve(c[0] + "-" + c[1]);
            runInto(small().steps(3).referenceSize(100).estimators(List.of(c[0])).saveTrajectory(Boolean.parseBoolean(c[1])).out(out).build(), null);
            JsonNode run = Json.read(out.resolve(RunFiles.RUN_JSON));
            boolean read = !c[0].equals("free_trap") || c[1].equals("true");
            String what = String.join(" ", c);
            assertEquals(read ? 100 : 0, run.path("data").path("reference_rows").asInt(), what);
            assertEquals(read ? 100 : 0, run.path("config").path("reference_size").asInt(), what);
            assertEquals(read, run.path("data").path("reference").asText().startsWith("seeded random subset of 100"), what);
        }
    }

    @Test
    void exactLcaConservesTheLossChange() throws Exception {
        List<StepEvent> events = new ArrayList<>();
        RunSummary s = runInto(small().out(tmp.resolve("run")).build(), events);
        RunSummary.Conservation c = s.conservation();
        assertTrue(c.relError() <= 1e-3, "rel error " + c.relError());
        // Σ_t e_t = ΔL − ΣA exactly up to summation rounding, so the gap is bounded by Σ|e_t|.
        assertTrue(Math.abs(c.totalLca() - c.totalLossChange()) <= c.sumAbsError() + 1e-9,
                "gap " + Math.abs(c.totalLca() - c.totalLossChange()) + " > Σ|e_t| " + c.sumAbsError());
        assertTrue(c.totalLossChange() < -0.1, "training should lower the loss: " + c.totalLossChange());
        double sumSteps = events.stream().mapToDouble(e -> e.exact().lca().total()).sum();
        assertEquals(c.totalLca(), sumSteps, 1e-12);
        for (StepEvent e : events) assertTrue(Math.abs(e.exact().error()) <= 1e-3, "step " + e.step() + " e_t=" + e.exact().error());

        JsonNode run = Json.read(tmp.resolve("run").resolve(RunFiles.RUN_JSON));
        assertEquals("complete", run.get("status").asText());
        JsonNode cons = run.path("summary").path("conservation");
        for (String k : List.of("total_lca", "total_loss_change", "rel_error", "max_step_abs_error")) assertTrue(cons.has(k), "run.json lacks " + k);
        assertEquals(c.relError(), cons.get("rel_error").asDouble());
        assertTrue(run.path("summary").path("mean_helped_fraction").has("exact"));
        JsonNode acc = run.path("summary").path("accuracy").path("reference");
        assertEquals(s.accuracy().get("reference").rows(), acc.path("rows").asInt());
        assertEquals(s.accuracy().get("reference").start(), acc.path("start").asDouble());
        assertEquals(s.accuracy().get("reference").end(), acc.path("end").asDouble());
    }

    @Test
    void tighterToleranceUsesMoreSplitsAndShrinksTheError() throws Exception {
        RunSummary loose = runInto(small().steps(10).lr(0.2).momentum(0).out(tmp.resolve("a")).build(), null);
        RunSummary tight = runInto(small().steps(10).lr(0.2).momentum(0).tol(1e-9).out(tmp.resolve("b")).build(), null);
        assertTrue(tight.conservation().meanSplits() > loose.conservation().meanSplits(),
                tight.conservation().meanSplits() + " vs " + loose.conservation().meanSplits());
        assertTrue(tight.conservation().sumAbsError() < loose.conservation().sumAbsError());
    }

    @Test
    void sameSeedGivesBitIdenticalRecordsAndAnotherSeedDoesNot() throws Exception {
        runInto(small().out(tmp.resolve("one")).build(), null);
        runInto(small().out(tmp.resolve("two")).build(), null);
        runInto(small().seed(4).out(tmp.resolve("three")).build(), null);
        byte[] one = Files.readAllBytes(tmp.resolve("one").resolve(RunFiles.LAYERS_CSV));
        assertArrayEquals(one, Files.readAllBytes(tmp.resolve("two").resolve(RunFiles.LAYERS_CSV)));
        assertFalse(java.util.Arrays.equals(one, Files.readAllBytes(tmp.resolve("three").resolve(RunFiles.LAYERS_CSV))));
        assertEquals(withoutTiming(tmp.resolve("one")), withoutTiming(tmp.resolve("two")));
        assertArrayEquals(Files.readAllBytes(RunFiles.cumulative(tmp.resolve("one"), "exact", "fc1.weight")),
                Files.readAllBytes(RunFiles.cumulative(tmp.resolve("two"), "exact", "fc1.weight")));
    }

    private static List<String> withoutTiming(Path run) throws Exception {
        return Files.readAllLines(run.resolve(RunFiles.STEPS_CSV)).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    @Test
    void divergenceStopsWithAClearErrorAndKeepsEarlierRecords() throws Exception {
        for (String estimators : List.of("exact", "all")) {
            // With the free estimators on, a NaN gradient used to surface as a "non-finite input" to
            // an accumulator, which reads like bad data rather than a too-large learning rate.
            Path out = tmp.resolve("diverged-" + estimators);
            var e = assertThrows(TrainingDivergedException.class,
                    () -> runInto(small().lr(1e6).momentum(0).estimators(List.of(estimators)).out(out).build(), null));
            assertTrue(e.getMessage().matches("training diverged at step \\d+: .*\\(try a smaller --lr\\)"), e.getMessage());
            assertKeptUpToTheFailure(out, estimators.equals("all") ? 9 : 1);
        }
    }

    private static void assertKeptUpToTheFailure(Path out, int estimators) throws Exception {
        JsonNode run = Json.read(out.resolve(RunFiles.RUN_JSON));
        assertEquals("failed", run.get("status").asText());
        long recorded = run.get("steps_recorded").asLong();
        List<String> rows = Files.readAllLines(out.resolve(RunFiles.STEPS_CSV));
        assertEquals(recorded + 1, rows.size(), "header plus one row per recorded step");
        assertEquals(recorded * 6 * estimators + 1, Files.readAllLines(out.resolve(RunFiles.LAYERS_CSV)).size());
    }

    @Test
    void validationLcaIsRecordedBesideTrainingLca() throws Exception {
        Path out = tmp.resolve("val");
        RunSummary s = runInto(small().steps(15).validationLca(true).tol(1e-4).out(out).build(), null);
        assertTrue(s.validationConservation().relError() <= 1e-3, s.validationConservation().toString());
        assertTrue(Files.readAllLines(out.resolve(RunFiles.LAYERS_CSV)).stream().anyMatch(l -> l.contains(",exact_val,")));
        assertTrue(Files.exists(RunFiles.cumulative(out, "exact_val", "fc3.bias")));
    }

    @Test
    void rejectsUnknownEstimatorsAndOversizedBatches() {
        var e = assertThrows(IllegalArgumentException.class, () -> runInto(small().estimators(List.of("magic")).out(tmp.resolve("x")).build(), null));
        assertTrue(e.getMessage().contains("magic"));
        var e2 = assertThrows(IllegalArgumentException.class, () -> runInto(small().batch(5000).out(tmp.resolve("y")).build(), null));
        assertTrue(e2.getMessage().contains("--batch"));
    }

    @Test
    void eachStepIsOneSgdStepOnItsOwnBatchAndTheSummaryAndReplayAgreeWithTheSteps() {
        Mlp mlp = new Mlp(20, 16, 8, 4);
        LabeledSet data = SyntheticData.teacher(new Random(5), 600, 20, 4);
        TrainConfig cfg = small().steps(12).momentum(0).lr(0.1).build();
        int dim = mlp.parameterCount();
        List<float[]> thetas = new ArrayList<>();
        List<Double> losses = new ArrayList<>(), helped = new ArrayList<>(), replayHelped = new ArrayList<>();
        RunSummary s = Trainer.run(cfg, mlp, new DataSources.Splits(data, null, "test rows"), new RunListener() {
            @Override
            public void stepDone(StepEvent e) {
                if (e.step() == 0) thetas.add(e.thetaBefore().clone());
                assertArrayEquals(thetas.getLast(), e.thetaBefore(), "θ_t is the last step's θ_{t+1}");
                thetas.add(e.thetaAfter().clone());
                losses.add(e.batchLoss());
                helped.add(helpedShare(e.exact().lca(), dim));
            }
        });
        // Independently: step t is θ_{t+1} = θ_t − lr·g_{b_t}(θ_t) on batch b_t of the seeded order, and its batch loss is b_t's at θ_t.
        BatchOrder order = new BatchOrder(new Seeds(cfg.seed()), data.n(), cfg.batch());
        BatchGradient bg = new BatchGradient(mlp, data, cfg.batch());
        float lr = 0.1f;
        for (int t = 0; t < 12; t++) {
            float[] g = new float[dim];
            assertEquals(bg.gradient(thetas.get(t), order.batch(t), g), losses.get(t), 0, "batch loss at step " + t);
            float[] next = thetas.get(t).clone();
            for (int i = 0; i < dim; i++) next[i] -= lr * g[i];
            assertArrayEquals(next, thetas.get(t + 1), "θ after step " + t);
        }
        assertEquals(losses.getLast(), s.finalBatchLoss(), 0, "the final batch loss is the last step's");
        RunSummary.Accuracy acc = s.accuracy().get("reference");
        assertEquals(data.n(), acc.rows());
        assertEquals(accuracy(new int[] {20, 16, 8, 4}, thetas.getFirst(), data), acc.start(), 0, "accuracy at θ_0 on R");
        assertEquals(accuracy(new int[] {20, 16, 8, 4}, thetas.getLast(), data), acc.end(), 0, "accuracy at θ_12 on R");
        assertTrue(acc.end() > acc.start(), acc.toString());
        assertFalse(s.accuracy().containsKey("validation"), "no validation split here");
        double meanHelped = helped.stream().mapToDouble(Double::doubleValue).sum() / 12;
        assertEquals(meanHelped, s.meanHelpedFraction().get(Trainer.EXACT), 1e-15);

        // Replay over the same θ and R (the whole training split) gives the same exact LCA and the same helped mean.
        RunSummary replay = Replay.run(cfg, mlp, data, "test rows", thetas.size(), t -> thetas.get((int) t), new RunListener() {
            @Override
            public void stepDone(StepEvent e) {
                replayHelped.add(helpedShare(e.exact().lca(), dim));
            }
        });
        assertEquals(helped, replayHelped);
        assertEquals(meanHelped, replay.meanHelpedFraction().get(Trainer.EXACT), 1e-15);
        assertEquals(s.conservation().totalLca(), replay.conservation().totalLca(), 0);
        assertEquals(12, replay.steps());
    }

    /** Share of rows whose largest logit is their label's: a plain forward pass (ReLU, each layer's weight [out, in] then bias). */
    private static double accuracy(int[] widths, float[] theta, LabeledSet set) {
        int right = 0;
        for (int r = 0; r < set.n(); r++) {
            double[] a = new double[widths[0]];
            for (int i = 0; i < a.length; i++) a[i] = set.x()[r * widths[0] + i];
            int p = 0;
            for (int l = 1; l < widths.length; l++) {
                double[] z = new double[widths[l]];
                int bias = p + widths[l] * widths[l - 1];
                for (int o = 0; o < z.length; o++) {
                    double v = theta[bias + o];
                    for (int i = 0; i < a.length; i++) v += (double) theta[p + o * a.length + i] * a[i];
                    z[o] = l < widths.length - 1 ? Math.max(0, v) : v;
                }
                p = bias + widths[l];
                a = z;
            }
            int best = 0;
            for (int k = 1; k < a.length; k++) if (a[k] > a[best]) best = k;
            if (best == set.y()[r]) right++;
        }
        return right / (double) set.n();
    }

    /** Helped parameters of all layers over all parameters, from the counts. */
    private static double helpedShare(org.lca4j.core.StepLca s, int dim) {
        long h = 0;
        for (int l = 0; l < s.lca().length; l++) h += s.helpedCount(l);
        return h / (double) dim;
    }
}
