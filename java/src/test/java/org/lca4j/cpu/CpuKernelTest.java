package org.lca4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
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

    /** Everything a step leaves: per-layer sums and counts, then the cumulative sums. */
    private static List<Object> twoSteps(CpuLcaAccumulator acc, float[][] in) {
        List<Object> out = new ArrayList<>();
        for (StepLca s : new StepLca[] {acc.step(in[0], in[1], in[2]), acc.stepDelta(in[3], in[4])}) {
            out.add(s.lca());
            for (int l = 0; l < s.lca().length; l++) out.add(s.helpedCount(l) + "/" + s.hurtCount(l));
        }
        for (int l = 0; l < acc.layout().layerCount(); l++) out.add(acc.cumulative(l));
        return out;
    }

    @Test
    void theSameBitsWhateverTheNumberOfThreads() throws Exception {
        // The chunks run on the calling thread, or spread over the fork-join pool the step is called
        // from; each chunk's partial has its own slot and they are added in chunk order, so every way
        // must give the same bits. (A parallel stream's split follows the common pool's parallelism,
        // fixed at JVM start, so a sum left to the stream would still agree across these pools; it
        // would not agree with the calling thread alone, which is why both are compared.)
        Random r = new Random(8);
        ParamLayout layout = layout(1 << 19, 1000, 300_007);
        int d = (int) layout.size();
        float[][] in = new float[5][];
        for (int k = 0; k < in.length; k++) in[k] = gaussian(r, d, 1);
        List<Object> alone;
        try (CpuLcaAccumulator acc = new CpuLcaAccumulator(layout, Kernels.best(), false)) {
            alone = twoSteps(acc, in);
        }
        for (int threads : new int[] {1, 2, 5}) {
            ForkJoinPool pool = new ForkJoinPool(threads);
            try (CpuLcaAccumulator acc = new CpuLcaAccumulator(layout, Kernels.best(), true)) {
                List<Object> spread = pool.submit(() -> twoSteps(acc, in)).get();
                assertEquals(alone.size(), spread.size());
                for (int k = 0; k < alone.size(); k++) {
                    if (alone.get(k) instanceof double[] a) assertArrayEquals(a, (double[]) spread.get(k), threads + " threads, item " + k);
                    else assertEquals(alone.get(k), spread.get(k), threads + " threads, item " + k);
                }
            } finally {
                pool.shutdown();
            }
        }
    }
}
