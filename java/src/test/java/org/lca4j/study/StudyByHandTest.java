package org.lca4j.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lca4j.Lca;
import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.ParamLayout;
import org.lca4j.core.StepLca;

/**
 * Every metric of docs/LCA.md, "How an estimator is judged", on four steps small enough to work out
 * by hand: per-layer Pearson r, RMSE / RMS(exact), cumulative relative error (mean and max), helped
 * fraction MAD, per-parameter Pearson and sign agreement, the early/late split and the best-by-cost pick.
 */
class StudyByHandTest {
    // Layer "w" holds parameters 0 and 1, layer "b" parameter 2.
    private static final ParamLayout LAYOUT = ParamLayout.builder().add("w", 2).add("b", 1).build();
    private static final int STEPS = 4; // early phase: ceil(10% of 4) = step 0 only

    // Per-layer LCA series (steps 0..3): w exact 1,2,3,4 vs estimate 2,4,5,9; b exact 1,-1,2,-1 vs half of it.
    private static final double[][] EXACT_LAYER = {{1, 1}, {2, -1}, {3, 2}, {4, -1}};
    private static final double[][] EST_LAYER = {{2, 0.5}, {4, -0.5}, {5, 1}, {9, -0.5}};
    // Helped counts per layer; fractions over all 3 parameters: exact 1, 0, 1/3, 2/3; estimate 1, 1, 1/3, 0.
    private static final long[][] EXACT_HELPED = {{2, 1}, {0, 0}, {1, 0}, {1, 1}};
    private static final long[][] EST_HELPED = {{2, 1}, {2, 1}, {1, 0}, {0, 0}};
    // Per-parameter ḡ with Δθ = 1, so A = ḡ.
    private static final float[][] EXACT_G = {{1, 2, 3}, {1, -1, 2}, {2, 2, -1}, {0, 1, 1}};
    private static final float[][] EST_G = {{1, 3, 2}, {-1, 0, 0}, {2, 1, -1}, {5, 1, -1}};

    private static StepLca lca(double[] v, long[] helped) {
        return new StepLca(0, LAYOUT, v, helped, new long[2]);
    }

    @Test
    void metricsMatchHandComputedValues() {
        Study study = new Study(LAYOUT, List.of("e"), STEPS, new int[] {1});
        float[] before = new float[3], after = {1, 1, 1};
        try (LcaAccumulator exactAcc = Lca.cpu(LAYOUT); LcaAccumulator estAcc = Lca.cpu(LAYOUT)) {
            for (int t = 0; t < STEPS; t++) {
                exactAcc.step(EXACT_G[t], before, after);
                estAcc.step(EST_G[t], before, after);
                Map<String, double[]> samples = study.record(t, before, after, EXACT_G[t], lca(EXACT_LAYER[t], EXACT_HELPED[t]),
                        Map.of("e", EST_G[t]), Map.of("e", lca(EST_LAYER[t], EST_HELPED[t])));
                assertEquals(EXACT_G[t][1], samples.get(Study.EXACT)[0], 0, "sampled A of parameter 1, exact");
                assertEquals(EST_G[t][1], samples.get("e")[0], 0, "sampled A of parameter 1, estimate");
            }
            Map<String, LcaAccumulator> accs = new LinkedHashMap<>();
            accs.put(Study.EXACT, exactAcc);
            accs.put("e", estAcc);
            EstimatorReport r = study.finish(accs, Map.of("e", 1)).getFirst();
            Metrics all = r.all();

            // w: dx = -1.5,-.5,.5,1.5; dy = -3,-1,0,4 → Σdxdy 11, Σdx² 5, Σdy² 26. b: estimate = exact/2 → r = 1.
            double rW = 11 / Math.sqrt(5 * 26);
            assertEquals(rW, all.perLayer().get("w").pearsonR(), 1e-12);
            assertEquals(1.0, all.perLayer().get("b").pearsonR(), 1e-12);
            assertEquals((rW + 1) / 2, all.layerPearsonR(), 1e-12);
            // w: Σ(e−x)² = 1+4+4+25 = 34 over Σx² = 30; b: 0.25·7 over 7.
            assertEquals(Math.sqrt(34 / 30.0), all.perLayer().get("w").rmseRel(), 1e-12);
            assertEquals(0.5, all.perLayer().get("b").rmseRel(), 1e-12);
            assertEquals((Math.sqrt(34 / 30.0) + 0.5) / 2, all.layerRmseRel(), 1e-12);
            // w: |20 − 10| / 10; b: |0.5 − 1| / 1.
            assertEquals(1.0, all.perLayer().get("w").cumulativeRelError(), 1e-12);
            assertEquals(0.5, all.perLayer().get("b").cumulativeRelError(), 1e-12);
            assertEquals(0.75, all.cumulativeRelError(), 1e-12);
            assertEquals(1.0, all.cumulativeRelErrorMax(), 1e-12);
            // |helped(est) − helped(exact)| = 0, 1, 0, 2/3 → mean 5/12.
            assertEquals(5 / 12.0, all.helpedFractionMad(), 1e-12);

            // Per parameter and step (12 pairs). Sign agreement over pairs with exact ≠ 0 (11): steps agree
            // 3, 0 (an estimate of 0 agrees with nothing), 3 and 1 times.
            assertEquals(pearson(flatten(EXACT_G, 0, 4), flatten(EST_G, 0, 4)), all.paramStepPearsonR(), 1e-12);
            assertEquals(7 / 11.0, all.paramStepSignAgreement(), 1e-12);
            // Cumulative per parameter: exact 4, 4, 5; estimate 7, 5, 0 → r = −4 / √(2/3 · 26); signs agree 2 of 3.
            assertEquals(-4 / Math.sqrt(2.0 / 3 * 26), all.paramCumulativePearsonR(), 1e-12);
            assertEquals(2 / 3.0, all.paramCumulativeSignAgreement(), 1e-12);

            // Early phase: step 0 alone. One step has no Pearson r; its 3 parameters give r = 0.5, all signs agree.
            Metrics early = r.early();
            assertNull(early.layerPearsonR());
            assertEquals((1.0 + 0.5) / 2, early.layerRmseRel(), 1e-12);
            assertEquals(0.0, early.helpedFractionMad(), 1e-12);
            assertEquals(0.5, early.paramStepPearsonR(), 1e-12);
            assertEquals(1.0, early.paramStepSignAgreement(), 1e-12);
            assertNull(early.paramCumulativePearsonR(), "cumulative comparisons are for the whole run only");

            // Late phase: steps 1..3.
            Metrics late = r.late();
            assertEquals((pearson(new double[] {2, 3, 4}, new double[] {4, 5, 9}) + 1) / 2, late.layerPearsonR(), 1e-12);
            assertEquals(5 / 9.0, late.helpedFractionMad(), 1e-12);
            assertEquals(pearson(flatten(EXACT_G, 1, 4), flatten(EST_G, 1, 4)), late.paramStepPearsonR(), 1e-12);
            assertEquals(4 / 8.0, late.paramStepSignAgreement(), 1e-12);
        }
    }

