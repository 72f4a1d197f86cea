package org.lca4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.core.Layer;
import org.lca4j.core.ParamLayout;
import org.lca4j.core.StepLca;
import org.lca4j.data.DataSources;
import org.lca4j.data.LabeledSet;
import org.lca4j.data.SyntheticData;
import org.lca4j.nn.BatchGradient;
import org.lca4j.nn.Mlp;
import org.lca4j.nn.SetObjective;

/**
 * Each estimator of the specification's table, inside a real training run, recomputed here from the
 * recorded θ_t, θ_{t+1} and the batch order alone: which gradient, at which θ, on which batch
 * (b_t or b_{t+1}), for every step including the last one (whose b_{t+1} is the next batch in the
 * order: here the first batch of the next epoch). The expected values are summed in double from
 * independently evaluated gradients, so an estimator that took the wrong batch, the wrong end of
 * the step or the wrong weights fails by far more than the float rounding allowed for.
 */
class EstimatorIndexingTest {
    @TempDir
    Path tmp;

    private record Recorded(float[] before, float[] after, Map<String, StepLca> lca) {
    }

    @Test
    void everyEstimatorUsesTheGradientsTheSpecificationNames() {
        check(1);
    }

    @Test
    void nextBatchPointsAverageKIndependentBatches() {
        // k = 3: each next-batch point is the mean over b_{t+1} and two batches of the estimators' own
        // seeded stream; same_batch and first_order are not batch averages and stay as they are.
        check(3);
    }

    private void check(int k) {
        Mlp mlp = new Mlp(10, 8, 3);
        LabeledSet train = SyntheticData.teacher(new Random(31), 300, 10, 3);
        int batch = 50; // 6 batches per epoch: 12 steps end exactly on an epoch boundary
        long steps = 12;
        TrainConfig cfg = TrainConfig.builder().model("10,8,3").data("synthetic").batch(batch).steps(steps).seed(5).lr(0.05).momentum(0.9)
                .estimators(List.of("exact", "first_order", "same_batch", "next_batch", "next_batch_end", "next_batch_trap", "next_batch_simpson",
                        "free_trap"))
                .estimatorBatches(k).device("cpu").out(tmp.resolve("run-" + k)).build();
        List<Recorded> rec = new ArrayList<>();
        Trainer.run(cfg, mlp, new DataSources.Splits(train, null, "test"), new RunListener() {
            @Override
            public void stepDone(StepEvent e) {
                rec.add(new Recorded(e.thetaBefore().clone(), e.thetaAfter().clone(), new LinkedHashMap<>(e.lca())));
            }
        });
        assertEquals(steps, rec.size());

        BatchOrder order = new BatchOrder(new Seeds(5), train.n(), batch);
        BatchGradient bg = new BatchGradient(mlp, train, batch);
        SetObjective full = new SetObjective(mlp, train);
        ParamLayout layout = mlp.layout();
        int dim = mlp.parameterCount();
        for (int t = 0; t < steps; t++) {
            float[] before = rec.get(t).before(), after = rec.get(t).after();
            if (t + 1 < steps) assertEquals(java.util.Arrays.toString(after), java.util.Arrays.toString(rec.get(t + 1).before()), "θ_{t+1} is the next step's θ_t");
            float[] mid = new float[dim];
            for (int i = 0; i < dim; i++) mid[i] = (float) (before[i] + 0.5 * ((double) after[i] - before[i]));
            int[] bt = order.batch(t);
            int[][] next = new int[k][];
            next[0] = order.batch(t + 1);
            Random extra = new Seeds(5).stream("estimator-batches", t);
            for (int j = 1; j < k; j++) next[j] = java.util.Arrays.copyOf(DataSources.permutation(train.n(), extra), batch);
            float[] gR = new float[dim], gbtStart = new float[dim];
            full.lossAndGradient(before, gR);
            bg.gradient(before, bt, gbtStart);
            double[] gnStart = mean(bg, before, next, dim), gnMid = mean(bg, mid, next, dim), gnEnd = mean(bg, after, next, dim);
            Map<String, double[]> gbar = new LinkedHashMap<>();
            gbar.put("first_order", toDouble(gR));
            gbar.put("same_batch", toDouble(gbtStart));
            gbar.put("next_batch", gnStart);
            gbar.put("next_batch_end", gnEnd);
            double[] trap = new double[dim], simpson = new double[dim], free = new double[dim];
            for (int i = 0; i < dim; i++) {
                trap[i] = 0.5 * ((double) gnStart[i] + gnEnd[i]);
                simpson[i] = ((double) gnStart[i] + 4.0 * gnMid[i] + gnEnd[i]) / 6.0;
                free[i] = 0.5 * ((double) gbtStart[i] + gnEnd[i]);
            }
            gbar.put("next_batch_trap", trap);
            gbar.put("next_batch_simpson", simpson);
            gbar.put("free_trap", free);
            for (Map.Entry<String, double[]> en : gbar.entrySet()) {
                StepLca got = rec.get(t).lca().get(en.getKey());
                for (int l = 0; l < layout.layerCount(); l++) {
                    Layer layer = layout.layer(l);
                    double sum = 0, scale = 0;
                    long helped = 0;
                    for (long q = 0; q < layer.size(); q++) {
                        int i = (int) (layer.offset() + q);
                        double a = en.getValue()[i] * ((double) after[i] - before[i]);
                        sum += a;
                        scale += Math.abs(a);
                        if (a < 0) helped++;
                    }
                    assertEquals(sum, got.lca(l), 1e-6 * scale + 1e-15, en.getKey() + " at step " + t + ", " + layer.name());
                    // Negative A is "helped": the count must agree up to parameters whose A is at rounding level.
                    assertTrue(Math.abs(helped - got.helpedCount(l)) <= 1, en.getKey() + " helped count at step " + t + ", " + layer.name());
                }
            }
        }
    }

    /** The mean over the batches of g_b(θ), in double. */
    private static double[] mean(BatchGradient bg, float[] theta, int[][] batches, int dim) {
        double[] out = new double[dim];
        float[] g = new float[dim];
        for (int[] b : batches) {
            bg.gradient(theta, b, g);
            for (int i = 0; i < dim; i++) out[i] += g[i] / (double) batches.length;
        }
        return out;
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }
}
