package org.lca4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The per-parameter views take the samples a step at a time and keep a bounded scatter, whatever the run's length. */
class ParameterViewsTest {
    @Test
    void oneStepAtATimeWithABoundedScatter() {
        int steps = 3_000, s = 40, max = 500;
        ParameterViews v = new ParameterViews(steps, max, 1);
        SplittableRandom r = new SplittableRandom(7);
        double[] all = new double[2 * steps * s];
        double[] exact = new double[s], est = new double[s];
        int agreeAtStep5 = 0, signedAtStep5 = 0;
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < s; i++) {
                exact[i] = i == 0 ? 0 : r.nextGaussian();
                est[i] = exact[i] + 0.5 * r.nextGaussian();
                all[2 * (t * s + i)] = exact[i];
                all[2 * (t * s + i) + 1] = est[i];
                if (t == 5 && exact[i] != 0) {
                    signedAtStep5++;
                    if (Math.signum(exact[i]) == Math.signum(est[i])) agreeAtStep5++;
                }
            }
            v.add(t, exact, est);
        }
        double[][] xy = v.scatter();
        assertEquals(max, xy[0].length, "the scatter keeps maxPoints of the 120,000 pairs");
        assertEquals((double) agreeAtStep5 / signedAtStep5, v.signAgreementPerStep()[5], 1e-15, "exact A = 0 left out");
        assertEquals(steps, v.signAgreementPerStep().length);
        // Two-pass Pearson r over every pair.
        int n = steps * s;
        double mx = 0, my = 0;
        for (int k = 0; k < n; k++) { mx += all[2 * k]; my += all[2 * k + 1]; }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (int k = 0; k < n; k++) {
            double dx = all[2 * k] - mx, dy = all[2 * k + 1] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        assertEquals(sxy / Math.sqrt(sxx * syy), v.pearson(), 1e-12);
        // A uniform sample: about as many points from the first half of the run as from the second.
        long early = java.util.stream.IntStream.range(0, max).filter(k -> {
            for (int j = 0; j < n / 2; j++) if (all[2 * j] == xy[0][k] && all[2 * j + 1] == xy[1][k]) return true;
            return false;
        }).count();
        assertTrue(early > 0.4 * max && early < 0.6 * max, "points from the first half: " + early);
    }
}
