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
    void extraEvaluationsFollowTheTable() {
        assertEquals(-1, Estimator.FIRST_ORDER.extraEvals(1));
        assertEquals(0, Estimator.SAME_BATCH.extraEvals(1));
        assertEquals(1, Estimator.NEXT_BATCH.extraEvals(1));
        assertEquals(0, Estimator.NEXT_BATCH_END.extraEvals(1));
        assertEquals(1, Estimator.NEXT_BATCH_TRAP.extraEvals(1));
        assertEquals(2, Estimator.NEXT_BATCH_SIMPSON.extraEvals(1));
        assertEquals(0, Estimator.FREE_TRAP.extraEvals(1));
        assertEquals(3 + 3 + 2, Estimator.NEXT_BATCH_SIMPSON.extraEvals(3));
        var e = assertThrows(IllegalArgumentException.class, () -> Estimator.parse("nextbatch"));
        assertTrue(e.getMessage().contains("nextbatch") && e.getMessage().contains("next_batch_trap"));
    }
}
