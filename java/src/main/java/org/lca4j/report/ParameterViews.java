package org.lca4j.report;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** Per-parameter comparisons of an estimator with exact LCA on the sampled parameters. */
final class ParameterViews {
    private ParameterViews() {
    }

    /**
     * Per step, the fraction of sampled parameters with exact A ≠ 0 whose estimated A has the same sign
     * (an estimate of 0 disagrees); NaN at a step with no such parameter. Non-finite values are skipped.
     */
    static double[] signAgreementPerStep(Samples s, String estimator) {
        double[] out = new double[s.steps()];
        for (int t = 0; t < out.length; t++) {
            double[] exact = s.row(RunData.EXACT, t), est = s.row(estimator, t);
            int n = 0, agree = 0;
            for (int i = 0; i < exact.length; i++) {
                if (exact[i] == 0 || !Double.isFinite(exact[i]) || !Double.isFinite(est[i])) continue;
                n++;
                if (Math.signum(exact[i]) == Math.signum(est[i])) agree++;
            }
            out[t] = n == 0 ? Double.NaN : (double) agree / n;
        }
        return out;
    }

    /** Pearson correlation over the pairs where both are finite; NaN if undefined. */
    static double pearson(double[] x, double[] y) {
        double sx = 0, sy = 0;
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                sx += x[i];
                sy += y[i];
                n++;
            }
        }
        if (n < 2) return Double.NaN;
        double mx = sx / n, my = sy / n, sxx = 0, syy = 0, sxy = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                double dx = x[i] - mx, dy = y[i] - my;
                sxx += dx * dx;
                syy += dy * dy;
                sxy += dx * dy;
            }
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }

    /** At most {@code max} (x, y) pairs, both finite, picked by a seeded shuffle so the plot is reproducible. */
    static double[][] subsample(double[] x, double[] y, int max, long seed) {
        int[] idx = IntStream.range(0, x.length).filter(i -> Double.isFinite(x[i]) && Double.isFinite(y[i])).toArray();
        int n = Math.min(max, idx.length);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < n && idx.length > max; i++) {
            int j = i + rnd.nextInt(idx.length - i);
            int tmp = idx[i];
            idx[i] = idx[j];
            idx[j] = tmp;
        }
        double[][] out = new double[2][n];
        for (int i = 0; i < n; i++) {
            out[0][i] = x[idx[i]];
            out[1][i] = y[idx[i]];
        }
        return out;
    }
}
