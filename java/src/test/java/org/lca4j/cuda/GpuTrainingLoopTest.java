package org.lca4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.data.DataSources;
import org.lca4j.data.LabeledSet;
import org.lca4j.data.SyntheticData;
import org.lca4j.nn.Mlp;
import org.lca4j.train.BatchOrder;
import org.lca4j.train.RunListener;
import org.lca4j.train.Seeds;
import org.lca4j.train.StepEvent;
import org.lca4j.train.TrainConfig;
import org.lca4j.train.Trainer;

/**
 * The device-resident loop against the CPU harness on the same seed, data and batch order, and
 * against itself. Skipped (never passed) without a device or cuBLAS.
 */
class GpuTrainingLoopTest {
    private static final String[] NAMES = {"next_batch_end", "free_trap", "same_batch", "debiased_trap"};
    private static final int[] SLOT = {FusedOptimizer.NEXT_BATCH_END, FusedOptimizer.FREE_TRAP, FusedOptimizer.SAME_BATCH, FusedOptimizer.DEBIASED_TRAP};
    private static final int STEPS = 25, BATCH = 50, SEED = 3;

    @TempDir
    Path tmp;

    @BeforeEach
    void needsDeviceAndCublas() {
        GpuAssumptions.deviceAndCublas();
    }

    @Test
    void fusedLoopAgreesWithTheCpuHarness() throws Exception {
        for (String optimizer : new String[] {"sgd", "adam"}) {
            Mlp mlp = new Mlp(20, 16, 8, 4);
            LabeledSet train = SyntheticData.teacher(new Random(SEED), 1200, 20, 4);
            List<StepEvent> cpu = cpuRun(mlp, train, optimizer);
            float[] theta0 = cpuTheta0;
            BatchOrder order = new BatchOrder(new Seeds(SEED), train.n(), BATCH);
            double keep = 1 - BATCH / (double) train.n();
            List<GpuTrainingLoop.StepResult> gpu = new ArrayList<>();
            // A window of 7 does not divide 26 calls: the step finished across a window boundary is covered.
            List<GpuTrainingLoop.StepResult> fromState = new ArrayList<>();
            try (GpuTrainingLoop loop = new GpuTrainingLoop(mlp, train, theta0, options(optimizer, keep, GpuTrainingLoop.Lca.FUSED, 7))) {
                loop.run(order::batch, STEPS, gpu::add);
            }
            try (GpuTrainingLoop loop = new GpuTrainingLoop(mlp, train, theta0, options(optimizer, keep, GpuTrainingLoop.Lca.FUSED_FROM_STATE, 7))) {
                loop.run(order::batch, STEPS, fromState::add);
            }
            assertEquals(STEPS, gpu.size(), optimizer);
            assertEquals(STEPS, fromState.size(), optimizer);
            for (int t = 0; t < STEPS; t++) {
                StepEvent c = cpu.get(t);
                GpuTrainingLoop.StepResult g = gpu.get(t);
                assertEquals(t, g.step());
                assertEquals(c.batchLoss(), g.loss(), 1e-4 * Math.abs(c.batchLoss()), optimizer + " batch loss at step " + t);
                for (int e = 0; e < NAMES.length; e++) {
                    double[] ce = c.lca().get(NAMES[e]).lca(), ge = g.lca()[SLOT[e]], fe = fromState.get(t).lca()[SLOT[e]];
                    double scale = 0;
                    for (double v : ce) scale = Math.max(scale, Math.abs(v));
                    for (int l = 0; l < ce.length; l++) {
                        assertEquals(ce[l], ge[l], 2e-3 * scale + 1e-9, optimizer + " " + NAMES[e] + " at step " + t + " layer " + l);
                        assertEquals(ce[l], fe[l], 2e-3 * scale + 1e-9, optimizer + " " + NAMES[e] + " (Δθ from state) at step " + t + " layer " + l);
                    }
                }
            }
        }
    }

