package org.lca4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lca4j.core.StepLca;
import org.lca4j.estimate.Estimator;
import org.lca4j.run.Json;
import org.lca4j.run.RunFiles;
import org.lca4j.study.EstimatorReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Estimators inside a training run: bias, independence from training, the study table. */
class EstimatorRunTest {
    @TempDir
    Path tmp;

    @Test
    void sameBatchAlwaysHelpsUnderPlainSgdWhileExactDoesNot() throws Exception {
        List<StepEvent> events = new ArrayList<>();
        TrainerTest.runInto(TrainerTest.small().optimizer("sgd").momentum(0).lr(0.1).steps(20)
                .estimators(List.of("exact", "same_batch")).out(tmp.resolve("sb")).build(), events);
        double exactMin = 1;
        for (StepEvent e : events) {
            StepLca sb = e.lca().get("same_batch");
            for (int l = 0; l < sb.lca().length; l++) {
                assertEquals(1.0, sb.helpedFractionOfNonzero(l), "same_batch at step " + e.step() + " layer " + l);
                assertEquals(0, sb.hurtCount(l));
            }
            StepLca ex = e.lca().get("exact");
            long h = 0, nz = 0;
            for (int l = 0; l < ex.lca().length; l++) {
                h += ex.helpedCount(l);
                nz += ex.helpedCount(l) + ex.hurtCount(l);
            }
            exactMin = Math.min(exactMin, h / (double) nz);
        }
        assertTrue(exactMin < 0.99, "exact LCA must show hurting parameters, min helped share " + exactMin);
    }

    @Test
    void estimatorsDoNotChangeTheTrainingTrajectory() throws Exception {
        TrainerTest.runInto(TrainerTest.small().saveTrajectory(true).estimators(List.of("exact")).out(tmp.resolve("off")).build(), null);
        List<String> allButDebiased = new ArrayList<>(List.of("exact"));
        for (Estimator e : Estimator.values()) if (e != Estimator.DEBIASED_TRAP) allButDebiased.add(e.id());
        TrainerTest.runInto(TrainerTest.small().saveTrajectory(true).estimators(allButDebiased).estimatorBatches(2).out(tmp.resolve("on")).build(), null);
        TrainerTest.runInto(TrainerTest.small().saveTrajectory(true).estimators(List.of("same_batch")).out(tmp.resolve("cheap")).build(), null);
        byte[] off = Files.readAllBytes(tmp.resolve("off/trajectory/theta.npy"));
        assertArrayEquals(off, Files.readAllBytes(tmp.resolve("on/trajectory/theta.npy")));
        assertArrayEquals(off, Files.readAllBytes(tmp.resolve("cheap/trajectory/theta.npy")));
        List<String> exactOff = Files.readAllLines(tmp.resolve("off/layers.csv")).stream().filter(l -> l.contains(",exact,")).toList();
        List<String> exactOn = Files.readAllLines(tmp.resolve("on/layers.csv")).stream().filter(l -> l.contains(",exact,")).toList();
        assertEquals(exactOff, exactOn);
    }

    @Test
    void debiasedTrapSplitsTrainingsGradientWithoutChangingItBeyondRounding() throws Exception {
        // With debiased_trap training's gradient is the sum of two half-batch sums: the same value in
        // a different float order, so the trajectory may differ from the unsplit one in rounding only.
        List<StepEvent> plain = new ArrayList<>(), split = new ArrayList<>();
        TrainerTest.runInto(TrainerTest.small().estimators(List.of("free_trap")).out(tmp.resolve("plain")).build(), plain);
        TrainerTest.runInto(TrainerTest.small().estimators(List.of("debiased_trap")).out(tmp.resolve("split")).build(), split);
        assertEquals(plain.size(), split.size());
        for (int t = 0; t < plain.size(); t++) {
            assertEquals(plain.get(t).batchLoss(), split.get(t).batchLoss(), 1e-5 * Math.abs(plain.get(t).batchLoss()), "batch loss at step " + t);
        }
    }

