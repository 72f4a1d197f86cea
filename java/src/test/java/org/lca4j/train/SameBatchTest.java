package org.lca4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.lca4j.Lca;
import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.StepLca;
import org.lca4j.data.LabeledSet;
import org.lca4j.data.SyntheticData;
import org.lca4j.exact.ExactLca;
import org.lca4j.nn.BatchGradient;
import org.lca4j.nn.Mlp;
import org.lca4j.nn.SetObjective;
import org.lca4j.nn.Sgd;
import org.junit.jupiter.api.Test;

/**
 * docs/LCA.md's bias note: with plain SGD, feeding the accumulator the very gradient the step used
 * gives A = −lr·g² ≤ 0 for every parameter, while exact LCA on the same steps does not.
 */
class SameBatchTest {
    @Test
    void trainingBatchGradientMakesEveryParameterHelpUnderPlainSgd() {
        Mlp mlp = new Mlp(12, 10, 3);
        LabeledSet data = SyntheticData.teacher(new Random(5), 600, 12, 3);
        float[] theta = mlp.initHeNormal(new Random(6));
        Sgd sgd = new Sgd(0.05, 0);
        BatchGradient batches = new BatchGradient(mlp, data, 32);
        BatchOrder order = new BatchOrder(new Seeds(9), data.n(), 32);
        float[] grad = new float[theta.length];
        float[] before = new float[theta.length];
        try (LcaAccumulator sameBatch = Lca.cpu(mlp.layout()); LcaAccumulator exactAcc = Lca.cpu(mlp.layout())) {
            ExactLca exact = new ExactLca(new SetObjective(mlp, data), exactAcc, 1e-4, 32);
            exact.start(theta);
            double exactHelpedMin = 1;
            for (int t = 0; t < 20; t++) {
                batches.gradient(theta, order.batch(t), grad);
                System.arraycopy(theta, 0, before, 0, theta.length);
                sgd.step(theta, grad);
                StepLca s = sameBatch.step(grad, before, theta);
                long nonzero = 0;
                for (float g : grad) if (g != 0f && (float) (g * 0.05f) != 0f) nonzero++;
                long helped = 0, hurt = 0;
                for (int l = 0; l < mlp.layout().layerCount(); l++) {
                    helped += s.helpedCount(l);
                    hurt += s.hurtCount(l);
                    assertTrue(s.lca(l) <= 0, "layer LCA must be ≤ 0 at step " + t);
                    assertEquals(1.0, s.helpedFractionOfNonzero(l), "step " + t + " layer " + mlp.layout().layer(l).name());
                }
                assertEquals(0, hurt, "no parameter may hurt at step " + t);
                assertTrue(helped > 0 && helped <= nonzero);
                exactHelpedMin = Math.min(exactHelpedMin, nonzeroHelped(exact.step(before, theta).lca()));
            }
            assertTrue(exactHelpedMin < 0.95, "exact LCA should show parameters that hurt; min helped share " + exactHelpedMin);
        }
    }

    private static double nonzeroHelped(StepLca s) {
        long h = 0, n = 0;
        for (int l = 0; l < s.lca().length; l++) {
            h += s.helpedCount(l);
            n += s.helpedCount(l) + s.hurtCount(l);
        }
        return h / (double) n;
    }
}
