package org.lca4j.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.lca4j.core.ParamLayout;
import org.lca4j.data.LabeledSet;
import org.lca4j.data.SyntheticData;
import org.lca4j.nn.Mlp;

/**
 * Every GPU object refuses use after close() with one line naming itself, as the LCA accumulator
 * does. Their buffers are device memory that close() freed; a use went on to read or write it (on the
 * emulation a CudaException for a copy, FFM's bare "Already closed" for the fused optimizer's host
 * arguments; on a GPU freed memory, possibly reused by then). Skipped (never passed) without a
 * device or cuBLAS.
 */
class UseAfterCloseTest {
    @BeforeEach
    void needsDeviceAndCublas() {
        GpuAssumptions.deviceAndCublas();
    }

    @Test
    void everyGpuObjectRefusesUseAfterClose() {
        Mlp mlp = new Mlp(6, 5, 3);
        LabeledSet set = SyntheticData.teacher(new Random(1), 40, 6, 3);
        float[] theta = mlp.initHeNormal(new Random(2));
        int[] batch = {0, 1, 2, 3};
        float[] grad = new float[theta.length];

        FusedOptimizer opt = new FusedOptimizer(mlp.layout(), "adam", 0.01, 0, 0.9, 0.999, 1e-8, Double.NaN);
        CudaLcaAccumulator acc = new CudaLcaAccumulator(mlp.layout());
        long someDevice = acc.cumulativeDeviceAddress(); // device memory for the calls below to be refused before use
        opt.close();
        refused("fused optimizer", () -> opt.step(someDevice, someDevice, 0));
        refused("fused optimizer", () -> opt.plainStep(someDevice, someDevice));
        refused("fused optimizer", () -> opt.read(someDevice, someDevice, someDevice));
        acc.close();
        refused("LCA accumulator", acc::cumulativeDeviceAddress);

        GpuMlp gpu = new GpuMlp(mlp, 4);
        gpu.close();
        refused("GPU MLP", () -> gpu.evaluate(someDevice, someDevice, someDevice, 4, 0, 1f, false));

        GpuBatchGradient bg = new GpuBatchGradient(mlp, set, 4);
        bg.close();
        refused("GPU batch gradient", () -> bg.gradient(theta, batch, grad));

        GpuSetObjective obj = new GpuSetObjective(mlp, set);
        obj.close();
        refused("GPU set objective", () -> obj.lossAndGradient(theta, grad));

        var options = new GpuTrainingLoop.Options("sgd", 0.05, 0.9, 4, Double.NaN, GpuTrainingLoop.Lca.FUSED, 2);
        GpuTrainingLoop loop = new GpuTrainingLoop(mlp, set, theta, options);
        loop.run(t -> batch, 3, r -> { });
        loop.close();
        refused("GPU training loop", loop::theta);
        refused("GPU training loop", loop::thetaAddress);
        GpuTrainingLoop unused = new GpuTrainingLoop(mlp, set, theta, options);
        unused.close();
        refused("GPU training loop", () -> unused.run(t -> batch, 3, r -> { }));
    }

    private static void refused(String what, Executable use) {
        IllegalStateException e = assertThrows(IllegalStateException.class, use, what);
        assertTrue(e.getMessage().startsWith(what + " is closed") && e.getMessage().lines().count() == 1, e.getMessage());
    }
}
