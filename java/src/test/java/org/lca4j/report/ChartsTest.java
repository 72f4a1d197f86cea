package org.lca4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The step axis is labelled at round steps, about six of them, never below every step; long lines are drawn from few points. */
class ChartsTest {
    @Test
    void stepAxisLabelsFallOnRoundSteps() {
        assertEquals(1, Charts.labelStep(0));
        assertEquals(1, Charts.labelStep(5));
        assertEquals(2, Charts.labelStep(12));
        assertEquals(50, Charts.labelStep(219)); // the demo's 220 steps: 0, 50, …, 200
        assertEquals(50, Charts.labelStep(300));
        assertEquals(100, Charts.labelStep(301));
        assertEquals(2000, Charts.labelStep(10_000));
    }

    @Test
    void aLineOfAMillionStepsIsDrawnFromAtMostMaxPointsKeepingItsEndsAndSpikes() {
        int n = 1_000_000;
        double[] x = new double[n], y = new double[n];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = r.nextGaussian();
        }
        y[123_457] = 50; // one spike each way, far from the rest
        y[876_543] = -50;
        double[][] d = Charts.decimate(new double[][] {x, y}, Charts.MAX_LINE_POINTS);
        assertTrue(d[0].length <= Charts.MAX_LINE_POINTS && d[0].length > Charts.MAX_LINE_POINTS / 2, "points drawn: " + d[0].length);
        assertEquals(0, d[0][0]);
        assertEquals(y[0], d[1][0]);
        assertEquals(n - 1, d[0][d[0].length - 1]);
        assertEquals(y[n - 1], d[1][d[1].length - 1]);
        assertEquals(50, Arrays.stream(d[1]).max().orElseThrow());
        assertEquals(-50, Arrays.stream(d[1]).min().orElseThrow());
        for (int i = 1; i < d[0].length; i++) assertTrue(d[0][i] > d[0][i - 1], "steps stay in order");
        double[][] shortLine = {Arrays.copyOf(x, 500), Arrays.copyOf(y, 500)};
        assertSame(shortLine, Charts.decimate(shortLine, Charts.MAX_LINE_POINTS), "a short line is drawn as it is");
    }

    @Test
    void anyLineLongerThanMaxKeepsAtMostMaxOfItsPointsWithBothEndsAndItsExtremesEvenNextToTheEnds() {
        SplittableRandom r = new SplittableRandom(11);
        for (int max : new int[] {4, 5, 7, 2000}) {
            double[][] exactlyMax = {new double[max], new double[max]};
            assertSame(exactlyMax, Charts.decimate(exactlyMax, max), "a line of exactly max points is drawn as it is");
            for (int n : new int[] {max + 1, 2 * max + 3, 10_007}) {
                for (int spike : new int[] {1, n - 2}) {
                    double[] x = new double[n], y = new double[n];
                    for (int i = 0; i < n; i++) {
                        x[i] = 3 * i;
                        y[i] = r.nextDouble();
                    }
                    y[spike] = 9; // the highest point, in the first or the last run
                    y[n - 1 - spike] = -9;
                    String where = "max " + max + ", n " + n + ", spike at " + spike;
                    double[][] d = Charts.decimate(new double[][] {x, y}, max);
                    assertTrue(d[0].length <= max, where + ": " + d[0].length + " points");
                    assertEquals(d[0].length, d[1].length, where);
                    assertEquals(x[0], d[0][0], where);
                    assertEquals(x[n - 1], d[0][d[0].length - 1], where);
                    assertEquals(9, Arrays.stream(d[1]).max().orElseThrow(), where);
                    assertEquals(-9, Arrays.stream(d[1]).min().orElseThrow(), where);
                    for (int k = 0; k < d[0].length; k++) {
                        if (k > 0) assertTrue(d[0][k] > d[0][k - 1], where + ": in step order");
                        assertEquals(y[(int) d[0][k] / 3], d[1][k], where + ": a point of the line");
                    }
                }
            }
        }
    }
}
