package org.lca4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The update rules against the formulas of torch.optim, computed here in double for three steps. */
class OptimizerTest {
    private static final float[][] GRADS = {{0.5f, -1f, 2f}, {0.25f, 0.5f, -1f}, {-0.1f, 0.3f, 0.7f}};

    @Test
    void sgdMomentumFollowsPyTorch() {
        float[] theta = {1f, 2f, -3f};
        double[] ref = {1, 2, -3};
        double[] buf = null;
        Sgd sgd = new Sgd(0.1, 0.9);
        for (float[] g : GRADS) {
            sgd.step(theta, g);
            if (buf == null) {
                buf = new double[3];
                for (int i = 0; i < 3; i++) buf[i] = g[i];
            } else {
                for (int i = 0; i < 3; i++) buf[i] = 0.9 * buf[i] + g[i];
            }
            for (int i = 0; i < 3; i++) ref[i] -= 0.1 * buf[i];
        }
        for (int i = 0; i < 3; i++) assertEquals(ref[i], theta[i], 1e-6);
    }

    @Test
    void plainSgdIsThetaMinusLrTimesGradient() {
        float[] theta = {1f, 2f, -3f};
        new Sgd(0.5, 0).step(theta, GRADS[0]);
        assertEquals(0.75f, theta[0]);
        assertEquals(2.5f, theta[1]);
        assertEquals(-4f, theta[2]);
    }

    @Test
    void adamFollowsPyTorch() {
        float[] theta = {1f, 2f, -3f};
        double[] ref = {1, 2, -3};
        double[] m = new double[3], v = new double[3];
        Adam adam = new Adam(0.01);
        int t = 0;
        for (float[] g : GRADS) {
            adam.step(theta, g);
            t++;
            for (int i = 0; i < 3; i++) {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                double mhat = m[i] / (1 - Math.pow(0.9, t));
                double vhat = v[i] / (1 - Math.pow(0.999, t));
                ref[i] -= 0.01 * mhat / (Math.sqrt(vhat) + 1e-8);
            }
        }
        for (int i = 0; i < 3; i++) assertEquals(ref[i], theta[i], 1e-6);
    }

    @Test
    void sensitivityIsTheDerivativeOfTheStepInItsOwnGradient() {
        // Central differences, in double, of the last update as a function of the last gradient; early
        // steps (t = 3) are where Adam's path through v matters most.
        Adam adam = new Adam(0.01);
        Sgd momentum = new Sgd(0.1, 0.9);
        float[] theta = {1f, 2f, -3f};
        float[] theta2 = theta.clone();
        for (float[] g : GRADS) {
            adam.step(theta, g);
            momentum.step(theta2, g);
        }
        float[] last = GRADS[GRADS.length - 1];
        for (int i = 0; i < 3; i++) {
            double h = 1e-6;
            double fd = (adamUpdate(last[i] + h, i) - adamUpdate(last[i] - h, i)) / (2 * h);
            assertEquals(fd, adam.sensitivity(i, last[i]), 1e-4 * Math.abs(fd), "adam, parameter " + i);
            assertEquals(-0.1, momentum.sensitivity(i, last[i]), 1e-7);
        }
    }

    /** Adam's third update of parameter i from GRADS, in double, with the last gradient replaced by g. */
    private static double adamUpdate(double g, int i) {
        double m = 0, v = 0;
        for (int t = 1; t <= GRADS.length; t++) {
            double gt = t == GRADS.length ? g : GRADS[t - 1][i];
            m = 0.9 * m + 0.1 * gt;
            v = 0.999 * v + 0.001 * gt * gt;
        }
        int t = GRADS.length;
        return -0.01 * (m / (1 - Math.pow(0.9, t))) / (Math.sqrt(v / (1 - Math.pow(0.999, t))) + 1e-8);
    }

    @Test
    void rejectsBadHyperparameters() {
        assertThrows(IllegalArgumentException.class, () -> new Sgd(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new Adam(0));
    }

    @Test
    void adamsEpsilonIsInTheDenominatorAndKeepsAZeroGradientFinite() {
        // First step, t = 1: m̂ = g, v̂ = g², so θ moves by −lr·g/(|g| + ε). With ε = 0.1, g = 0.5: −lr·0.5/0.6.
        float[] theta = {1f, 2f, -3f};
        new Adam(0.01, 0.9, 0.999, 0.1).step(theta, new float[] {0.5f, -2f, 0f});
        assertEquals(1 - 0.01 * 0.5 / 0.6, theta[0], 1e-7);
        assertEquals(2 + 0.01 * 2 / 2.1, theta[1], 1e-7);
        assertEquals(-3f, theta[2], "a zero gradient leaves θ where it was (m = v = 0, 0/ε = 0)");
        float[] zero = {0.25f};
        new Adam(0.01).step(zero, new float[] {0f});
        assertEquals(0.25f, zero[0]);
    }
}
