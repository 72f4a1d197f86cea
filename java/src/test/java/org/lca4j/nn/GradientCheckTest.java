package org.lca4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Backpropagation against central finite differences of an independent double-precision forward
 * pass (plain loops, no BLAS), for every parameter of every layer of a small net.
 */
public class GradientCheckTest {

    /** Mean softmax cross-entropy of the MLP in double precision, written independently of Mlp (and of the README's trajectory format). */
    public static double referenceLoss(int[] widths, double[] theta, float[] x, int[] y, int rows) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            double[] a = new double[widths[0]];
            for (int i = 0; i < widths[0]; i++) a[i] = x[r * widths[0] + i];
            int off = 0;
            for (int l = 0; l + 1 < widths.length; l++) {
                int in = widths[l], out = widths[l + 1];
                double[] z = new double[out];
                for (int o = 0; o < out; o++) {
                    double s = theta[off + in * out + o];
                    for (int i = 0; i < in; i++) s += theta[off + o * in + i] * a[i];
                    z[o] = (l + 2 < widths.length) ? Math.max(0, s) : s;
                }
                off += in * out + out;
                a = z;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (double v : a) max = Math.max(max, v);
            double sum = 0;
            for (double v : a) sum += Math.exp(v - max);
            total += Math.log(sum) + max - a[y[r]];
        }
        return total / rows;
    }

    @Test
    void backpropMatchesFiniteDifferencesInEveryLayer() {
        int[] widths = {7, 6, 5, 4};
        Mlp mlp = new Mlp(widths);
        Random rng = new Random(42);
        float[] theta = mlp.initHeNormal(rng);
        // Nonzero biases so their gradients are exercised away from the init.
        for (int l = 0; l < mlp.layout().layerCount(); l++) {
            var layer = mlp.layout().layer(l);
            if (layer.name().endsWith("bias")) for (long i = 0; i < layer.size(); i++) theta[(int) (layer.offset() + i)] = (float) (0.1 * rng.nextGaussian());
        }
        int rows = 9;
        float[] x = new float[rows * widths[0]];
        int[] y = new int[rows];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        for (int r = 0; r < rows; r++) y[r] = rng.nextInt(4);

        float[] grad = new float[theta.length];
        Mlp.Eval e = mlp.evaluate(theta, x, 0, y, rows, grad, 1f / rows, false, mlp.workspace(rows));
        double[] th = new double[theta.length];
        for (int i = 0; i < th.length; i++) th[i] = theta[i];
        assertEquals(referenceLoss(widths, th, x, y, rows), e.lossSum() / rows, 1e-5, "forward loss");

        double h = 1e-6;
        for (int l = 0; l < mlp.layout().layerCount(); l++) {
            var layer = mlp.layout().layer(l);
            for (long k = 0; k < layer.size(); k++) {
                int i = (int) (layer.offset() + k);
                double save = th[i];
                th[i] = save + h;
                double up = referenceLoss(widths, th, x, y, rows);
                th[i] = save - h;
                double down = referenceLoss(widths, th, x, y, rows);
                th[i] = save;
                double fd = (up - down) / (2 * h);
                assertEquals(fd, grad[i], 1e-4 + 1e-3 * Math.abs(fd), "gradient of " + layer.describe(k));
            }
        }
    }

    @Test
    void gradientAccumulatesAcrossChunksLikeOneBatch() {
        Mlp mlp = new Mlp(5, 8, 3);
        Random rng = new Random(7);
        float[] theta = mlp.initHeNormal(rng);
        int rows = 10;
        float[] x = new float[rows * 5];
        int[] y = new int[rows];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        for (int r = 0; r < rows; r++) y[r] = rng.nextInt(3);
        float[] whole = new float[theta.length];
        mlp.evaluate(theta, x, 0, y, rows, whole, 1f / rows, false, mlp.workspace(rows));
        float[] chunked = new float[theta.length];
        Mlp.Workspace ws = mlp.workspace(4);
        for (int r0 = 0; r0 < rows; r0 += 4) {
            mlp.evaluate(theta, x, r0, y, Math.min(4, rows - r0), chunked, 1f / rows, r0 > 0, ws);
        }
        for (int i = 0; i < theta.length; i++) assertEquals(whole[i], chunked[i], 1e-6, "parameter " + mlp.layout().describe(i));
    }
}
