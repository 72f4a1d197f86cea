package org.lca4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lca4j.data.LabeledSet;
import org.lca4j.data.SyntheticData;

/**
 * The gradients LCA is built from, against central finite differences of an independent
 * double-precision MEAN loss (GradientCheckTest.referenceLoss): g_R of exact LCA over a reference set
 * larger than one evaluation chunk, g_b of a gathered minibatch, and training's two half-batch sums
 * (each 1/B times its rows' summed gradient). A sum instead of a mean, a chunk counted twice or a
 * half scaled by its own size would all fail here.
 */
class MeanGradientCheckTest {
    private static final int[] WIDTHS = {3, 4, 2};
    private static final double H = 1e-5;

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    /** Rows {@code idx} of {@code set}, in that order, as a flat x and y. */
    private static Object[] gather(LabeledSet set, int[] idx) {
        float[] x = new float[idx.length * set.dim()];
        int[] y = new int[idx.length];
        for (int r = 0; r < idx.length; r++) {
            System.arraycopy(set.x(), idx[r] * set.dim(), x, r * set.dim(), set.dim());
            y[r] = set.y()[idx[r]];
        }
        return new Object[] {x, y};
    }

    private static void checkAgainstMeanLoss(float[] theta, float[] grad, float[] x, int[] y, int rows, double weight, String what) {
        double[] th = toDouble(theta);
        for (int i = 0; i < th.length; i++) {
            double save = th[i];
            th[i] = save + H;
            double up = GradientCheckTest.referenceLoss(WIDTHS, th, x, y, rows);
            th[i] = save - H;
            double down = GradientCheckTest.referenceLoss(WIDTHS, th, x, y, rows);
            th[i] = save;
            double fd = weight * (up - down) / (2 * H);
            assertEquals(fd, grad[i], 2e-5 + 2e-3 * Math.abs(fd), what + ", parameter " + i);
        }
    }

    private static float[] theta(Mlp mlp) {
        Random rng = new Random(4);
        float[] theta = mlp.initHeNormal(rng);
        for (int i = 0; i < theta.length; i++) if (theta[i] == 0f) theta[i] = (float) (0.1 * rng.nextGaussian());
        return theta;
    }

    @Test
    void referenceSetGradientIsTheMeanOverAllRowsAcrossChunks() {
        Mlp mlp = new Mlp(WIDTHS);
        int n = SetObjective.CHUNK_ROWS + 300; // two chunks
        LabeledSet set = SyntheticData.teacher(new Random(2), n, 3, 2);
        float[] theta = theta(mlp), grad = new float[theta.length];
        double loss = new SetObjective(mlp, set).lossAndGradient(theta, grad);
        assertEquals(GradientCheckTest.referenceLoss(WIDTHS, toDouble(theta), set.x(), set.y(), n), loss, 1e-6, "L_R is the mean loss");
        checkAgainstMeanLoss(theta, grad, set.x(), set.y(), n, 1, "g_R");
    }

    @Test
    void batchGradientAndItsHalvesAreOfTheBatchMeanLoss() {
        Mlp mlp = new Mlp(WIDTHS);
        LabeledSet set = SyntheticData.teacher(new Random(3), 200, 3, 2);
        int[] batch = {17, 3, 150, 99, 42, 8, 120, 61, 7, 199};
        float[] theta = theta(mlp), grad = new float[theta.length], a = new float[theta.length], b = new float[theta.length], sum = new float[theta.length];
        BatchGradient bg = new BatchGradient(mlp, set, batch.length);
        Object[] xy = gather(set, batch);
        double loss = bg.gradient(theta, batch, grad);
        assertEquals(GradientCheckTest.referenceLoss(WIDTHS, toDouble(theta), (float[]) xy[0], (int[]) xy[1], batch.length), loss, 1e-6);
        checkAgainstMeanLoss(theta, grad, (float[]) xy[0], (int[]) xy[1], batch.length, 1, "g_b");

        bg.halves(theta, batch, a, b, sum);
        int h = batch.length / 2;
        Object[] first = gather(set, java.util.Arrays.copyOfRange(batch, 0, h)), second = gather(set, java.util.Arrays.copyOfRange(batch, h, batch.length));
        // a = (1/B)·Σ_{first half} ∇ℓ = (h/B)·∇(mean loss of the first half); likewise b.
        checkAgainstMeanLoss(theta, a, (float[]) first[0], (int[]) first[1], h, h / (double) batch.length, "first half");
        checkAgainstMeanLoss(theta, b, (float[]) second[0], (int[]) second[1], batch.length - h, (batch.length - h) / (double) batch.length, "second half");
        for (int i = 0; i < sum.length; i++) assertEquals(a[i] + b[i], sum[i], "g_b = a + b, parameter " + i);
        checkAgainstMeanLoss(theta, sum, (float[]) xy[0], (int[]) xy[1], batch.length, 1, "a + b");
    }
}