    @Test
    void lcaNeverChangesTheTrajectoryAndRerunsRepeatBitForBit() {
        Mlp mlp = new Mlp(20, 16, 8, 4);
        LabeledSet train = SyntheticData.teacher(new Random(SEED), 1200, 20, 4);
        float[] theta0 = mlp.initHeNormal(new Random(9));
        BatchOrder order = new BatchOrder(new Seeds(SEED), train.n(), BATCH);
        float[] off = finalTheta(mlp, train, theta0, order, options("sgd", Double.NaN, GpuTrainingLoop.Lca.OFF, 5), null);
        List<GpuTrainingLoop.StepResult> first = new ArrayList<>(), second = new ArrayList<>(), separate = new ArrayList<>(), lean = new ArrayList<>();
        float[] fused = finalTheta(mlp, train, theta0, order, options("sgd", Double.NaN, GpuTrainingLoop.Lca.FUSED, 5), first);
        float[] again = finalTheta(mlp, train, theta0, order, options("sgd", Double.NaN, GpuTrainingLoop.Lca.FUSED, 11), second);
        float[] sep = finalTheta(mlp, train, theta0, order, options("sgd", Double.NaN, GpuTrainingLoop.Lca.SEPARATE, 5), separate);
        float[] noTrap = finalTheta(mlp, train, theta0, order, options("sgd", Double.NaN, GpuTrainingLoop.Lca.FUSED_NO_TRAP, 5), lean);
        List<GpuTrainingLoop.StepResult> state = new ArrayList<>(), stateAgain = new ArrayList<>();
        float[] fromState = finalTheta(mlp, train, theta0, order, options("sgd", Double.NaN, GpuTrainingLoop.Lca.FUSED_NO_TRAP_FROM_STATE, 5), state);
        float[] fromStateAgain = finalTheta(mlp, train, theta0, order, options("sgd", Double.NaN, GpuTrainingLoop.Lca.FUSED_NO_TRAP_FROM_STATE, 9),
                stateAgain);
        assertArrayEquals(off, fromState, "fused LCA with Δθ from the optimizer state changed θ");
        assertArrayEquals(fromState, fromStateAgain);
        assertArrayEquals(off, noTrap, "fused LCA without trapezoids changed θ");
        assertArrayEquals(off, fused, "fused LCA changed θ");
        assertArrayEquals(off, sep, "separate LCA changed θ");
        assertArrayEquals(fused, again);
        for (int t = 0; t < STEPS; t++) {
            for (int q = 0; q < FusedOptimizer.SLOTS; q++) {
                assertArrayEquals(first.get(t).lca()[q], second.get(t).lca()[q], "rerun, slot " + q + " step " + t); // bit for bit
            }
            // The separate launch computes the same next_batch_end from the same vectors.
            double[] f = first.get(t).lca()[FusedOptimizer.NEXT_BATCH_END], s = separate.get(t).lca()[FusedOptimizer.NEXT_BATCH_END];
            for (int l = 0; l < f.length; l++) assertEquals(f[l], s[l], 1e-9 * Math.abs(f[l]) + 1e-12, "separate vs fused, step " + t + " layer " + l);
            assertEquals(0.0, separate.get(t).lca()[FusedOptimizer.SAME_BATCH][0], "slots the separate mode does not compute read 0");
            // Without the trapezoids the kernel computes the other two slots exactly as before, and leaves these at 0.
            for (int q : new int[] {FusedOptimizer.NEXT_BATCH_END, FusedOptimizer.SAME_BATCH}) {
                assertArrayEquals(first.get(t).lca()[q], lean.get(t).lca()[q], "no-trapezoid slot " + q + " step " + t);
            }
            assertEquals(0.0, lean.get(t).lca()[FusedOptimizer.FREE_TRAP][0]);
            // Δθ from the state: same_batch untouched, next_batch_end within θ's rounding, reruns bit for bit.
            assertArrayEquals(first.get(t).lca()[FusedOptimizer.SAME_BATCH], state.get(t).lca()[FusedOptimizer.SAME_BATCH], "same_batch, step " + t);
            double[] kept = first.get(t).lca()[FusedOptimizer.NEXT_BATCH_END], rec = state.get(t).lca()[FusedOptimizer.NEXT_BATCH_END];
            for (int l = 0; l < kept.length; l++) assertEquals(kept[l], rec[l], 1e-3 * Math.abs(kept[l]) + 1e-9, "Δθ from state, step " + t + " layer " + l);
            for (int q = 0; q < FusedOptimizer.SLOTS; q++) {
                assertArrayEquals(state.get(t).lca()[q], stateAgain.get(t).lca()[q], "from-state rerun, slot " + q + " step " + t);
            }
        }
    }

