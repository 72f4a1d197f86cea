package org.lca4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.data.LabeledSet;
import org.lca4j.data.SyntheticData;
import org.lca4j.nn.BatchGradient;
import org.lca4j.nn.Mlp;
import org.lca4j.train.RunListener;
import org.lca4j.train.StepEvent;
import org.lca4j.train.TrainConfig;
import org.lca4j.train.Trainer;

/** The harness with its gradients on the GPU against the same run on the CPU. Skipped (never passed) without a device or cuBLAS. */
class GpuTrainingTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void needsDeviceAndCublas() {
        GpuAssumptions.deviceAndCublas();
    }

    @Test
    void gradientsAndObjectiveOnOneSetShareOneDeviceCopyOfItsRows() {
        Mlp mlp = new Mlp(20, 16, 8, 4);
        LabeledSet set = SyntheticData.teacher(new Random(3), 900, 20, 4);
        float[] theta = mlp.initHeNormal(new Random(4)), before = new float[theta.length], after = new float[theta.length];
        int[] batch = {5, 17, 899, 0, 450};
        long live = DeviceBuffer.live();
        assertEquals(0, DeviceRows.copies(set));
        try (GpuBatchGradient gradients = new GpuBatchGradient(mlp, set, batch.length)) {
            double loss = gradients.gradient(theta, batch, before);
            long withOne = DeviceBuffer.live();
            LabeledSet sameData = new LabeledSet(set.x().clone(), set.y().clone(), set.n(), set.dim(), set.classes());
            try (GpuSetObjective objective = new GpuSetObjective(mlp, set)) {
                long shared = DeviceBuffer.live() - withOne;
                assertEquals(1, DeviceRows.copies(set));
                try (GpuSetObjective other = new GpuSetObjective(mlp, sameData)) {
                    // Another set object is another upload: exactly the two row buffers more.
                    assertEquals(shared + 2, DeviceBuffer.live() - withOne - shared);
                    assertEquals(objective.lossAndGradient(theta, new float[theta.length]), other.lossAndGradient(theta, new float[theta.length]));
                }
            }
            assertEquals(1, DeviceRows.copies(set), "the gradient source still holds the rows");
            assertEquals(loss, gradients.gradient(theta, batch, after), "rows intact after the objective let go");
            assertArrayEquals(before, after);
        }
        assertEquals(0, DeviceRows.copies(set));
        assertEquals(live, DeviceBuffer.live(), "the last user freed the rows");
    }

    @Test
    void runningOutOfDeviceMemoryNamesTheAllocationAndLeavesNothingBehind() {
        Mlp mlp = new Mlp(784, 100, 10);
        LabeledSet set = SyntheticData.teacher(new Random(3), 100, 784, 10);
        long live = DeviceBuffer.live();
        // A billion-row batch needs terabytes of activations: more than any device has.
        CudaException e = assertThrows(CudaException.class, () -> new GpuBatchGradient(mlp, set, 1 << 30));
        assertTrue(e.getMessage().startsWith("lca4j_malloc(") && e.getMessage().contains("bytes) failed"), e.getMessage());
        assertEquals(live, DeviceBuffer.live(), "what was allocated before the failure is freed");
        assertEquals(0, DeviceRows.copies(set));
    }

    @Test
    void batchGradientsAndHalvesMatchTheCpu() {
        Mlp mlp = new Mlp(20, 16, 8, 4);
        LabeledSet set = SyntheticData.teacher(new Random(3), 900, 20, 4);
        float[] theta = mlp.initHeNormal(new Random(4));
        int[] batch = new int[75];
        Random r = new Random(5);
        for (int i = 0; i < batch.length; i++) batch[i] = r.nextInt(set.n());
        int d = theta.length;
        float[] cg = new float[d], ca = new float[d], cb = new float[d], ch = new float[d];
        float[] gg = new float[d], ga = new float[d], gb = new float[d], gh = new float[d];
        BatchGradient cpu = new BatchGradient(mlp, set, batch.length);
        double cl = cpu.gradient(theta, batch, cg);
        double chl = cpu.halves(theta, batch, ca, cb, ch);
        try (GpuBatchGradient gpu = new GpuBatchGradient(mlp, set, batch.length)) {
            assertEquals(cl, gpu.gradient(theta, batch, gg), 1e-5 * Math.abs(cl));
            assertEquals(chl, gpu.halves(theta, batch, ga, gb, gh), 1e-5 * Math.abs(chl));
            assertEquals(2, gpu.evaluations());
        }
        for (float[][] pair : new float[][][] {{cg, gg}, {ca, ga}, {cb, gb}, {ch, gh}}) {
            double max = 0;
            for (float v : pair[0]) max = Math.max(max, Math.abs(v));
            for (int i = 0; i < d; i++) assertEquals(pair[0][i], pair[1][i], 1e-4 * max + 1e-7, "parameter " + i);
        }
    }

    @Test
    void manyTrainingGradientsLeaveNoDeviceMemoryBehind() {
        Mlp mlp = new Mlp(20, 16, 8, 4);
        LabeledSet set = SyntheticData.teacher(new Random(3), 900, 20, 4);
        float[] theta = mlp.initHeNormal(new Random(4)), a = new float[theta.length], b = new float[theta.length], g = new float[theta.length];
        int[] batch = new int[50];
        for (int i = 0; i < batch.length; i++) batch[i] = i * 7;
        long freeBefore = CudaDevice.api().memInfo()[0];
        try (GpuBatchGradient gpu = new GpuBatchGradient(mlp, set, batch.length)) {
            long during = DeviceBuffer.live();
            for (int t = 0; t < GpuAssumptions.leakSteps(); t++) gpu.halves(theta, batch, a, b, g);
            assertEquals(during, DeviceBuffer.live(), "a gradient allocates nothing");
        }
        long freeAfter = CudaDevice.api().memInfo()[0];
        assertTrue(freeBefore - freeAfter < (8L << 20), "device memory fell by " + (freeBefore - freeAfter) + " bytes");
    }

    @Test
    void aShortRunAgreesWithTheCpuRun() throws Exception {
        long live = DeviceBuffer.live();
        List<StepEvent> cpu = run("cpu"), gpu = run("cuda");
        assertEquals(live, DeviceBuffer.live(), "a finished GPU run leaves no device memory behind");
        assertEquals(cpu.size(), gpu.size());
        for (int t = 0; t < cpu.size(); t++) {
            StepEvent c = cpu.get(t), g = gpu.get(t);
            assertEquals(c.batchLoss(), g.batchLoss(), 1e-4 * Math.abs(c.batchLoss()), "batch loss at step " + t);
            double[] ce = c.lca().get("exact").lca(), ge = g.lca().get("exact").lca();
            double scale = 0;
            for (double v : ce) scale = Math.max(scale, Math.abs(v));
            for (int l = 0; l < ce.length; l++) assertEquals(ce[l], ge[l], 1e-3 * scale + 1e-9, "exact LCA at step " + t + " layer " + l);
        }
        // Same device, same seed: the GPU run repeats itself bit for bit.
        thetas.clear();
        run("cuda");
        List<float[]> first = new ArrayList<>(thetas);
        thetas.clear();
        run("cuda");
        for (int t = 0; t < first.size(); t++) assertArrayEquals(first.get(t), thetas.get(t), "θ after step " + t);
    }

    private final List<float[]> thetas = new ArrayList<>();

    private List<StepEvent> run(String device) throws Exception {
        List<StepEvent> events = new ArrayList<>();
        TrainConfig cfg = TrainConfig.builder().model("20,16,8,4").data("synthetic").syntheticSize(1200).batch(50).steps(15).seed(3)
                .estimators(List.of("exact", "free_trap", "debiased_trap")).device(device).out(tmp.resolve(device + "-" + System.nanoTime())).build();
        org.lca4j.train.RunSummary summary = Trainer.run(cfg, new RunListener() {
            @Override
            public void stepDone(StepEvent e) {
                events.add(e);
                thetas.add(e.thetaAfter().clone()); // the event holds the trainer's live θ
            }
        });
        // Conservation holds with exact LCA's gradients on the GPU as on the CPU.
        assertTrue(summary.conservation().relError() < 1e-3, device + ": conservation " + summary.conservation());
        return events;
    }
}
