package org.lca4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The window arithmetic of the GPU step benchmark, on stamps made the way the training loop hands steps over. */
class GpuStepOverheadTest {
    private static final int W = 5, WARM = 2, WINDOWS = 4;

    /** Window k ends at k² + 1 ms; each step is stamped with the end of the window that hands it over. */
    private static long[] stamps(boolean lagged) {
        int steps = (WARM + WINDOWS) * W;
        long[] s = new long[steps];
        for (int t = 0; t < steps; t++) {
            int call = lagged ? t + 1 : t; // with LCA on, call t+1 finishes step t
            long k = call / W;
            s[t] = (k * k + 1) * 1_000_000L;
        }
        return s;
    }

    @Test
    void eachMeasuredWindowIsItsOwnDurationOverItsSteps() {
        for (boolean lagged : new boolean[] {false, true}) {
            double[] ms = GpuStepOverhead.windowMs(stamps(lagged), W, WARM, WINDOWS, lagged);
            double[] expected = new double[WINDOWS - 1];
            for (int w = 0; w < WINDOWS - 1; w++) {
                long k = WARM + w; // windows k+1 = WARM+1 .. : (end(k+1) − end(k)) / W
                expected[w] = ((k + 1) * (k + 1) - k * k) / (double) W;
            }
            assertArrayEquals(expected, ms, 1e-12, "lagged " + lagged);
        }
    }

    @Test
    void numericFlagsAreReadOrRefusedByName() {
        assertEquals(Long.MAX_VALUE, GpuStepOverhead.number(new String[] {"a.json", "a.md", "--quick"}, "--max-params", Long.MAX_VALUE));
        assertEquals(300_000L, GpuStepOverhead.number(new String[] {"a.json", "a.md", "--max-params", "300000"}, "--max-params", Long.MAX_VALUE));
        assertEquals(2L, GpuStepOverhead.number(new String[] {"a.json", "a.md", "--rounds", "2", "--max-params", "9"}, "--rounds", 3));
        var e = assertThrows(IllegalArgumentException.class,
                () -> GpuStepOverhead.number(new String[] {"a.json", "a.md", "--max-params", "lots"}, "--max-params", 0));
        assertTrue(e.getMessage().contains("--max-params") && e.getMessage().contains("lots"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> GpuStepOverhead.number(new String[] {"a.json", "a.md", "--rounds"}, "--rounds", 3));
    }
}
