package org.lca4j.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lca4j.Lca;
import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.ParamLayout;
import org.lca4j.core.StepLca;

/**
 * Every quality metric of the specification ("How an estimator is judged") on a case small enough
 * to check by hand: 2 layers, 5 parameters, 4 steps, with an exact A of zero (left out of sign
 * agreement), an estimate of zero where exact is not (a disagreement), and a sign flip. The expected
 * values are computed here with plain two-pass formulas, independently of {@link Study}.
 */
class StudyMetricsTest {
    private static final ParamLayout LAYOUT = ParamLayout.builder().add("w", 3).add("b", 2).build();
    private static final int T = 4, D = 5;

    // Δθ per step (θ_t = 0 for simplicity of reading; only Δ matters) and the two ḡ, all exact in float.
    private static final float[][] DELTA = {
            {1, -1, 0.5f, 2, -0.5f},
            {0.5f, 0, -1, 1, 1},
            {-1, 2, 1, -0.5f, 0.25f},
            {2, 1, -2, 0.5f, -1}};
    private static final float[][] EXACT_G = {
            {-1, 0.5f, 2, -0.25f, 1},
            {2, 3, 0.5f, -1, 0.5f},
            {0.5f, -0.5f, 0, 1, -2},
            {-0.25f, -1, 0.5f, 2, 1}};
    private static final float[][] EST_G = {
            {-0.5f, -0.5f, 1, -0.5f, 0},
            {1.5f, 1, 1, -2, 0.25f},
            {1, -1, 0.5f, 0.5f, -1},
            {0.25f, -2, 0.25f, 1, 2}};

    @Test
    void metricsMatchTheirDefinitionsOnAHandCheckableRun() {
        Study study = new Study(LAYOUT, List.of("e"), T, new int[] {0, 4});
        LcaAccumulator ex = Lca.cpu(LAYOUT), es = Lca.cpu(LAYOUT);
        double[][] a = new double[T][D], b = new double[T][D];
        for (int t = 0; t < T; t++) {
            float[] before = new float[D], after = DELTA[t].clone();
            StepLca sx = ex.step(EXACT_G[t], before, after), se = es.step(EST_G[t], before, after);
            study.record(t, before, after, EXACT_G[t], sx, Map.of("e", EST_G[t]), Map.of("e", se));
            for (int i = 0; i < D; i++) {
                a[t][i] = (double) EXACT_G[t][i] * DELTA[t][i];
                b[t][i] = (double) EST_G[t][i] * DELTA[t][i];
            }
        }
        Metrics m = study.finish(Map.of(Study.EXACT, ex, "e", es), Map.of("e", 0)).get(0).all();

        int[][] layers = {{0, 1, 2}, {3, 4}};
        double rSum = 0, rmseSum = 0, cumSum = 0, cumMax = 0;
        for (int l = 0; l < 2; l++) {
            double[] x = new double[T], y = new double[T];
            for (int t = 0; t < T; t++) for (int i : layers[l]) { x[t] += a[t][i]; y[t] += b[t][i]; }
            double r = pearson(x, y);
            double se = 0, sx = 0, cx = 0, cy = 0;
            for (int t = 0; t < T; t++) { se += (y[t] - x[t]) * (y[t] - x[t]); sx += x[t] * x[t]; cx += x[t]; cy += y[t]; }
            double rmseRel = Math.sqrt(se / T) / Math.sqrt(sx / T);
            double cum = Math.abs(cy - cx) / Math.abs(cx);
            String name = LAYOUT.layer(l).name();
            assertEquals(r, m.perLayer().get(name).pearsonR(), 1e-12, name + " pearson across steps");
            assertEquals(rmseRel, m.perLayer().get(name).rmseRel(), 1e-12, name + " RMSE / RMS(exact)");
            assertEquals(cum, m.perLayer().get(name).cumulativeRelError(), 1e-12, name + " cumulative relative error");
            rSum += r;
            rmseSum += rmseRel;
            cumSum += cum;
            cumMax = Math.max(cumMax, cum);
        }
        assertEquals(rSum / 2, m.layerPearsonR(), 1e-12);
        assertEquals(rmseSum / 2, m.layerRmseRel(), 1e-12);
        assertEquals(cumSum / 2, m.cumulativeRelError(), 1e-12);
        assertEquals(cumMax, m.cumulativeRelErrorMax(), 1e-12);

        // Per parameter, per step: all (t, i) pairs; sign agreement over exact A ≠ 0.
        double[] fa = new double[T * D], fb = new double[T * D];
        for (int t = 0; t < T; t++) for (int i = 0; i < D; i++) { fa[t * D + i] = a[t][i]; fb[t * D + i] = b[t][i]; }
        assertEquals(pearson(fa, fb), m.paramStepPearsonR(), 1e-12);
        assertEquals(signAgreement(fa, fb), m.paramStepSignAgreement(), 1e-15);
        // Hand count: exact A = 0 at (t, i) = (1, 1) and (2, 2), so 18 pairs count; they disagree at (0, 1)
        // (−0.5 vs +0.5), (0, 4) (the estimate is 0 where exact is −0.5) and (3, 0) (−0.5 vs +0.5).
        assertEquals(15.0 / 18, m.paramStepSignAgreement(), 1e-15, "15 of the 18 pairs with exact A ≠ 0 agree");

        // Per parameter, cumulative over steps.
        double[] ca = new double[D], cb = new double[D];
        for (int t = 0; t < T; t++) for (int i = 0; i < D; i++) { ca[i] += a[t][i]; cb[i] += b[t][i]; }
        assertEquals(pearson(ca, cb), m.paramCumulativePearsonR(), 1e-12);
        assertEquals(signAgreement(ca, cb), m.paramCumulativeSignAgreement(), 1e-15);

        // Helped fraction: share of all D parameters with A < 0 per step; mean |difference| over steps.
        double mad = 0;
        for (int t = 0; t < T; t++) {
            int hx = 0, hy = 0;
            for (int i = 0; i < D; i++) { if (a[t][i] < 0) hx++; if (b[t][i] < 0) hy++; }
            mad += Math.abs(hy / (double) D - hx / (double) D);
        }
        assertEquals(mad / T, m.helpedFractionMad(), 1e-15);
    }

