package org.lca4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lca4j.core.ParamLayout;
import org.lca4j.nn.Adam;
import org.lca4j.nn.Optimizer;
import org.lca4j.nn.Sgd;

/**
 * The fused optimizer step against nn/Sgd and nn/Adam (θ bit for bit) and the free estimators
 * computed on the CPU from the same gradients, over several steps. Skipped (never passed) without a device.
 */
class FusedOptimizerTest {
    @BeforeEach
    void needsDevice() {
        GpuAssumptions.device();
    }

    @Test
    void sgdMomentumAndAdamMatchTheCpu() {
        run("sgd", 0.0, new Sgd(0.05, 0), FusedOptimizer.PreviousStep.KEPT_THETA);
        run("sgd", 0.9, new Sgd(0.05, 0.9), FusedOptimizer.PreviousStep.KEPT_THETA);
        run("adam", 0.0, new Adam(0.01), FusedOptimizer.PreviousStep.KEPT_THETA);
    }

    /**
     * Without θ_t kept, the previous step is the optimizer's update recomputed from its state: it may
     * differ from θ's actual move only by θ's float rounding (half an ulp of θ_t per parameter), so
     * the sums are held to that bound. A wrong state or step-size (Adam's bias correction of the other
     * step, say) is off by orders of magnitude more.
     */
    @Test
    void withoutKeptThetaThePreviousStepComesFromTheOptimizerState() {
        run("sgd", 0.0, new Sgd(0.05, 0), FusedOptimizer.PreviousStep.FROM_STATE);
        run("sgd", 0.9, new Sgd(0.05, 0.9), FusedOptimizer.PreviousStep.FROM_STATE);
        run("adam", 0.0, new Adam(0.01), FusedOptimizer.PreviousStep.FROM_STATE);
    }

    private static void run(String name, double momentum, Optimizer cpu, FusedOptimizer.PreviousStep previous) {
        ParamLayout layout = ParamLayout.builder().add("a", 7, 13).add("b", 1).add("c", 4097).add("d", 3, 3).build();
        int d = (int) layout.size(), layers = layout.layerCount();
        double keep = 0.9;
        Random r = new Random(17);
        float[] theta = new float[d];
        for (int i = 0; i < d; i++) theta[i] = (float) r.nextGaussian();
        float[] prevTheta = null, prevGrad = null;
        double[] prevCorr = null;
        Lca4jNative api = CudaDevice.api();
        float lr = name.equals("adam") ? 0.01f : 0.05f;
        boolean fromState = previous == FusedOptimizer.PreviousStep.FROM_STATE;
        try (FusedOptimizer gpu = new FusedOptimizer(layout, name, lr, momentum, 0.9, 0.999, 1e-8, keep, true, previous);
             DeviceBuffer dt = new DeviceBuffer(api, d * 4L); DeviceBuffer dg = new DeviceBuffer(api, d * 4L);
             DeviceBuffer dh = new DeviceBuffer(api, d * 4L)) {
            api.copyToDevice(dt.address(), MemorySegment.ofArray(theta));
            for (int step = 0; step < 5; step++) {
                float[] a = new float[d], b = new float[d], g = new float[d];
                for (int i = 0; i < d; i++) {
                    a[i] = (float) (0.5 * r.nextGaussian());
                    // Some parameters never move (g = 0 from halves that cancel, so the noise estimate is
                    // not 0): debiased_trap must leave them uncorrected, as the CPU estimator does.
                    b[i] = i % 11 == 5 ? -a[i] : (float) (0.5 * r.nextGaussian());
                    g[i] = a[i] + b[i];
                }
                api.copyToDevice(dg.address(), MemorySegment.ofArray(g));
                api.copyToDevice(dh.address(), MemorySegment.ofArray(a));
                FusedOptimizer.Step s = gpu.step(dt.address(), dg.address(), dh.address());

                float[] before = theta.clone();
                cpu.step(theta, g);
                float[] onDevice = new float[d];
                api.copyToHost(MemorySegment.ofArray(onDevice), dt.address());
                assertArrayEquals(theta, onDevice, name + " step " + step + ": θ must match nn's optimizer bit for bit");

                double[] corr = new double[d];
                double[][] expect = new double[FusedOptimizer.SLOTS][layers];
                double[][] scale = new double[FusedOptimizer.SLOTS][layers];
                double[][] rounding = new double[FusedOptimizer.SLOTS][layers]; // Σ |multiplier| · ulp(θ_t), from-state only
                for (int l = 0; l < layers; l++) {
                    for (long i = layout.layer(l).offset(); i < layout.layer(l).offset() + layout.layer(l).size(); i++) {
                        int k = (int) i;
                        double spread = 2.0 * a[k] - g[k];
                        corr[k] = (float) (-0.5 * keep * spread * spread * cpu.sensitivity(k, g[k]));
                        add(expect, scale, FusedOptimizer.SAME_BATCH, l, (double) g[k] * ((double) theta[k] - before[k]));
                        if (prevTheta != null) {
                            double delta = (double) before[k] - prevTheta[k];
                            double ft = (double) (float) (0.5 * ((double) prevGrad[k] + g[k])) * delta;
                            add(expect, scale, FusedOptimizer.NEXT_BATCH_END, l, (double) g[k] * delta);
                            add(expect, scale, FusedOptimizer.FREE_TRAP, l, ft);
                            add(expect, scale, FusedOptimizer.DEBIASED_TRAP, l, delta == 0 ? ft : ft + prevCorr[k]);
                            if (fromState) {
                                double u = Math.ulp(before[k]), trap = Math.abs((float) (0.5 * ((double) prevGrad[k] + g[k])));
                                rounding[FusedOptimizer.NEXT_BATCH_END][l] += Math.abs(g[k]) * u;
                                rounding[FusedOptimizer.FREE_TRAP][l] += trap * u;
                                rounding[FusedOptimizer.DEBIASED_TRAP][l] += trap * u;
                            }
                        }
                    }
                }
                for (int q = 0; q < FusedOptimizer.SLOTS; q++) {
                    for (int l = 0; l < layers; l++) {
                        assertEquals(expect[q][l], s.lca()[q][l], 1e-6 * scale[q][l] + rounding[q][l] + 1e-12,
                                name + " " + previous + " step " + step + " slot " + q + " layer " + l);
                    }
                }
                prevTheta = before;
                prevGrad = g;
                prevCorr = corr;
            }
        }
    }

