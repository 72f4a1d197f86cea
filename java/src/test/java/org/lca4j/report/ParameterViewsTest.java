package org.lca4j.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
        int n = steps * s;
        double[] xs = new double[n], ys = new double[n];
        for (int k = 0; k < n; k++) {
            xs[k] = all[2 * k];
            ys[k] = all[2 * k + 1];
        }
        assertEquals(pearson(xs, ys), v.pearson(), 1e-12);
        // A uniform sample: about as many points from the first half of the run as from the second.
        long early = java.util.stream.IntStream.range(0, max).filter(k -> {
            for (int j = 0; j < n / 2; j++) if (all[2 * j] == xy[0][k] && all[2 * j + 1] == xy[1][k]) return true;
            return false;
        }).count();
        assertTrue(early > 0.4 * max && early < 0.6 * max, "points from the first half: " + early);
    }

    /** Two-pass Pearson r. */
    private static double pearson(double[] x, double[] y) {
        double mx = java.util.Arrays.stream(x).average().orElseThrow(), my = java.util.Arrays.stream(y).average().orElseThrow();
        double sxy = 0, sxx = 0, syy = 0;
        for (int k = 0; k < x.length; k++) {
            double dx = x[k] - mx, dy = y[k] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    @Test
    void anEstimateOfZeroDisagreesAndNonFinitePairsAreLeftOutOfEveryView() {
        ParameterViews v = new ParameterViews(3, 10, 1);
        // Step 0: exact A = 0 is left out of the sign agreement; an estimate of 0 disagrees. 2 of 4 agree.
        v.add(0, new double[] {1, -1, 2, -2, 0}, new double[] {3, -0.5, 0, 0.25, 1});
        // Step 1: the pairs with a NaN or infinite value count nowhere: 1 of 2 agrees.
        v.add(1, new double[] {Double.NaN, 4, -3, 5, Double.POSITIVE_INFINITY}, new double[] {1, 2, 1, Double.NaN, 1});
        // Step 2: no parameter with exact A != 0.
        v.add(2, new double[] {0, 0}, new double[] {1, -1});
        assertArrayEquals(new double[] {0.5, 0.5, Double.NaN}, v.signAgreementPerStep());
        double[] x = {1, -1, 2, -2, 0, 4, -3, 0, 0}, y = {3, -0.5, 0, 0.25, 1, 2, 1, 1, -1};
        assertArrayEquals(new double[][] {x, y}, v.scatter(), "fewer finite pairs than maxPoints: all of them, nothing else");
        assertEquals(pearson(x, y), v.pearson(), 1e-12);
    }

    @Test
    void everyPairIsEquallyLikelyToBeTheOneAScatterOfOneKeeps() {
        // Reservoir sampling with room for one: each of 4 pairs is kept with probability 1/4.
        int runs = 4_000;
        int[] kept = new int[4];
        for (int seed = 0; seed < runs; seed++) {
            ParameterViews v = new ParameterViews(1, 1, seed);
            v.add(0, new double[] {0, 1, 2, 3}, new double[] {0, 1, 2, 3});
            kept[(int) v.scatter()[0][0]]++;
        }
        for (int i = 0; i < 4; i++) assertTrue(Math.abs(kept[i] - runs / 4) < 150, "pair " + i + " kept " + kept[i] + " times of " + runs);
    }
}
