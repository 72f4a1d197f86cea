package org.lca4j.cuda;

import org.lca4j.data.LabeledSet;
import org.lca4j.exact.Objective;
import org.lca4j.nn.BatchGradient;
import org.lca4j.nn.MinibatchGradients;
import org.lca4j.nn.Mlp;
import org.lca4j.nn.SetObjective;

/**
 * Where the harness computes gradients under the cuda backend: on the GPU ({@link GpuBatchGradient},
 * {@link GpuSetObjective}) when cuBLAS is found, else on the CPU, with the reason in the run's one
 * device line. The CPU backend never asks.
 */
public final class GpuGradients {
    private GpuGradients() {
    }

    /** Null when the GPU can compute gradients (a device was probed by the caller), else why not. */
    public static String unavailableReason() {
        NativeLibrary.Loaded l = Cublas.located();
        return l.lookup() == null ? l.reason() : null;
    }

    /** "gradients on the GPU" or "gradients on the CPU (why)", for the device line and run.json. */
    public static String where() {
        String reason = unavailableReason();
        return reason == null ? "gradients on the GPU (cuBLAS)" : "gradients on the CPU (" + reason + ")";
    }

    public static MinibatchGradients batches(Mlp mlp, LabeledSet train, int batchSize) {
        return unavailableReason() == null ? new GpuBatchGradient(mlp, train, batchSize) : new BatchGradient(mlp, train, batchSize);
    }

    public static Objective objective(Mlp mlp, LabeledSet set) {
        return unavailableReason() == null ? new GpuSetObjective(mlp, set) : new SetObjective(mlp, set);
    }
}
