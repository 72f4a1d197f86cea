package org.lca4j.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lca4j.data.SyntheticData;
import org.lca4j.nn.Mlp;

/** What GpuTrainingLoop refuses, with the reason, before and without any device. */
class GpuTrainingLoopOptionsTest {
    private static GpuTrainingLoop.Options options(int batch, double keep, GpuTrainingLoop.Lca lca, int window) {
        return new GpuTrainingLoop.Options("sgd", 0.01, 0.9, batch, keep, lca, window);
    }

    private static void refused(String expected, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void badOptionsAreNamed() {
        refused("--batch must be positive", () -> options(0, Double.NaN, GpuTrainingLoop.Lca.FUSED, 10));
        refused("window", () -> options(8, Double.NaN, GpuTrainingLoop.Lca.FUSED, 0));
        refused("with trapezoids only", () -> options(8, 0.9, GpuTrainingLoop.Lca.SEPARATE, 10));
        refused("with trapezoids only", () -> options(8, 0.9, GpuTrainingLoop.Lca.FUSED_NO_TRAP, 10));
        refused("with trapezoids only", () -> options(8, 0.9, GpuTrainingLoop.Lca.FUSED_NO_TRAP_FROM_STATE, 10));
        refused("plain SGD has no optimizer state", () -> new GpuTrainingLoop.Options("sgd", 0.1, 0, 8, Double.NaN,
                GpuTrainingLoop.Lca.FUSED_NO_TRAP_FROM_STATE, 10));
        refused("--batch 2 or more", () -> options(1, 0.9, GpuTrainingLoop.Lca.FUSED, 10));
        refused("Lca mode is null", () -> options(8, Double.NaN, null, 10));
    }

    /**
     * nn/Sgd and nn/Adam refuse a learning rate that is not positive and momentum outside [0,1); the
     * fused optimizer took them (and a null optimizer name, with a NullPointerException about
     * "&lt;local17&gt;") and the device filled θ with NaN. Refused now, naming the setting, before any
     * device work.
     */
    @Test
    void hyperparametersTheCpuOptimizersRefuseAreRefused() {
        org.lca4j.core.ParamLayout layout = org.lca4j.core.ParamLayout.builder().add("w", 3, 2).build();
        for (double lr : new double[] {Double.NaN, 0, -0.1}) {
            refused("--lr must be positive", () -> new GpuTrainingLoop.Options("sgd", lr, 0.9, 8, Double.NaN, GpuTrainingLoop.Lca.FUSED, 10));
            refused("--lr must be positive", () -> new FusedOptimizer(layout, "adam", lr, 0, 0.9, 0.999, 1e-8, Double.NaN));
        }
        for (double momentum : new double[] {Double.NaN, 1, -0.5}) {
            refused("--momentum must be in [0,1)", () -> new GpuTrainingLoop.Options("sgd", 0.1, momentum, 8, Double.NaN, GpuTrainingLoop.Lca.OFF, 10));
            refused("--momentum must be in [0,1)", () -> new FusedOptimizer(layout, "sgd", 0.1, momentum, 0.9, 0.999, 1e-8, Double.NaN));
        }
        refused("β1 and β2", () -> new FusedOptimizer(layout, "adam", 0.1, 0, 1, 0.999, 1e-8, Double.NaN));
        refused("ε must be positive", () -> new FusedOptimizer(layout, "adam", 0.1, 0, 0.9, 0.999, Double.NaN, Double.NaN));
        refused("sgd or adam, got null", () -> new FusedOptimizer(layout, null, 0.1, 0, 0.9, 0.999, 1e-8, Double.NaN));
        refused("sgd or adam, got null", () -> new GpuTrainingLoop.Options(null, 0.1, 0, 8, Double.NaN, GpuTrainingLoop.Lca.FUSED, 10));
        refused("layout is null", () -> new FusedOptimizer(null, "sgd", 0.1, 0, 0.9, 0.999, 1e-8, Double.NaN));
    }

    @Test
    void dataAndModelThatDoNotFitAreRefusedBeforeAnyDeviceWork() {
        Mlp mlp = new Mlp(20, 8, 4);
        var set = SyntheticData.teacher(new Random(1), 100, 20, 4);
        refused("θ₀ has 3 values", () -> new GpuTrainingLoop(mlp, set, new float[3], options(8, Double.NaN, GpuTrainingLoop.Lca.FUSED, 10)));
        refused("larger than the training set", () -> new GpuTrainingLoop(mlp, set, new float[mlp.parameterCount()],
                options(101, Double.NaN, GpuTrainingLoop.Lca.FUSED, 10)));
        // A NaN in θ₀ read as "training diverged at step 0: batch loss is NaN (try a smaller --lr)".
        float[] nan = new float[mlp.parameterCount()];
        nan[20 * 8 + 3] = Float.NaN;
        refused("θ₀ is not finite at " + mlp.layout().describe(20 * 8 + 3) + ": NaN",
                () -> new GpuTrainingLoop(mlp, set, nan, options(8, Double.NaN, GpuTrainingLoop.Lca.FUSED, 10)));
        refused("θ₀ is null", () -> new GpuTrainingLoop(mlp, set, null, options(8, Double.NaN, GpuTrainingLoop.Lca.FUSED, 10)));
        var wide = SyntheticData.teacher(new Random(1), 100, 21, 4);
        refused("input width", () -> new GpuTrainingLoop(mlp, wide, new float[mlp.parameterCount()], options(8, Double.NaN, GpuTrainingLoop.Lca.FUSED, 10)));
    }

    @Test
    @Tag("no-device") // skips where a GPU is; gpu_check.sh leaves it out
    void withoutADeviceTheLoopSaysWhy() {
        CudaDevice.Availability a = CudaDevice.probe();
        assumeFalse(a.available(), "a CUDA device is present; the refusal is not exercised here");
        Mlp mlp = new Mlp(20, 8, 4);
        var set = SyntheticData.teacher(new Random(1), 100, 20, 4);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new GpuTrainingLoop(mlp, set, new float[mlp.parameterCount()], options(8, Double.NaN, GpuTrainingLoop.Lca.FUSED, 10)));
        assertTrue(e.getMessage().contains(a.reason()), e.getMessage());
    }
}
