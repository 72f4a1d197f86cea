package org.lca4j.data;

import java.util.Random;

/**
 * A seeded teacher-network task for tests and for machines without a dataset: Gaussian inputs,
 * labels from the argmax of a fixed random ReLU network, so a student MLP can learn it but not
 * instantly. Same seed, same bits.
 */
public final class SyntheticData {
    private static final int TEACHER_HIDDEN = 32;

    private SyntheticData() {
    }

    public static LabeledSet teacher(Random rng, int n, int dim, int classes) {
        if (n <= 0 || dim <= 0 || classes < 2) {
            throw new IllegalArgumentException("synthetic data needs n > 0, dim > 0 and ≥ 2 classes; got n=" + n + ", dim=" + dim + ", classes=" + classes);
        }
        if ((long) n * dim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("synthetic data of " + n + " rows × " + dim + " features is more values than one Java array holds (2^31 − 1); give a smaller --synthetic-size");
        }
        double[] w1 = gaussian(rng, TEACHER_HIDDEN * dim, Math.sqrt(2.0 / dim));
        double[] w2 = gaussian(rng, classes * TEACHER_HIDDEN, Math.sqrt(2.0 / TEACHER_HIDDEN));
        float[] x = new float[n * dim];
        int[] y = new int[n];
        double[] h = new double[TEACHER_HIDDEN];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < dim; i++) x[r * dim + i] = (float) rng.nextGaussian();
            for (int j = 0; j < TEACHER_HIDDEN; j++) {
                double s = 0;
                for (int i = 0; i < dim; i++) s += w1[j * dim + i] * x[r * dim + i];
                h[j] = Math.max(0, s);
            }
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                double s = 0;
                for (int j = 0; j < TEACHER_HIDDEN; j++) s += w2[c * TEACHER_HIDDEN + j] * h[j];
                if (s > bestScore) { bestScore = s; best = c; }
            }
            y[r] = best;
        }
        return LabeledSet.of(x, y, dim, classes);
    }

    private static double[] gaussian(Random rng, int n, double std) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextGaussian() * std;
        return v;
    }
}
