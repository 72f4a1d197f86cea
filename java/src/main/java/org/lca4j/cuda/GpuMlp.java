package org.lca4j.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.lca4j.cuda.DeviceAllocations.ptr;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import org.lca4j.nn.Mlp;

/**
 * {@link Mlp#evaluate} on the GPU, for the GPU training harness and exact LCA's full-set gradients:
 * the same layout of θ and the same loops (cuda/src/mlp.cu), with cuBLAS SGEMM for the products.
 * Row-major matrices are handed to column-major cuBLAS as their transposes. Everything but the two
 * summed numbers stays on the device.
 */
public final class GpuMlp implements AutoCloseable {
    private final Mlp mlp;
    private final int[] widths;
    private final long[] wOff;
    private final long[] bOff;
    private final int capacity;
    private final Lca4jNative api;
    private final Cublas blas;
    private final DeviceAllocations owned;
    private final long[] act;
    private final long[] delta;
    private final long rowLoss, rowCorrect, sums;
    private final MethodHandle fillRows, relu, reluBackward, softmaxXent, biasGrad, sumRows;

    /** Buffers for batches of up to {@code capacity} rows; throws with the reason when there is no device or cuBLAS. */
    public GpuMlp(Mlp mlp, int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("GPU MLP capacity must be at least one row, got " + capacity);
        this.mlp = mlp;
        this.widths = mlp.widths();
        this.capacity = capacity;
        this.api = CudaDevice.api();
        int layers = widths.length - 1;
        wOff = new long[layers];
        bOff = new long[layers];
        for (int l = 0; l < layers; l++) {
            wOff[l] = mlp.layout().layer(2 * l).offset();
            bOff[l] = mlp.layout().layer(2 * l + 1).offset();
        }
        fillRows = api.bind("lca4j_fill_rows", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        relu = api.bind("lca4j_relu", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
        reluBackward = api.bind("lca4j_relu_backward", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
        softmaxXent = api.bind("lca4j_softmax_xent", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_FLOAT,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        biasGrad = api.bind("lca4j_bias_grad", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        sumRows = api.bind("lca4j_sum_rows", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        Cublas b = Cublas.open(0);
        owned = new DeviceAllocations(api);
        try {
            act = new long[layers + 1];
            delta = new long[layers];
            for (int l = 1; l <= layers; l++) {
                act[l] = owned.alloc((long) capacity * widths[l] * Float.BYTES);
                delta[l - 1] = owned.alloc((long) capacity * widths[l] * Float.BYTES);
            }
            rowLoss = owned.alloc(capacity * (long) Double.BYTES);
            rowCorrect = owned.alloc(capacity * (long) Integer.BYTES);
            sums = owned.alloc(2 * Long.BYTES); // the loss sum (double), then the correct count (int64)
        } catch (RuntimeException e) {
            b.close();
            owned.close();
            throw e;
        }
        this.blas = b;
    }

    public Mlp mlp() {
        return mlp;
    }

    /**
     * Loss over {@code rows} rows at device address {@code x} (row-major float32, {@code mlp.inputs()}
     * wide) with int32 labels at {@code y}; when {@code grad} is not 0, adds (or writes, if
     * !accumulate) scale·∇ of the summed loss there. θ, x, y and grad are device addresses.
     */
    public Mlp.Eval evaluate(long theta, long x, long y, int rows, long grad, float scale, boolean accumulate) {
        if (rows < 1 || rows > capacity) throw new IllegalArgumentException(rows + " rows, but this GPU MLP holds 1 to " + capacity);
        int layers = widths.length - 1;
        for (int l = 0; l < layers; l++) {
            int in = widths[l], out = widths[l + 1];
            long src = l == 0 ? x : act[l];
            api.invoke("lca4j_fill_rows", fillRows, ptr(act[l + 1]), ptr(param(theta, bOff[l])), rows, out, MemorySegment.NULL);
            // dst (rows×out, row-major) = src·Wᵀ: in cuBLAS's column-major terms dstᵀ = W_cmᵀ·srcᵀ.
            blas.sgemm(true, false, out, rows, in, 1f, param(theta, wOff[l]), in, src, in, 1f, act[l + 1], out);
            if (l + 1 < layers) api.invoke("lca4j_relu", relu, ptr(act[l + 1]), (long) rows * out, MemorySegment.NULL);
        }
        int k = widths[layers];
        api.invoke("lca4j_softmax_xent", softmaxXent, ptr(act[layers]), ptr(y), rows, k, scale,
                grad == 0 ? MemorySegment.NULL : ptr(delta[layers - 1]), ptr(rowLoss), ptr(rowCorrect), MemorySegment.NULL);
        if (grad != 0) backward(theta, x, rows, grad, accumulate);
        api.invoke("lca4j_sum_rows", sumRows, ptr(rowLoss), ptr(rowCorrect), rows, ptr(sums), ptr(sums + Long.BYTES), MemorySegment.NULL);
        long[] both = new long[2];
        api.copyToHost(MemorySegment.ofArray(both), sums);
        return new Mlp.Eval(Double.longBitsToDouble(both[0]), (int) both[1]);
    }

    private void backward(long theta, long x, int rows, long grad, boolean accumulate) {
        int layers = widths.length - 1;
        for (int l = layers - 1; l >= 0; l--) {
            int in = widths[l], out = widths[l + 1];
            long dz = delta[l];
            long src = l == 0 ? x : act[l];
            // gW (out×in, row-major) = dzᵀ·src: column-major gWᵀ = srcᵀ·dz.
            blas.sgemm(false, true, in, out, rows, 1f, src, in, dz, out, accumulate ? 1f : 0f, param(grad, wOff[l]), in);
            api.invoke("lca4j_bias_grad", biasGrad, ptr(dz), rows, out, ptr(param(grad, bOff[l])), accumulate ? 1 : 0, MemorySegment.NULL);
            if (l > 0) {
                // dPrev (rows×in) = dz·W: column-major dPrevᵀ = W_cm·dzᵀ.
                blas.sgemm(false, false, in, rows, out, 1f, param(theta, wOff[l]), in, dz, out, 0f, delta[l - 1], in);
                api.invoke("lca4j_relu_backward", reluBackward, ptr(delta[l - 1]), ptr(act[l]), (long) rows * in, MemorySegment.NULL);
            }
        }
    }

    private static long param(long base, long offset) {
        return base + offset * Float.BYTES;
    }

    @Override
    public void close() {
        try {
            blas.close();
        } finally {
            owned.close();
        }
    }
}