    @Test
    void manyStepsLeaveNoDeviceMemoryBehind() {
        int steps = GpuAssumptions.leakSteps();
        Mlp mlp = new Mlp(20, 16, 8, 4);
        LabeledSet train = SyntheticData.teacher(new Random(SEED), 1200, 20, 4);
        BatchOrder order = new BatchOrder(new Seeds(SEED), train.n(), BATCH);
        long live = DeviceBuffer.live();
        long freeBefore = CudaDevice.api().memInfo()[0];
        long[] seen = {0};
        try (GpuTrainingLoop loop = new GpuTrainingLoop(mlp, train, mlp.initHeNormal(new Random(1)),
                options("adam", 1 - BATCH / 1200.0, GpuTrainingLoop.Lca.FUSED, 64))) {
            long during = DeviceBuffer.live();
            loop.run(order::batch, steps, r -> {
                assertTrue(Double.isFinite(r.loss()));
                seen[0]++;
            });
            assertEquals(during, DeviceBuffer.live(), "steps allocate nothing");
        }
        assertEquals(steps, seen[0]);
        assertEquals(live, DeviceBuffer.live(), "closing frees every buffer");
        long freeAfter = CudaDevice.api().memInfo()[0];
        assertTrue(freeBefore - freeAfter < (8L << 20), "device memory fell by " + (freeBefore - freeAfter) + " bytes");
    }

    private static GpuTrainingLoop.Options options(String optimizer, double keep, GpuTrainingLoop.Lca lca, int window) {
        return new GpuTrainingLoop.Options(optimizer, optimizer.equals("adam") ? 1e-3 : 0.05, optimizer.equals("adam") ? 0 : 0.9, BATCH, keep, lca, window);
    }

    private static float[] finalTheta(Mlp mlp, LabeledSet train, float[] theta0, BatchOrder order, GpuTrainingLoop.Options o,
                                      List<GpuTrainingLoop.StepResult> into) {
        try (GpuTrainingLoop loop = new GpuTrainingLoop(mlp, train, theta0, o)) {
            loop.run(order::batch, STEPS, r -> {
                if (into != null) into.add(r);
            });
            return loop.theta();
        }
    }

    private float[] cpuTheta0;

    private List<StepEvent> cpuRun(Mlp mlp, LabeledSet train, String optimizer) {
        List<StepEvent> events = new ArrayList<>();
        TrainConfig cfg = TrainConfig.builder().model("20,16,8,4").optimizer(optimizer).lr(optimizer.equals("adam") ? 1e-3 : 0.05)
                .momentum(optimizer.equals("adam") ? 0 : 0.9).batch(BATCH).steps(STEPS).seed(SEED).estimators(List.of(NAMES)).device("cpu")
                .out(tmp.resolve(optimizer)).build();
        cpuTheta0 = null;
        Trainer.run(cfg, mlp, new DataSources.Splits(train, null, "synthetic"), new RunListener() {
            @Override
            public void stepDone(StepEvent e) {
                if (cpuTheta0 == null) cpuTheta0 = e.thetaBefore().clone();
                events.add(e);
            }
        });
        return events;
    }

    /**
     * Batch indices come from the caller and the GPU gathers rows by them with no bounds: an index
     * outside the training set read other device memory (silently, on the emulation in index order)
     * or crashed the JVM (the emulation's guard pages). Both the loop and the batch gradient refuse it
     * now, naming the batch, the position and the index; steps already handed over stay handed over.
     */
    @Test
    void rowIndicesOutsideTheTrainingSetAreRefused() {
        Mlp mlp = new Mlp(6, 5, 3);
        LabeledSet train = SyntheticData.teacher(new Random(1), 40, 6, 3);
        float[] theta0 = mlp.initHeNormal(new Random(2));
        var options = new GpuTrainingLoop.Options("sgd", 0.05, 0.9, 4, Double.NaN, GpuTrainingLoop.Lca.FUSED, 2);
        for (int bad : new int[] {40, -1, 1_000_000}) {
            List<GpuTrainingLoop.StepResult> done = new ArrayList<>();
            try (GpuTrainingLoop loop = new GpuTrainingLoop(mlp, train, theta0, options)) {
                IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> loop.run(t -> t == 3 ? new int[] {0, 1, bad, 3} : new int[] {0, 1, 2, 3}, 5, done::add));
                assertTrue(e.getMessage().contains("batch 3, row 2: index " + bad), e.getMessage());
                assertEquals(1, done.size(), "the first window's finished step is kept");
            }
            try (GpuBatchGradient bg = new GpuBatchGradient(mlp, train, 4)) {
                IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> bg.gradient(theta0, new int[] {bad, 1}, new float[theta0.length]));
                assertTrue(e.getMessage().contains("row 0: index " + bad), e.getMessage());
            }
        }
    }
}
