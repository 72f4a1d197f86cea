package org.lca4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GpuTrainingLoop's step bookkeeping, without a GPU: which call finishes which step, and with what. */
class StepAssemblerTest {
    private static final int LAYERS = 3, BATCH = 4;

    /** Call c's outputs, each value naming its call, slot and layer: 1000·c + 10·slot + layer. */
    private static FusedOptimizer.Step call(long c) {
        double[][] lca = new double[FusedOptimizer.SLOTS][LAYERS];
        long[][] helped = new long[FusedOptimizer.SLOTS][LAYERS], hurt = new long[FusedOptimizer.SLOTS][LAYERS];
        for (int q = 0; q < FusedOptimizer.SLOTS; q++) {
            for (int l = 0; l < LAYERS; l++) {
                lca[q][l] = 1000 * c + 10 * q + l;
                helped[q][l] = 1000 * c + 10 * q + l;
                hurt[q][l] = -(1000 * c + 10 * q + l);
            }
        }
        return new FusedOptimizer.Step(lca, helped, hurt);
    }

    @Test
    void withLcaStepTTakesSameBatchFromItsCallAndTheRestFromTheNext() {
        List<GpuTrainingLoop.StepResult> out = new ArrayList<>();
        long steps = 5;
        StepAssembler a = new StepAssembler(true, steps, BATCH, out::add);
        for (long c = 0; c <= steps; c++) {
            a.accept(c, call(c), 8.0 * (c + 1), c);
            assertEquals(c, out.size(), "step " + (c - 1) + " is handed over at call " + c + ", not before");
        }
        for (int t = 0; t < steps; t++) {
            GpuTrainingLoop.StepResult r = out.get(t);
            assertEquals(t, r.step());
            assertEquals(2.0 * (t + 1), r.loss(), "mean loss of batch t at θ_t, from call t");
            assertEquals(t, r.correct());
            for (int l = 0; l < LAYERS; l++) {
                assertEquals(1000 * t + 10 * FusedOptimizer.SAME_BATCH + l, r.lca()[FusedOptimizer.SAME_BATCH][l]);
                for (int q : new int[] {FusedOptimizer.NEXT_BATCH_END, FusedOptimizer.FREE_TRAP, FusedOptimizer.DEBIASED_TRAP}) {
                    assertEquals(1000 * (t + 1) + 10 * q + l, r.lca()[q][l], "slot " + q + " of step " + t + " comes from call " + (t + 1));
                    assertEquals(1000 * (t + 1) + 10 * q + l, r.helped()[q][l]);
                    assertEquals(-(1000 * (t + 1) + 10 * q + l), r.hurt()[q][l]);
                }
            }
        }
    }

    @Test
    void withoutLcaEveryCallIsAFinishedStep() {
        List<GpuTrainingLoop.StepResult> out = new ArrayList<>();
        StepAssembler a = new StepAssembler(false, 3, BATCH, out::add);
        for (long c = 0; c < 3; c++) {
            a.accept(c, call(c), 4.0, 0);
            assertEquals(c + 1, out.size());
            assertEquals(1.0, out.get((int) c).loss());
        }
    }

    @Test
    void aNonFiniteLossNamesTheStepAfterHandingOverTheOnesBefore() {
        List<GpuTrainingLoop.StepResult> out = new ArrayList<>();
        StepAssembler a = new StepAssembler(true, 10, BATCH, out::add);
        a.accept(0, call(0), 1, 0);
        a.accept(1, call(1), 1, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.accept(2, call(2), Double.NaN, 0));
        assertTrue(e.getMessage().contains("step 2"), e.getMessage());
        assertEquals(2, out.size(), "steps 0 and 1 were handed over before the error");
    }

    @Test
    void callsOutOfOrderAreRefused() {
        StepAssembler a = new StepAssembler(true, 10, BATCH, r -> { });
        a.accept(0, call(0), 1, 0);
        assertThrows(IllegalStateException.class, () -> a.accept(2, call(2), 1, 0));
    }
}
