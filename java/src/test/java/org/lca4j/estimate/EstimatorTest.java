package org.lca4j.estimate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.lca4j.Lca;
import org.lca4j.core.StepLca;
import org.lca4j.data.LabeledSet;
import org.lca4j.data.SyntheticData;
import org.lca4j.exact.ExactLca;
import org.lca4j.nn.BatchGradient;
import org.lca4j.nn.Mlp;
import org.lca4j.nn.SetObjective;
import org.lca4j.nn.Sgd;
import org.junit.jupiter.api.Test;

class EstimatorTest {
    private final Mlp mlp = new Mlp(10, 12, 4);
    private final LabeledSet data = SyntheticData.teacher(new Random(11), 800, 10, 4);

    /** θ_t and θ_{t+1} from one SGD step on a batch, after a few steps of warm-up. */
    private float[][] step(float lr) {
        float[] theta = mlp.initHeNormal(new Random(12));
        BatchGradient bg = new BatchGradient(mlp, data, 40);
        Sgd sgd = new Sgd(lr, 0);
        float[] g = new float[theta.length];
        Random r = new Random(13);
        for (int t = 0; t < 5; t++) {
            bg.gradient(theta, batch(r, 40), g);
            sgd.step(theta, g);
        }
        float[] before = theta.clone();
        bg.gradient(theta, batch(r, 40), g);
        sgd.step(theta, g);
        return new float[][]{before, theta};
    }

    private int[] batch(Random r, int size) {
        int[] p = org.lca4j.data.DataSources.permutation(data.n(), r);
        return Arrays.copyOf(p, size);
    }

    private static float[] half(float[] g, float share) {
        float[] h = g.clone();
        for (int i = 0; i < h.length; i++) h[i] *= share;
        return h;
    }

    /** Points all taken on the full set: the estimator's rule with exact data. */
    private PointGradients fullSet(float[] before, float[] after) {
        SetObjective full = new SetObjective(mlp, data);
        return new PointGradients() {
            float[] at(float[] th) {
                float[] g = new float[th.length];
                full.lossAndGradient(th, g);
                return g;
            }

            @Override public float[] trainStart() { return at(before); }
            @Override public float[] nextStart() { return at(before); }
            @Override public float[] nextMid() {
                float[] m = new float[before.length];
                ExactLca.pointOnStep(before, after, 0.5, m);
                return at(m);
            }
            @Override public float[] nextEnd() { return at(after); }
            @Override public float[] fullStart() { return at(before); }
            @Override public double delta(int i) { return (double) after[i] - before[i]; }
            @Override public double sensitivity(int i) { return -0.5; }
            @Override public float[] trainHalfA() { return half(at(before), 0.5f); }
            @Override public float[] trainHalfB() { return half(at(before), 0.5f); }
            @Override public double batchFraction() { return 1; }
        };
    }

    @Test
    void nextBatchSimpsonOnTheFullSetEqualsExactLcaWithTwoSplits() {
        float[][] s = step(0.5f);
        float[] gbar = new float[s[0].length];
        Estimator.NEXT_BATCH_SIMPSON.estimate(fullSet(s[0], s[1]), gbar);
        StepLca est = Lca.cpu(mlp.layout()).step(gbar, s[0], s[1]);

        ExactLca exact = new ExactLca(new SetObjective(mlp, data), Lca.cpu(mlp.layout()), 1e-3, 2);
        exact.start(s[0]);
        ExactLca.Step ex = exact.step(s[0], s[1]);
        assertEquals(2, ex.splits());
        assertArrayEquals(exact.pathGradient(), gbar, "ḡ must match bit for bit");
        assertArrayEquals(ex.lca().lca(), est.lca());
    }

