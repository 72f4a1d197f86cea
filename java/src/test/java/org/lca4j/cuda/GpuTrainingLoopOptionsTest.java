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

    @Test
    void dataAndModelThatDoNotFitAreRefusedBeforeAnyDeviceWork() {
        Mlp mlp = new Mlp(20, 8, 4);
        var set = SyntheticData.teacher(new Random(1), 100, 20, 4);
        refused("θ₀ has 3 values", () -> new GpuTrainingLoop(mlp, set, new float[3], options(8, Double.NaN, GpuTrainingLoop.Lca.FUSED, 10)));
        refused("larger than the training set", () -> new GpuTrainingLoop(mlp, set, new float[mlp.parameterCount()],
                options(101, Double.NaN, GpuTrainingLoop.Lca.FUSED, 10)));
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
