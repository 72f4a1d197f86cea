package org.lca4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The forward pass's accuracy count and the initialisation, against values worked out by hand. */
class MlpTest {
    @Test
    void correctCountsAnArgmaxInTheLastClassToo() {
        // No hidden layer, zero weights, biases (0, 0, 1): every row's logits are (0, 0, 1), argmax class 2.
        Mlp mlp = new Mlp(2, 3);
        float[] theta = new float[mlp.parameterCount()];
        theta[(int) mlp.layout().layer(1).offset() + 2] = 1f;
        float[] x = {0.3f, -1f, 2f, 0.5f, -0.7f, 0.1f};
        int[] y = {2, 2, 0};
        Mlp.Eval e = mlp.evaluate(theta, x, 0, y, 3, null, 1f, false, mlp.workspace(3));
        assertEquals(2, e.correct());
        // Cross-entropy: log(1 + 1 + e) − logit[label] per row.
        double lse = Math.log(2 + Math.E);
        assertEquals(3 * lse - 1 - 1 - 0, e.lossSum(), 1e-6);
    }

    @Test
    void heNormalScalesEachLayerByItsFanIn() {
        Mlp mlp = new Mlp(400, 100, 10);
        float[] theta = mlp.initHeNormal(new Random(1));
        // fc1.weight: 40,000 draws of std √(2/400); fc2.weight: 1,000 draws of std √(2/100). Biases are zero.
        assertEquals(Math.sqrt(2 / 400.0), std(theta, mlp, 0), 0.03 * Math.sqrt(2 / 400.0));
        assertEquals(Math.sqrt(2 / 100.0), std(theta, mlp, 2), 0.10 * Math.sqrt(2 / 100.0));
        for (int l : new int[] {1, 3}) {
            var layer = mlp.layout().layer(l);
            for (long i = 0; i < layer.size(); i++) assertEquals(0f, theta[(int) (layer.offset() + i)], layer.describe(i));
        }
    }

    private static double std(float[] theta, Mlp mlp, int layer) {
        var l = mlp.layout().layer(layer);
        double s = 0;
        for (long i = 0; i < l.size(); i++) s += (double) theta[(int) (l.offset() + i)] * theta[(int) (l.offset() + i)];
        return Math.sqrt(s / l.size());
    }
}
