package org.lca4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import static org.lca4j.TestInputs.gaussian;
import static org.lca4j.TestInputs.layout;

import org.junit.jupiter.api.Test;
import org.lca4j.core.NonFiniteInputException;
import org.lca4j.core.ParamLayout;
import org.lca4j.core.StepLca;
import org.lca4j.cpu.CpuLcaAccumulator;

/**
 * The CUDA backend against the CPU backend on fresh random inputs. Skipped (never passed) without a
 * device: run on a GPU machine with {@code ./lca test}.
 */
class CudaLcaAccumulatorTest {

    @BeforeEach
    void needsDevice() {
        GpuAssumptions.device();
    }

    /** Per-layer sums within double rounding of a different order; counts and every cumulative A exact. */
    private static void assertMatches(StepLca cpu, StepLca gpu, double[] scale) {
        for (int l = 0; l < cpu.lca().length; l++) {
            assertEquals(cpu.lca(l), gpu.lca(l), 1e-12 * scale[l] + 1e-300, "layer " + l);
            assertEquals(cpu.helpedCount(l), gpu.helpedCount(l), "helped, layer " + l);
            assertEquals(cpu.hurtCount(l), gpu.hurtCount(l), "hurt, layer " + l);
        }
    }

    private static void compare(int[] sizes, int steps, long seed) {
        ParamLayout layout = layout(sizes);
        int d = (int) layout.size();
        Random r = new Random(seed);
        try (CpuLcaAccumulator cpu = new CpuLcaAccumulator(layout); CudaLcaAccumulator gpu = new CudaLcaAccumulator(layout)) {
            float[] theta = gaussian(r, d, 0.1);
            for (int t = 0; t < steps; t++) {
                float[] g = gaussian(r, d, 1), next = theta.clone();
                for (int i = 0; i < d; i++) next[i] -= 0.01f * g[i] + (float) (r.nextGaussian() * 1e-3);
                double[] scale = new double[sizes.length];
                for (int l = 0, off = 0; l < sizes.length; off += sizes[l++]) {
                    for (int i = off; i < off + sizes[l]; i++) scale[l] += Math.abs(g[i] * ((double) next[i] - theta[i]));
                }
                StepLca c = cpu.step(g, theta, next);
                StepLca k = t % 2 == 0 ? gpu.step(g, theta, next) : gpu.step(MemorySegment.ofArray(g), MemorySegment.ofArray(theta), MemorySegment.ofArray(next));
                assertMatches(c, k, scale);
                theta = next;
            }
            for (int l = 0; l < sizes.length; l++) {
                // Each A is the same double on both backends and is added per parameter in step order: same bits.
                assertArrayEquals(cpu.cumulative(l), gpu.cumulative(l), "cumulative, layer " + l);
            }
            assertArrayEquals(cpu.layerTotals(), gpu.layerTotals(), 1e-9);
        }
    }

    @Test
    void matchesCpuOnOddSizes() {
        compare(new int[] {1, 7, 13, 4097, 8191, 8193, 3}, 4, 1);
    }

    @Test
    void matchesCpuOnMnistFc() {
        compare(new int[] {100 * 784, 100, 50 * 100, 50, 10 * 50, 10}, 3, 2);
    }

    @Test
    void matchesCpuWithManyLayers() {
        Random r = new Random(3);
        for (int layers : new int[] {1, 2, 300, 333}) {
            int[] sizes = new int[layers];
            for (int l = 0; l < layers; l++) sizes[l] = 1 + r.nextInt(5000);
            compare(sizes, 2, 10 + layers);
        }
    }