    @Test
    void aRunThatStopsInItsEarlyPhaseHasNoLatePhase() {
        // Step 0 of 4 recorded, then the run stopped: the late phase holds no step, so it has no metrics at all.
        Study study = new Study(LAYOUT, List.of("e"), STEPS, new int[0]);
        float[] before = new float[3], after = {1, 1, 1};
        try (LcaAccumulator a = Lca.cpu(LAYOUT); LcaAccumulator b = Lca.cpu(LAYOUT)) {
            study.record(0, before, after, EXACT_G[0], a.step(EXACT_G[0], before, after), Map.of("e", EST_G[0]),
                    Map.of("e", b.step(EST_G[0], before, after)));
            EstimatorReport r = study.finish(Map.of(Study.EXACT, a, "e", b), Map.of("e", 1)).getFirst();
            assertNull(r.late());
            // Δθ = 1: w's exact A is 1 + 2 = 3 against 1 + 3 = 4, b's 3 against 2; each |e − x| / |x| = 1/3.
            assertEquals(1 / 3.0, r.early().layerRmseRel(), 1e-12, "step 0, as in the whole run");
            assertEquals(1 / 3.0, r.all().layerRmseRel(), 1e-12);
        }
    }

    @Test
    void costsAreMediansAlsoOverAnEvenNumberOfSteps() {
        Study study = new Study(LAYOUT, List.of("e"), STEPS, new int[0]);
        long[] trainMs = {1, 2, 3, 10}, estMs = {4, 1, 3, 2};
        float[] before = new float[3], after = {1, 1, 1};
        try (LcaAccumulator a = Lca.cpu(LAYOUT); LcaAccumulator b = Lca.cpu(LAYOUT)) {
            for (int t = 0; t < STEPS; t++) {
                study.addTrainingTime(trainMs[t] * 1_000_000L);
                study.addCost("e", estMs[t] * 1_000_000L, 1);
                study.record(t, before, after, EXACT_G[t], a.step(EXACT_G[t], before, after), Map.of("e", EST_G[t]),
                        Map.of("e", b.step(EST_G[t], before, after)));
            }
            assertEquals(2.5, study.trainingMsPerStep(), 1e-12, "median of 1, 2, 3, 10 ms");
            EstimatorReport r = study.finish(Map.of(Study.EXACT, a, "e", b), Map.of("e", 1)).getFirst();
            assertEquals(2.5, r.timePerStepMs(), 1e-12, "median of 4, 1, 3, 2 ms");
            assertEquals(2.0, r.relativeTime(), 1e-12);
        }
    }

    @Test
    void bestByCostPrefersHigherPearsonThenLowerCumulativeError() {
        List<EstimatorReport> rows = List.of(
                row("low_r", 0, 0.8, 0.01), row("high_r", 0, 0.9, 0.5),
                row("tie_worse", 1, 0.7, 0.3), row("tie_better", 1, 0.7, 0.1),
                row("whole_set", -1, 0.99, 0.0), row("undefined", 2, null, 0.0));
        assertEquals(Map.of(0, "high_r", 1, "tie_better"), Study.bestByCost(rows));
        assertEquals(Map.of(0, "high_r", 1, "tie_better"), Study.bestByCost(List.of(rows.get(1), rows.get(0), rows.get(3), rows.get(2))));
    }

    private static EstimatorReport row(String name, int cost, Double r, Double cum) {
        Metrics m = new Metrics(r, null, cum, cum, null, null, null, null, null, Map.of());
        return new EstimatorReport(name, cost, cost, 0, 1, m, m, null);
    }

    private static double[] flatten(float[][] v, int from, int to) {
        double[] out = new double[(to - from) * v[0].length];
        int k = 0;
        for (int t = from; t < to; t++) for (float x : v[t]) out[k++] = x;
        return out;
    }

    private static double pearson(double[] x, double[] y) {
        return StudyMetricsTest.pearson(x, y);
    }
}