    @Test
    void studyTableCoversEveryEstimatorWithMeasuredCosts() throws Exception {
        Path out = tmp.resolve("all");
        RunSummary s = TrainerTest.runInto(TrainerTest.small().steps(30).estimators(List.of("all")).out(out).build(), null);
        assertEquals(Estimator.values().length, s.estimators().size());
        for (EstimatorReport r : s.estimators()) {
            assertNotNull(r.all().layerPearsonR(), r.name());
            assertTrue(r.relativeTime() >= 1.0, r.name() + " relative time " + r.relativeTime());
            assertNotNull(r.early());
            assertNotNull(r.late());
        }
        EstimatorReport first = s.estimators().stream().filter(r -> r.name().equals("first_order")).findFirst().orElseThrow();
        assertEquals(-1, first.declaredExtraEvals());
        EstimatorReport simpson = s.estimators().stream().filter(r -> r.name().equals("next_batch_simpson")).findFirst().orElseThrow();
        assertEquals(2.0 + 1.0 / 30, simpson.extraEvalsPerStep(), 1e-12, "two extra batch gradients every step, plus the end point of the last step");
        EstimatorReport end = s.estimators().stream().filter(r -> r.name().equals("next_batch_end")).findFirst().orElseThrow();
        assertEquals(1.0 / 30, end.extraEvalsPerStep(), 1e-12, "free except on the last step, which has no training gradient at θ_T");
        assertTrue(s.bestByCost().keySet().containsAll(List.of(0, 1, 2)));

        JsonNode run = Json.read(out.resolve(RunFiles.RUN_JSON));
        JsonNode est = run.path("summary").path("estimators");
        assertEquals(Estimator.values().length, est.size());
        assertTrue(est.path("next_batch").has("param_step_sign_agreement"));
        assertTrue(est.path("free_trap").path("phases").has("early"));
        assertEquals("full set", est.path("first_order").path("extra_evals_per_step").asText());
        assertTrue(Files.size(out.resolve("samples/exact.npy")) > 0);
        assertTrue(Files.size(out.resolve("samples/free_trap.npy")) > 0);
    }

    @Test
    void debiasedTrapCostsNoEvaluationBeyondFreeTrap() throws Exception {
        TrainConfig.Builder b = TrainerTest.small().steps(25);
        RunSummary free = TrainerTest.runInto(b.estimators(List.of("exact", "free_trap")).out(tmp.resolve("free")).build(), null);
        RunSummary debiased = TrainerTest.runInto(b.estimators(List.of("exact", "debiased_trap")).out(tmp.resolve("debiased")).build(), null);
        RunSummary none = TrainerTest.runInto(b.estimators(List.of("exact")).out(tmp.resolve("none")).build(), null);
        // Training alone evaluates one batch per step; both free estimators add only the end point of the last step.
        assertEquals(25, none.batchEvaluations());
        assertEquals(free.batchEvaluations(), debiased.batchEvaluations());
        assertEquals(26, debiased.batchEvaluations());
        EstimatorReport d = debiased.estimators().get(0);
        assertEquals("debiased_trap", d.name());
        assertEquals(0, d.declaredExtraEvals());
        assertEquals(1.0 / 25, d.extraEvalsPerStep(), 1e-12);
    }

    @Test
    void debiasedTrapIsFreeTrapUnderFullBatchTraining() throws Exception {
        // One batch = the whole training split: no sampling noise, so 1 − B/N = 0 turns the correction
        // off and the two estimators agree at every step, bit for bit, though the halves still differ.
        List<StepEvent> events = new ArrayList<>();
        TrainerTest.runInto(TrainerTest.small().validationSize(200).batch(1000).steps(12)
                .estimators(List.of("free_trap", "debiased_trap")).out(tmp.resolve("full")).build(), events);
        assertEquals(12, events.size());
        for (StepEvent e : events) {
            assertArrayEquals(e.lca().get("free_trap").lca(), e.lca().get("debiased_trap").lca(), "step " + e.step());
        }
    }

    @Test
    void debiasedTrapNeedsTwoRowsToSplit() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> TrainerTest.runInto(
                TrainerTest.small().batch(1).estimators(List.of("debiased_trap")).out(tmp.resolve("b1")).build(), null));
        assertTrue(e.getMessage().contains("--batch 1") && e.getMessage().contains("debiased_trap"), e.getMessage());
    }
}
