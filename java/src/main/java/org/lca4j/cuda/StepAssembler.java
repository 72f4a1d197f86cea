package org.lca4j.cuda;

import java.util.function.Consumer;

/**
 * Turns the fused kernel's per-call outputs into finished steps for {@link GpuTrainingLoop}. Call c
 * (training's gradient at θ_c, then the step) yields step c's loss and same_batch, but
 * next_batch_end, free_trap and debiased_trap of step c − 1, which need g_c; so with LCA on, step c
 * is finished by call c + 1 (for the last step, the loop's extra call on g(θ_T)). Kept apart from
 * the device code so this bookkeeping is tested without a GPU.
 */
final class StepAssembler {
    private static final int[] FROM_NEXT_CALL = {FusedOptimizer.NEXT_BATCH_END, FusedOptimizer.FREE_TRAP, FusedOptimizer.DEBIASED_TRAP};
    private final boolean lagged;
    private final long steps;
    private final int batch;
    private final Consumer<GpuTrainingLoop.StepResult> sink;
    private GpuTrainingLoop.StepResult pending;
    private long expected;

    /**
     * @param lagged with LCA on: step c waits for call c + 1; off: every call is its own finished step
     * @param batch  rows per batch, to turn the loss sum into a mean
     */
    StepAssembler(boolean lagged, long steps, int batch, Consumer<GpuTrainingLoop.StepResult> sink) {
        this.lagged = lagged;
        this.steps = steps;
        this.batch = batch;
        this.sink = sink;
    }

    /** Call c's outputs, calls in order; {@code lossSum} and {@code correct} are of batch c at θ_c. */
    void accept(long call, FusedOptimizer.Step out, double lossSum, long correct) {
        if (call != expected) throw new IllegalStateException("call " + call + " arrived, expected " + expected);
        expected++;
        if (pending != null) {
            for (int q : FROM_NEXT_CALL) {
                pending.lca()[q] = out.lca()[q];
                pending.helped()[q] = out.helped()[q];
                pending.hurt()[q] = out.hurt()[q];
            }
            sink.accept(pending);
            pending = null;
        }
        if (call >= steps) return; // the extra call after the last step only finishes that step
        if (!Double.isFinite(lossSum)) {
            throw new IllegalStateException("training diverged at step " + call + ": batch loss is " + lossSum / batch + " (try a smaller --lr)");
        }
        GpuTrainingLoop.StepResult r = new GpuTrainingLoop.StepResult(call, lossSum / batch, correct, out.lca(), out.helped(), out.hurt());
        if (lagged) pending = r;
        else sink.accept(r);
    }
}
