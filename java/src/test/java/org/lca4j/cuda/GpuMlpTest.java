package org.lca4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lca4j.nn.Mlp;

/** The GPU MLP against nn/Mlp on fresh random inputs and odd widths. Skipped (never passed) without a device or cuBLAS. */
class GpuMlpTest {
    @BeforeEach
    void needsDeviceAndCublas() {
        GpuAssumptions.deviceAndCublas();
    }

    @Test
    void lossAndGradientMatchTheCpuOnOddWidths() {
        for (int[] widths : new int[][] {{37, 19, 11, 7}, {784, 100, 50, 10}, {5, 3}}) {
            for (int rows : new int[] {1, 53, 250}) compare(new Mlp(widths), rows, new Random(widths.length * 31L + rows));
        }
    }

    @Test
    void setObjectiveOnTheGpuMatchesTheCpusOverSeveralChunks() {
        Mlp mlp = new Mlp(20, 16, 8, 4);
        org.lca4j.data.LabeledSet set = org.lca4j.data.SyntheticData.teacher(new Random(8), 5000, 20, 4);
        float[] theta = mlp.initHeNormal(new Random(9));
        float[] cpu = new float[theta.length], gpu = new float[theta.length];
        double cl = new org.lca4j.nn.SetObjective(mlp, set).lossAndGradient(theta, cpu);
        double gl;
        try (GpuSetObjective g = new GpuSetObjective(mlp, set)) {
            gl = g.lossAndGradient(theta, gpu);
            float[] again = new float[theta.length];
            assertEquals(gl, g.lossAndGradient(theta, again), 0.0, "reruns give the same bits");
            org.junit.jupiter.api.Assertions.assertArrayEquals(gpu, again);
        }
        assertEquals(cl, gl, 1e-6 * Math.abs(cl), "loss");
        assertClose(cpu, gpu, "full-set gradient");
    }

