package org.lca4j.cuda;

import static org.lca4j.cuda.DeviceAllocations.ptr;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Typed Java entry points to the kernel launchers of lca4j.h that the GPU model and the optimizer
 * use: device pointers as {@code long} addresses, sizes as the header's int or int64, queued on the
 * default stream. One place holds the exact invocations, so NativeBindingsTest can drive each of
 * them without a device.
 */
final class DeviceKernels {
    private static final MemorySegment DEFAULT_STREAM = MemorySegment.NULL;
    private final Lca4jNative api;
    private final MethodHandle gatherRows, fillRows, relu, reluBackward, softmaxXent, biasGrad, sumRows, optimizerWorkspace,
            optimizerStepLca, optimizerStep;

    DeviceKernels(Lca4jNative api) {
        this.api = api;
        gatherRows = api.bind("lca4j_gather_rows");
        fillRows = api.bind("lca4j_fill_rows");
        relu = api.bind("lca4j_relu");
        reluBackward = api.bind("lca4j_relu_backward");
        softmaxXent = api.bind("lca4j_softmax_xent");
        biasGrad = api.bind("lca4j_bias_grad");
        sumRows = api.bind("lca4j_sum_rows");
        optimizerWorkspace = api.bind("lca4j_optimizer_workspace");
        optimizerStepLca = api.bind("lca4j_optimizer_step_lca");
        optimizerStep = api.bind("lca4j_optimizer_step");
    }

    void gatherRows(long x, long y, long setX, long setY, long idx, int rows, int dim) {
        api.call("lca4j_gather_rows", () -> (int) gatherRows.invokeExact(ptr(x), ptr(y), ptr(setX), ptr(setY), ptr(idx), rows, dim, DEFAULT_STREAM));
    }

    void fillRows(long z, long bias, int rows, int out) {
        api.call("lca4j_fill_rows", () -> (int) fillRows.invokeExact(ptr(z), ptr(bias), rows, out, DEFAULT_STREAM));
    }

    void relu(long v, long n) {
        api.call("lca4j_relu", () -> (int) relu.invokeExact(ptr(v), n, DEFAULT_STREAM));
    }

    void reluBackward(long delta, long act, long n) {
        api.call("lca4j_relu_backward", () -> (int) reluBackward.invokeExact(ptr(delta), ptr(act), n, DEFAULT_STREAM));
    }

    /** {@code dz} 0 for the loss alone. */
    void softmaxXent(long logits, long y, int rows, int k, float scale, long dz, long rowLoss, long rowCorrect) {
        api.call("lca4j_softmax_xent", () -> (int) softmaxXent.invokeExact(ptr(logits), ptr(y), rows, k, scale, ptr(dz), ptr(rowLoss),
                ptr(rowCorrect), DEFAULT_STREAM));
    }

    void biasGrad(long dz, int rows, int out, long gradBias, boolean accumulate) {
        int acc = accumulate ? 1 : 0;
        api.call("lca4j_bias_grad", () -> (int) biasGrad.invokeExact(ptr(dz), rows, out, ptr(gradBias), acc, DEFAULT_STREAM));
    }

    void sumRows(long rowLoss, long rowCorrect, int n, long lossSum, long correctSum) {
        api.call("lca4j_sum_rows", () -> (int) sumRows.invokeExact(ptr(rowLoss), ptr(rowCorrect), n, ptr(lossSum), ptr(correctSum), DEFAULT_STREAM));
    }

    /** Host segments: {@code sizes} int64[layers], {@code bytes} one size_t. */
    void optimizerWorkspace(MemorySegment sizes, int layers, MemorySegment bytes) {
        api.call("lca4j_optimizer_workspace", () -> (int) optimizerWorkspace.invokeExact(sizes, layers, bytes));
    }

    /** {@code opt}, {@code sizes}, {@code debias} are host segments (debias NULL when off); a 0 address is NULL. */
    void optimizerStepLca(MemorySegment opt, MemorySegment sizes, int layers, long theta, long thetaPrev, long grad, long gradPrev, long m,
                          long v, MemorySegment debias, boolean hasPrev, long workspace, long workspaceBytes, long sum, long helped,
                          long hurt) {
        int prev = hasPrev ? 1 : 0;
        api.call("lca4j_optimizer_step_lca", () -> (int) optimizerStepLca.invokeExact(opt, sizes, layers, ptr(theta), ptr(thetaPrev), ptr(grad),
                ptr(gradPrev), ptr(m), ptr(v), debias, prev, ptr(workspace), workspaceBytes, ptr(sum), ptr(helped), ptr(hurt), DEFAULT_STREAM));
    }

    void optimizerStep(MemorySegment opt, long theta, long grad, long m, long v, long n) {
        api.call("lca4j_optimizer_step", () -> (int) optimizerStep.invokeExact(opt, ptr(theta), ptr(grad), ptr(m), ptr(v), n, DEFAULT_STREAM));
    }
}
