package org.lca4j.report;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.lca4j.study.Correlation;

/**
 * Per-parameter comparisons of one estimator with exact LCA on the sampled parameters, taken a step at a
 * time ({@link Samples#scan}): memory holds one value per step and the scatter's points, not the samples.
 */
final class ParameterViews {
    private final double[] signAgreement;
    private final double[][] scatter;
    private final SplittableRandom rnd;
    private final Correlation finite = new Correlation();
    private long seen;

    /** @param maxPoints the most (exact, estimate) pairs the scatter keeps, a uniform seeded sample of all finite ones */
    ParameterViews(int steps, int maxPoints, long seed) {
        signAgreement = new double[steps];
        scatter = new double[2][maxPoints];
        rnd = new SplittableRandom(seed);
    }

    /**
     * Takes step t. Its sign agreement is the fraction of sampled parameters with exact A ≠ 0 whose
     * estimated A has the same sign (an estimate of 0 disagrees); NaN with no such parameter.
     * Non-finite values are skipped.
     */
    void add(int t, double[] exact, double[] est) {
        int signed = 0, agree = 0;
        for (int i = 0; i < exact.length; i++) {
            double x = exact[i], y = est[i];
            if (!Double.isFinite(x) || !Double.isFinite(y)) continue;
            if (x != 0) {
                signed++;
                if (Math.signum(x) == Math.signum(y)) agree++;
            }
            finite.add(x, y);
            // Reservoir sampling: every finite pair is kept with the same probability.
            int max = scatter[0].length;
            long slot = seen < max ? seen : rnd.nextLong(seen + 1);
            if (slot < max) {
                scatter[0][(int) slot] = x;
                scatter[1][(int) slot] = y;
            }
            seen++;
        }
        signAgreement[t] = signed == 0 ? Double.NaN : (double) agree / signed;
    }

    /** Per step, the sign agreement (see {@link #add}). */
    double[] signAgreementPerStep() {
        return signAgreement.clone();
    }

    /** Pearson correlation over the pairs where both are finite; NaN if undefined. */
    double pearson() {
        Double r = finite.pearson();
        return r == null ? Double.NaN : r;
    }

    /** The scatter's (x, y) pairs: at most maxPoints, all of them when there are fewer. */
    double[][] scatter() {
        int k = (int) Math.min(seen, scatter[0].length);
        return new double[][] {Arrays.copyOf(scatter[0], k), Arrays.copyOf(scatter[1], k)};
    }
}
