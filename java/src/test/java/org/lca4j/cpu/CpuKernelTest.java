package org.lca4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import static org.lca4j.TestInputs.gaussian;
import static org.lca4j.TestInputs.layout;

import org.junit.jupiter.api.Test;
import org.lca4j.core.ParamLayout;
import org.lca4j.core.StepLca;

/** The Vector API path against the scalar fallback, and the parallel chunking against thread count. */
class CpuKernelTest {

    @Test
    void theVectorSwitchIsOnInTheseTests() {
        // surefire adds --add-modules jdk.incubator.vector, as the lca launcher does; without it the scalar path runs.
        assertTrue(Kernels.best() instanceof VectorKernel, Kernels.best().name());
    }

    @Test
    void vectorAndScalarAgreeOnEveryParameterAndLayer() {
        Random r = new Random(7);
        int[] sizes = {1, 7, 8, 9, 15, 16, 17, CpuLcaAccumulator.CHUNK - 1, CpuLcaAccumulator.CHUNK + 3, 100_003, 2, 300_001};
        ParamLayout layout = layout(sizes);
        int d = (int) layout.size();
        try (CpuLcaAccumulator vec = new CpuLcaAccumulator(layout, new VectorKernel());
             CpuLcaAccumulator sca = new CpuLcaAccumulator(layout, new ScalarKernel())) {
            for (int t = 0; t < 3; t++) {
                float[] g = gaussian(r, d, 1), a = gaussian(r, d, 1), b = a.clone();
                for (int i = 0; i < d; i++) b[i] += (float) (r.nextGaussian() * 1e-2);
                if (t == 1) java.util.Arrays.fill(g, 0, 20, 0f); // zeros count as neither helped nor hurt
                StepLca v = t == 2 ? vec.stepDelta(g, b) : vec.step(g, a, b);
                StepLca s = t == 2 ? sca.stepDelta(g, b) : sca.step(g, a, b);
                for (int l = 0; l < sizes.length; l++) {
                    assertEquals(s.lca(l), v.lca(l), 1e-12 * Math.max(1, Math.abs(s.lca(l))) * Math.sqrt(sizes[l]), "layer " + l);
                    assertEquals(s.helpedCount(l), v.helpedCount(l), "helped, layer " + l);
                    assertEquals(s.hurtCount(l), v.hurtCount(l), "hurt, layer " + l);
                }
            }
            // Each A is the same double on both paths, added per parameter in step order: the same bits.
            for (int l = 0; l < sizes.length; l++) assertArrayEquals(sca.cumulative(l), vec.cumulative(l), "layer " + l);
        }
    }

    @Test
    void theSameBitsWhateverTheNumberOfThreads() throws Exception {
        Random r = new Random(8);
        ParamLayout layout = layout(1 << 19, 1000, 300_007);
        int d = (int) layout.size();
        float[] g = gaussian(r, d, 1), a = gaussian(r, d, 1), b = gaussian(r, d, 1);
        double[][] sums = new double[3][];
        int[] threads = {1, 2, 5};
        for (int k = 0; k < threads.length; k++) {
            ForkJoinPool pool = new ForkJoinPool(threads[k]);
            try (CpuLcaAccumulator acc = new CpuLcaAccumulator(layout)) {
                sums[k] = pool.submit(() -> acc.step(g, a, b).lca()).get();
            } finally {
                pool.shutdown();
            }
        }
        assertArrayEquals(sums[0], sums[1]);
        assertArrayEquals(sums[0], sums[2]);
    }
}