    private static void compare(Mlp mlp, int rows, Random r) {
        int d = mlp.parameterCount();
        float[] theta = mlp.initHeNormal(r);
        for (int i = 0; i < d; i++) theta[i] += (float) (0.01 * r.nextGaussian()); // nonzero biases
        float[] x = new float[rows * mlp.inputs()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) y[i] = r.nextInt(mlp.classes());
        float scale = 1f / rows;
        float[] cpu = new float[d];
        Mlp.Eval ce = mlp.evaluate(theta, x, 0, y, rows, cpu, scale, false, mlp.workspace(rows));
        float[] cpu2 = cpu.clone();
        mlp.evaluate(theta, x, 0, y, rows, cpu2, scale, true, mlp.workspace(rows));

        Lca4jNative api = CudaDevice.api();
        float[] gpu = new float[d], gpu2 = new float[d];
        Mlp.Eval ge;
        try (GpuMlp g = new GpuMlp(mlp, rows); DeviceBuffer dt = new DeviceBuffer(api, d * 4L); DeviceBuffer dx = new DeviceBuffer(api, x.length * 4L);
             DeviceBuffer dy = new DeviceBuffer(api, rows * 4L); DeviceBuffer dg = new DeviceBuffer(api, d * 4L)) {
            api.copyToDevice(dt.address(), MemorySegment.ofArray(theta));
            api.copyToDevice(dx.address(), MemorySegment.ofArray(x));
            api.copyToDevice(dy.address(), MemorySegment.ofArray(y));
            ge = g.evaluate(dt.address(), dx.address(), dy.address(), rows, dg.address(), scale, false);
            api.copyToHost(MemorySegment.ofArray(gpu), dg.address());
            g.evaluate(dt.address(), dx.address(), dy.address(), rows, dg.address(), scale, true);
            api.copyToHost(MemorySegment.ofArray(gpu2), dg.address());
        }
        String what = java.util.Arrays.toString(mlp.widths()) + " rows " + rows;
        assertEquals(ce.lossSum(), ge.lossSum(), 1e-5 * Math.abs(ce.lossSum()), what + ": loss");
        assertEquals(ce.correct(), ge.correct(), what + ": correct");
        assertClose(cpu, gpu, what + ": gradient");
        assertClose(cpu2, gpu2, what + ": accumulated gradient");
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        double max = 0;
        for (float v : expected) max = Math.max(max, Math.abs(v));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * max + 1e-7, what + " at " + i);
        }
    }

    /**
     * Host arrays of the wrong length are refused, naming the array: the copies took each array's own
     * length, so a short θ left the rest of the device's θ from the previous call and a short gradient
     * came back cut off, with no error.
     */
    @Test
    void hostArraysOfTheWrongLengthAreRefused() {
        Mlp mlp = new Mlp(6, 5, 3);
        org.lca4j.data.LabeledSet set = org.lca4j.data.SyntheticData.teacher(new Random(1), 40, 6, 3);
        float[] theta = mlp.initHeNormal(new Random(2));
        int d = theta.length;
        int[] batch = {0, 1, 2, 3};
        try (GpuBatchGradient bg = new GpuBatchGradient(mlp, set, 4); GpuSetObjective obj = new GpuSetObjective(mlp, set)) {
            wrong("θ", () -> bg.gradient(new float[d - 1], batch, new float[d]));
            wrong("gradient", () -> bg.gradient(theta, batch, new float[d - 1]));
            wrong("θ", () -> bg.halves(new float[d + 1], batch, new float[d], new float[d], new float[d]));
            wrong("first half-batch gradient", () -> bg.halves(theta, batch, new float[1], new float[d], new float[d]));
            wrong("θ", () -> obj.lossAndGradient(new float[d - 1], new float[d]));
            wrong("gradient", () -> obj.lossAndGradient(theta, new float[3]));
        }
    }

    private static void wrong(String what, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, call, what);
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith(what + " has "), e.getMessage());
    }

    /**
     * A null θ, x, y or sums address is refused naming it, and the model still works after. θ is
     * offset per layer before it reaches a kernel, so a null θ arrived as a wild pointer: on the
     * emulation the launch faulted and the fault failed the next, correct, call ("an illegal memory
     * access was encountered"); on a GPU such a fault ends the context. The others were an unnamed
     * "bad argument" or a cuBLAS INVALID_VALUE.
     */
    @Test
    void nullDeviceAddressesAreNamedAndLeaveTheModelWorking() {
        Mlp mlp = new Mlp(6, 5, 3);
        Lca4jNative api = CudaDevice.api();
        try (GpuMlp gpu = new GpuMlp(mlp, 4); DeviceBuffer th = new DeviceBuffer(api, mlp.parameterCount() * 4L);
             DeviceBuffer x = new DeviceBuffer(api, 4 * 6 * 4L); DeviceBuffer y = new DeviceBuffer(api, 4 * 4L)) {
            api.copyToDevice(th.address(), MemorySegment.ofArray(mlp.initHeNormal(new Random(1))));
            api.copyToDevice(x.address(), MemorySegment.ofArray(new float[24]));
            api.copyToDevice(y.address(), MemorySegment.ofArray(new int[] {0, 1, 2, 0}));
            Mlp.Eval before = gpu.evaluate(th.address(), x.address(), y.address(), 4, 0, 1f, false);
            nullRefused("θ", () -> gpu.evaluate(0, x.address(), y.address(), 4, 0, 1f, false));
            nullRefused("x", () -> gpu.evaluate(th.address(), 0, y.address(), 4, 0, 1f, false));
            nullRefused("y (labels)", () -> gpu.evaluate(th.address(), x.address(), 0, 4, 0, 1f, false));
            nullRefused("sums", () -> gpu.launch(th.address(), x.address(), y.address(), 4, 0, 1f, false, 0));
            Mlp.Eval after = gpu.evaluate(th.address(), x.address(), y.address(), 4, 0, 1f, false);
            assertEquals(before.lossSum(), after.lossSum(), 0.0, "the same loss after the refusals");
        }
    }

    private static void nullRefused(String what, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, call, what);
        org.junit.jupiter.api.Assertions.assertEquals("GPU MLP: " + what + " device address is null", e.getMessage());
    }
}