    @Test
    void undefinedMetricsAreNullNotNumbers() {
        // One step only: no Pearson across steps; an exact series of zeros: no relative errors.
        Study study = new Study(LAYOUT, List.of("e"), 1, new int[] {0});
        LcaAccumulator ex = Lca.cpu(LAYOUT), es = Lca.cpu(LAYOUT);
        float[] zero = new float[D], after = DELTA[0].clone();
        StepLca sx = ex.step(zero, zero, after), se = es.step(EST_G[0], zero, after);
        study.record(0, zero, after, zero, sx, Map.of("e", EST_G[0]), Map.of("e", se));
        Metrics m = study.finish(Map.of(Study.EXACT, ex, "e", es), Map.of("e", 0)).get(0).all();
        assertNull(m.layerPearsonR());
        assertNull(m.layerRmseRel());
        assertNull(m.cumulativeRelError());
        assertNull(m.paramStepPearsonR());
        assertNull(m.paramStepSignAgreement(), "no pair with exact A ≠ 0");
    }

    @Test
    void memoryDoesNotGrowWithThePlannedStepsOrLayers() {
        // A run planned for 2^31 − 2 steps of a 400-layer model, 9 estimators: per-step per-layer series
        // would be 9 × 400 × 2^31 doubles, allocated at the start. Running sums hold O(estimators × layers)
        // and the per-step times grow with the steps recorded, so this fits in any heap.
        ParamLayout.Builder b = ParamLayout.builder();
        for (int l = 0; l < 400; l++) b.add("l" + l, 1);
        ParamLayout layout = b.build();
        List<String> names = List.of("e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9");
        Study study = new Study(layout, names, Integer.MAX_VALUE - 1, new int[] {0});
        LcaAccumulator ex = Lca.cpu(layout);
        Map<String, LcaAccumulator> accs = new java.util.LinkedHashMap<>(Map.of(Study.EXACT, ex));
        names.forEach(n -> accs.put(n, Lca.cpu(layout)));
        float[] before = new float[400], after = new float[400], g = new float[400];
        for (int t = 0; t < 3; t++) {
            for (int i = 0; i < 400; i++) {
                after[i] = before[i] + 0.5f;
                g[i] = (i + t) % 3 - 1;
            }
            Map<String, float[]> gbars = new java.util.LinkedHashMap<>();
            Map<String, StepLca> lca = new java.util.LinkedHashMap<>();
            for (String n : names) {
                study.addCost(n, 1_000_000L, 0);
                gbars.put(n, g);
                lca.put(n, accs.get(n).step(g, before, after));
            }
            study.addTrainingTime(2_000_000L);
            study.record(t, before, after, g, ex.step(g, before, after), gbars, lca);
            before = after.clone();
        }
        List<EstimatorReport> rows = study.finish(accs, Map.of("e1", 0, "e2", 0, "e3", 0, "e4", 0, "e5", 0, "e6", 0, "e7", 0, "e8", 0, "e9", 0));
        assertEquals(9, rows.size());
        assertEquals(1.0, rows.get(0).all().layerPearsonR(), 1e-12, "the estimate is exact's");
        assertEquals(1.0, rows.get(0).timePerStepMs(), 1e-12);
        assertEquals(2.0, study.trainingMsPerStep(), 1e-12);
    }

    /** Two-pass Pearson r in double: the tests' reference, independent of {@link Correlation}. */
    static double pearson(double[] x, double[] y) {
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) { mx += x[i]; my += y[i]; }
        mx /= x.length;
        my /= y.length;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    private static double signAgreement(double[] exact, double[] est) {
        int n = 0, agree = 0;
        for (int i = 0; i < exact.length; i++) {
            if (exact[i] == 0) continue;
            n++;
            if ((exact[i] < 0 && est[i] < 0) || (exact[i] > 0 && est[i] > 0)) agree++;
        }
        return agree / (double) n;
    }
}