    /**
     * A refused call changes nothing. A null θ or gradient used to reach the C side, which refused it
     * with an unnamed "bad argument" after the step count had moved on: the next step then skipped
     * momentum's first-step start (reading the never-written buffer: θ became NaN) or used Adam's
     * bias correction of the wrong step.
     */
    @Test
    void aRefusedCallNamesItsArgumentAndLeavesTheOptimizerAsItWas() {
        ParamLayout layout = ParamLayout.builder().add("w", 7, 13).add("b", 7).build();
        int d = (int) layout.size();
        Random r = new Random(5);
        float[] theta0 = new float[d];
        for (int i = 0; i < d; i++) theta0[i] = (float) r.nextGaussian();
        float[][] grads = new float[3][d];
        for (float[] g : grads) for (int i = 0; i < d; i++) g[i] = (float) r.nextGaussian();
        Lca4jNative api = CudaDevice.api();
        for (String name : new String[] {"sgd", "adam"}) {
            double momentum = name.equals("sgd") ? 0.9 : 0;
            float[][] thetas = new float[2][d];
            double[][][] sums = new double[2][][];
            for (int run = 0; run < 2; run++) {
                try (FusedOptimizer opt = new FusedOptimizer(layout, name, 0.01, momentum, 0.9, 0.999, 1e-8, Double.NaN);
                     DeviceBuffer dt = new DeviceBuffer(api, d * 4L); DeviceBuffer dg = new DeviceBuffer(api, d * 4L)) {
                    api.copyToDevice(dt.address(), MemorySegment.ofArray(theta0));
                    if (run == 1) {
                        IllegalArgumentException noTheta = assertThrows(IllegalArgumentException.class, () -> opt.step(0, dg.address(), 0));
                        assertTrue(noTheta.getMessage().contains("θ"), noTheta.getMessage());
                        IllegalArgumentException noGrad = assertThrows(IllegalArgumentException.class, () -> opt.plainStep(dt.address(), 0));
                        assertTrue(noGrad.getMessage().contains("gradient"), noGrad.getMessage());
                    }
                    for (float[] g : grads) {
                        api.copyToDevice(dg.address(), MemorySegment.ofArray(g));
                        sums[run] = opt.step(dt.address(), dg.address(), 0).lca();
                    }
                    api.copyToHost(MemorySegment.ofArray(thetas[run]), dt.address());
                }
            }
            assertArrayEquals(thetas[0], thetas[1], name + ": θ after refused calls");
            for (int q = 0; q < FusedOptimizer.SLOTS; q++) assertArrayEquals(sums[0][q], sums[1][q], name + ": slot " + q + " after refused calls");
        }
    }

    /**
     * A NaN or infinite gradient used to come back as NaN sums with no error, θ and the optimizer
     * state silently NaN from then on. step() now refuses it, naming the step and the parameter, and
     * the optimizer refuses further steps (its state took the bad value in the same pass).
     */
    @Test
    void aNonFiniteGradientIsNamedAndStopsTheOptimizer() {
        ParamLayout layout = ParamLayout.builder().add("w", 7, 13).add("b", 7).build();
        int d = (int) layout.size();
        Lca4jNative api = CudaDevice.api();
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            try (FusedOptimizer opt = new FusedOptimizer(layout, "adam", 0.01, 0, 0.9, 0.999, 1e-8, Double.NaN);
                 DeviceBuffer dt = new DeviceBuffer(api, d * 4L); DeviceBuffer dg = new DeviceBuffer(api, d * 4L)) {
                float[] theta = new float[d], g = new float[d];
                java.util.Arrays.fill(theta, 0.5f);
                java.util.Arrays.fill(g, 0.25f);
                api.copyToDevice(dt.address(), MemorySegment.ofArray(theta));
                api.copyToDevice(dg.address(), MemorySegment.ofArray(g));
                opt.step(dt.address(), dg.address(), 0);
                g[91 + 4] = bad;
                api.copyToDevice(dg.address(), MemorySegment.ofArray(g));
                var e = assertThrows(org.lca4j.core.NonFiniteInputException.class, () -> opt.step(dt.address(), dg.address(), 0));
                assertTrue(e.getMessage().startsWith("non-finite input at step 1 of the fused optimizer, b[4]: gradient = " + bad), e.getMessage());
                var again = assertThrows(IllegalStateException.class, () -> opt.step(dt.address(), dg.address(), 0));
                assertTrue(again.getMessage().contains("stopped after an earlier error") && again.getMessage().contains("b[4]"), again.getMessage());
            }
        }
    }

    private static void add(double[][] sum, double[][] scale, int slot, int layer, double v) {
        sum[slot][layer] += v;
        scale[slot][layer] += Math.abs(v);
    }
}