    @Test
    void gbarHandsOutAOnePointEstimatorsOwnPointAndFillsScratchOtherwise() {
        float[][] s = step(0.5f);
        float[] start = new float[s[0].length], end = new float[s[0].length], a = new float[s[0].length], b = new float[s[0].length];
        Random r = new Random(5);
        for (int i = 0; i < start.length; i++) {
            start[i] = (float) r.nextGaussian();
            end[i] = (float) r.nextGaussian();
            a[i] = (float) r.nextGaussian();
            b[i] = start[i] - a[i];
        }
        PointGradients p = sgdStep(s[0], s[1], start, end, new float[][] {a, b}, 0.5f, 0.1);
        // The four one-point estimators read the point in place: no copy, and no scratch needed.
        assertTrue(Estimator.SAME_BATCH.gbar(p, null) == start);
        assertTrue(Estimator.NEXT_BATCH_END.gbar(p, null) == end);
        for (Estimator e : Estimator.values()) {
            float[] viaEstimate = new float[start.length], scratch = new float[start.length];
            try {
                e.estimate(p, viaEstimate);
            } catch (UnsupportedOperationException notInThisStep) {
                continue; // points sgdStep does not provide
            }
            float[] g = e.gbar(p, scratch);
            assertEquals(e.points().size() > 1, g == scratch, e.id());
            assertArrayEquals(viaEstimate, g, e.id());
        }
    }