    @Test
    void deltaAndDevicePointerInputsGiveTheSameAnswer() {
        ParamLayout layout = layout(new int[] {1001, 3, 77});
        int d = (int) layout.size();
        Random r = new Random(4);
        float[] g = gaussian(r, d, 1), a = gaussian(r, d, 1), b = a.clone(), delta = new float[d];
        for (int i = 0; i < d; i++) b[i] += (float) (r.nextGaussian() * 1e-2);
        for (int i = 0; i < d; i++) delta[i] = (float) ((double) b[i] - a[i]);
        Lca4jNative api = CudaDevice.api();
        try (CudaLcaAccumulator host = new CudaLcaAccumulator(layout); CudaLcaAccumulator dev = new CudaLcaAccumulator(layout);
             DeviceBuffer dg = new DeviceBuffer(api, d * 4L); DeviceBuffer da = new DeviceBuffer(api, d * 4L);
             DeviceBuffer db = new DeviceBuffer(api, d * 4L); DeviceBuffer dd = new DeviceBuffer(api, d * 4L)) {
            api.copyToDevice(dg.address(), MemorySegment.ofArray(g));
            api.copyToDevice(da.address(), MemorySegment.ofArray(a));
            api.copyToDevice(db.address(), MemorySegment.ofArray(b));
            api.copyToDevice(dd.address(), MemorySegment.ofArray(delta));
            StepLca h = host.step(g, a, b);
            StepLca p = dev.stepDevice(dg.address(), da.address(), db.address());
            assertArrayEquals(h.lca(), p.lca(), "host and device inputs: same kernel, same bits");
            StepLca q = dev.stepDeltaDevice(dg.address(), dd.address());
            StepLca hd = host.stepDelta(g, delta);
            assertArrayEquals(hd.lca(), q.lca());
            assertEquals(2, dev.steps());
            // The same device memory seen through JCuda's Pointer, as a JCuda training loop holds it.
            StepLca j = dev.stepDevice(JCudaPointers.address(new JCudaMemory(dg.address())),
                    JCudaPointers.address(new JCudaMemory(da.address())), JCudaPointers.address(new JCudaMemory(db.address())));
            assertArrayEquals(h.lca(), j.lca(), "through JCudaPointers");
        }
    }

    @Test
    void rerunsGiveTheSameBits() {
        ParamLayout layout = layout(new int[] {300000, 17, 123457});
        int d = (int) layout.size();
        Random r = new Random(5);
        float[] g = gaussian(r, d, 1), a = gaussian(r, d, 1), b = gaussian(r, d, 1);
        try (CudaLcaAccumulator x = new CudaLcaAccumulator(layout); CudaLcaAccumulator y = new CudaLcaAccumulator(layout)) {
            for (int t = 0; t < 3; t++) assertArrayEquals(x.step(g, a, b).lca(), y.step(g, a, b).lca());
        }
    }

    @Test
    void nonFiniteInputIsNamedLikeTheCpu() {
        ParamLayout layout = layout(new int[] {10, 20});
        float[] g = new float[30], a = new float[30], b = new float[30];
        java.util.Arrays.fill(b, 0.5f);
        java.util.Arrays.fill(g, 1f);
        g[23] = Float.NaN;
        String cpuMessage;
        try (CpuLcaAccumulator cpu = new CpuLcaAccumulator(layout)) {
            cpuMessage = assertThrows(NonFiniteInputException.class, () -> cpu.step(g, a, b)).getMessage();
        }
        try (CudaLcaAccumulator gpu = new CudaLcaAccumulator(layout)) {
            NonFiniteInputException e = assertThrows(NonFiniteInputException.class, () -> gpu.step(g, a, b));
            assertEquals(cpuMessage, e.getMessage());
            assertThrows(IllegalStateException.class, () -> gpu.step(g, a, b), "refuses further steps");
        }
    }

    @Test
    void manyStepsAndManyAccumulatorsLeaveNoDeviceMemoryBehind() {
        long liveBefore = DeviceBuffer.live();
        long freeBefore = CudaDevice.api().memInfo()[0];
        ParamLayout layout = layout(new int[] {4096, 64, 33});
        int d = (int) layout.size();
        Random r = new Random(6);
        float[] g = gaussian(r, d, 1), a = gaussian(r, d, 1), b = gaussian(r, d, 1);
        try (CudaLcaAccumulator acc = new CudaLcaAccumulator(layout)) {
            long during = DeviceBuffer.live();
            for (int t = 0; t < GpuAssumptions.leakSteps(); t++) acc.step(g, a, b);
            assertEquals(during, DeviceBuffer.live(), "a step allocates nothing");
        }
        for (int i = 0; i < 200; i++) new CudaLcaAccumulator(layout).close();
        assertEquals(liveBefore, DeviceBuffer.live());
        long freeAfter = CudaDevice.api().memInfo()[0];
        assertTrue(freeBefore - freeAfter < (8L << 20), "device memory fell by " + (freeBefore - freeAfter) + " bytes");
    }

    /** A JCuda Pointer onto memory we allocated: what cudaMalloc through JCuda hands a user. */
    private static final class JCudaMemory extends jcuda.Pointer {
        JCudaMemory(long address) {
            super(address);
        }
    }
}
