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
}