    @Test
    void debiasedTrapOnALargeModelMatchesItsFormulaBitForBit() {
        // Past the size where the pass is shared out over the cores, and not a multiple of its ranges.
        int n = (1 << 18) + (1 << 15) + 7;
        Random r = new Random(8);
        float[] g = new float[n], next = new float[n], a = new float[n], before = new float[n], after = new float[n], b = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = (float) r.nextGaussian();
            next[i] = (float) r.nextGaussian();
            a[i] = (float) r.nextGaussian();
            b[i] = g[i] - a[i];
            before[i] = (float) r.nextGaussian();
            after[i] = i % 97 == 0 ? before[i] : before[i] - 0.01f * g[i];
        }
        float lr = 0.01f;
        double fraction = 0.02;
        float[] out = new float[n];
        Estimator.DEBIASED_TRAP.estimate(sgdStep(before, after, g, next, new float[][] {a, b}, lr, fraction), out);
        for (int i = 0; i < n; i++) {
            double trap = 0.5 * ((double) g[i] + next[i]), d = (double) after[i] - before[i], spread = (double) a[i] - b[i];
            float expected = (float) (d == 0 ? trap : trap - 0.5 * (1 - fraction) * spread * spread * -lr / d);
            assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(out[i]), "parameter " + i);
        }
    }

    @Test
    void nextBatchIsUnbiasedForFirstOrder() {
        // At one fixed step, E_b[g_b(θ_t)] = g_R(θ_t) for batches drawn uniformly from R, so the mean
        // over many independent batches of next_batch's per-layer LCA converges to first_order's.
        float[][] s = step(0.5f);
        float[] before = s[0], after = s[1];
        float[] gR = new float[before.length];
        new SetObjective(mlp, data).lossAndGradient(before, gR);
        double[] firstOrder = Lca.cpu(mlp.layout()).step(gR, before, after).lca();

        int draws = 600;
        int layers = mlp.layout().layerCount();
        double[] sum = new double[layers], sumSq = new double[layers];
        BatchGradient bg = new BatchGradient(mlp, data, 20);
        float[] g = new float[before.length];
        Random r = new Random(99);
        for (int k = 0; k < draws; k++) {
            bg.gradient(before, batch(r, 20), g);
            double[] v = Lca.cpu(mlp.layout()).step(g, before, after).lca();
            for (int l = 0; l < layers; l++) {
                sum[l] += v[l];
                sumSq[l] += v[l] * v[l];
            }
        }
        for (int l = 0; l < layers; l++) {
            double mean = sum[l] / draws;
            double sd = Math.sqrt(Math.max(0, sumSq[l] / draws - mean * mean));
            double se = sd / Math.sqrt(draws);
            // Stated tolerance: 4 standard errors (a false alarm about once in 16,000 layers).
            assertTrue(Math.abs(mean - firstOrder[l]) <= 4 * se + 1e-12,
                    mlp.layout().layer(l).name() + ": mean " + mean + " vs first_order " + firstOrder[l] + " (se " + se + ")");
            assertTrue(sd > 0, "batches must actually differ");
        }
    }

    @Test
    void debiasedTrapIsFreeTrapWhenTheBatchIsTheWholeSet() {
        // Full-batch training has no sampling noise: 1 − B/N = 0 removes the correction whatever the
        // halves say, so the estimator falls back to free_trap's noise-free rule bit for bit.
        float[][] s = step(0.5f);
        PointGradients full = fullSet(s[0], s[1]);
        float[] trap = new float[s[0].length], debiased = new float[s[0].length];
        Estimator.FREE_TRAP.estimate(full, trap);
        Estimator.DEBIASED_TRAP.estimate(full, debiased);
        assertArrayEquals(trap, debiased);

        PointGradients lopsided = new PointGradients() {
            @Override public float[] trainStart() { return full.trainStart(); }
            @Override public float[] nextStart() { return full.nextStart(); }
            @Override public float[] nextMid() { return full.nextMid(); }
            @Override public float[] nextEnd() { return full.nextEnd(); }
            @Override public float[] fullStart() { return full.fullStart(); }
            @Override public double delta(int i) { return full.delta(i); }
            @Override public double sensitivity(int i) { return -0.5; }
            @Override public float[] trainHalfA() { return full.trainStart(); }
            @Override public float[] trainHalfB() { return new float[s[0].length]; }
            @Override public double batchFraction() { return 1; }
        };
        Estimator.DEBIASED_TRAP.estimate(lopsided, debiased);
        assertArrayEquals(trap, debiased);
    }

    @Test
    void debiasedTrapRemovesFreeTrapsNoiseBias() {
        // Many independent plain-SGD steps from one θ_t, each on its own batch: free_trap's mean LCA
        // sits measurably below exact LCA's (its same-batch half rewards the step for the very noise
        // that made it), while debiased_trap's mean matches exact within its standard error.
        float[] start = step(0.5f)[0];
        int dim = start.length, batchSize = 40, draws = 400;
        float lr = 0.5f;
        BatchGradient bg = new BatchGradient(mlp, data, batchSize);
        SetObjective full = new SetObjective(mlp, data);
        Random r = new Random(21);
        float[] g = new float[dim], next = new float[dim], after = new float[dim];
        float[][] halves = new float[2][dim];
        double[] trapErr = new double[draws], debiasedErr = new double[draws];
        for (int k = 0; k < draws; k++) {
            bg.halves(start, batch(r, batchSize), halves[0], halves[1], g);
            for (int i = 0; i < dim; i++) after[i] = start[i] - lr * g[i];
            bg.gradient(after, batch(r, batchSize), next);
            ExactLca exact = new ExactLca(full, Lca.cpu(mlp.layout()), 1e-6, 64);
            exact.start(start);
            double truth = total(exact.step(start, after).lca().lca());
            PointGradients p = sgdStep(start, after, g, next, halves, lr, batchSize / (double) data.n());
            float[] gbar = new float[dim];
            Estimator.FREE_TRAP.estimate(p, gbar);
            trapErr[k] = total(Lca.cpu(mlp.layout()).step(gbar, start, after).lca()) - truth;
            Estimator.DEBIASED_TRAP.estimate(p, gbar);
            debiasedErr[k] = total(Lca.cpu(mlp.layout()).step(gbar, start, after).lca()) - truth;
        }
        double[] trap = meanAndSe(trapErr), debiased = meanAndSe(debiasedErr);
        assertTrue(trap[0] < -4 * trap[1], "free_trap should be biased toward helping: mean error " + trap[0] + " ± " + trap[1]);
        assertTrue(Math.abs(debiased[0]) <= 4 * debiased[1],
                "debiased_trap mean error " + debiased[0] + " ± " + debiased[1] + " (free_trap's " + trap[0] + ")");
    }

    private static PointGradients sgdStep(float[] before, float[] after, float[] g, float[] next, float[][] halves, float lr, double fraction) {
        return new PointGradients() {
            @Override public float[] trainStart() { return g; }
            @Override public float[] nextStart() { throw new UnsupportedOperationException(); }
            @Override public float[] nextMid() { throw new UnsupportedOperationException(); }
            @Override public float[] nextEnd() { return next; }
            @Override public float[] fullStart() { throw new UnsupportedOperationException(); }
            @Override public double delta(int i) { return (double) after[i] - before[i]; }
            @Override public double sensitivity(int i) { return -lr; }
            @Override public float[] trainHalfA() { return halves[0]; }
            @Override public float[] trainHalfB() { return halves[1]; }
            @Override public double batchFraction() { return fraction; }
        };
    }

    private static double total(double[] v) {
        double t = 0;
        for (double x : v) t += x;
        return t;
    }

    private static double[] meanAndSe(double[] v) {
        double m = 0;
        for (double x : v) m += x;
        m /= v.length;
        double ss = 0;
        for (double x : v) ss += (x - m) * (x - m);
        return new double[]{m, Math.sqrt(ss / (v.length - 1) / v.length)};
    }

    @Test
    void extraEvaluationsFollowTheTable() {
        assertEquals(-1, Estimator.FIRST_ORDER.extraEvals(1));
        assertEquals(0, Estimator.SAME_BATCH.extraEvals(1));
        assertEquals(1, Estimator.NEXT_BATCH.extraEvals(1));
        assertEquals(0, Estimator.NEXT_BATCH_END.extraEvals(1));
        assertEquals(1, Estimator.NEXT_BATCH_TRAP.extraEvals(1));
        assertEquals(2, Estimator.NEXT_BATCH_SIMPSON.extraEvals(1));
        assertEquals(0, Estimator.FREE_TRAP.extraEvals(1));
        assertEquals(0, Estimator.DEBIASED_TRAP.extraEvals(1));
        assertEquals(3 + 3 + 2, Estimator.NEXT_BATCH_SIMPSON.extraEvals(3));
        var e = assertThrows(IllegalArgumentException.class, () -> Estimator.parse("nextbatch"));
        assertTrue(e.getMessage().contains("nextbatch") && e.getMessage().contains("next_batch_trap"));
    }

    @Test
    void eachEstimatorCombinesTheDocumentedPoints() {
        // Every point a different constant, so each ḡ names the points it used and their weights.
        int n = 3;
        PointGradients p = new PointGradients() {
            float[] fill(float v) {
                float[] a = new float[n];
                Arrays.fill(a, v);
                return a;
            }

            @Override public float[] trainStart() { return fill(1); }
            @Override public float[] nextStart() { return fill(2); }
            @Override public float[] nextMid() { return fill(3); }
            @Override public float[] nextEnd() { return fill(5); }
            @Override public float[] fullStart() { return fill(7); }
            @Override public double delta(int i) { return 0.2; }
            @Override public double sensitivity(int i) { return -0.1; }
            @Override public float[] trainHalfA() { return fill(0.75f); }
            @Override public float[] trainHalfB() { return fill(0.25f); }
            @Override public double batchFraction() { return 0.5; }
        };
        java.util.Map<Estimator, Double> expected = new java.util.EnumMap<>(Estimator.class);
        expected.put(Estimator.FIRST_ORDER, 7.0);                  // g_R(θ_t)
        expected.put(Estimator.SAME_BATCH, 1.0);                   // g_{b_t}(θ_t)
        expected.put(Estimator.NEXT_BATCH, 2.0);                   // g_B(θ_t)
        expected.put(Estimator.NEXT_BATCH_END, 5.0);               // g_B(θ_{t+1})
        expected.put(Estimator.NEXT_BATCH_TRAP, (2 + 5) / 2.0);    // ½(g_B(θ_t) + g_B(θ_{t+1}))
        expected.put(Estimator.NEXT_BATCH_SIMPSON, (2 + 4 * 3 + 5) / 6.0);
        expected.put(Estimator.FREE_TRAP, (1 + 5) / 2.0);          // ½(g_{b_t}(θ_t) + g_B(θ_{t+1}))
        // free_trap − ½(1 − B/N)·(g^a − g^b)²·(∂Δθ/∂g)/Δθ = 3 − ½·½·0.25·(−0.1)/0.2 = 3.03125
        expected.put(Estimator.DEBIASED_TRAP, 3.03125);
        assertEquals(Estimator.values().length, expected.size());
        for (Estimator e : Estimator.values()) {
            float[] out = new float[n];
            e.estimate(p, out);
            for (float v : out) assertEquals(expected.get(e), v, 1e-6, e.id());
        }
    }
}
