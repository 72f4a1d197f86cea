package org.lca4j.cuda;

import java.lang.foreign.MemorySegment;
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
    private final DeviceKernels k;
    private final Cublas blas;
    private final DeviceAllocations owned;
    private final long[] act;
    private final long[] delta;
    private final long rowLoss, rowCorrect, sums;
    private boolean closed;

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
        this.k = CudaDevice.kernels();
        owned = new DeviceAllocations(api);
        try {
            blas = owned.own(Cublas.open(0));
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
            owned.close();
            throw e;
        }
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
        requireOpen();
        launch(theta, x, y, rows, grad, scale, accumulate, sums);
        long[] both = new long[2];
        api.copyToHost(MemorySegment.ofArray(both), sums);
        return new Mlp.Eval(Double.longBitsToDouble(both[0]), (int) both[1]);
    }

    /**
     * {@link #evaluate} without waiting for it: queues the work and leaves the loss sum (double) at
     * device address {@code sumsOut} and the correct count (int64) right after it, so a training
     * loop can read many steps' sums in one copy instead of stopping the GPU every step.
     */
    public void launch(long theta, long x, long y, int rows, long grad, float scale, boolean accumulate, long sumsOut) {
        requireOpen();
        if (rows < 1 || rows > capacity) throw new IllegalArgumentException(rows + " rows, but this GPU MLP holds 1 to " + capacity);
        // Checked here, before any launch: θ + a layer's offset is no longer null, so a null θ reached the
        // kernels as a wild pointer, faulted, and the fault surfaced at the next call (on a GPU it ends the context).
        requireAddress("θ", theta);
        requireAddress("x", x);
        requireAddress("y (labels)", y);
        requireAddress("sums", sumsOut);
        int layers = widths.length - 1;
        for (int l = 0; l < layers; l++) {
            int in = widths[l], out = widths[l + 1];
            long src = l == 0 ? x : act[l];
            k.fillRows(act[l + 1], param(theta, bOff[l]), rows, out);
            // dst (rows×out, row-major) = src·Wᵀ: in cuBLAS's column-major terms dstᵀ = W_cmᵀ·srcᵀ.
            blas.sgemm(true, false, out, rows, in, 1f, param(theta, wOff[l]), in, src, in, 1f, act[l + 1], out);
            if (l + 1 < layers) k.relu(act[l + 1], (long) rows * out);
        }
        k.softmaxXent(act[layers], y, rows, widths[layers], scale, grad == 0 ? 0 : delta[layers - 1], rowLoss, rowCorrect);
        if (grad != 0) backward(theta, x, rows, grad, accumulate);
        k.sumRows(rowLoss, rowCorrect, rows, sumsOut, sumsOut + Long.BYTES);
    }

    private void backward(long theta, long x, int rows, long grad, boolean accumulate) {
        int layers = widths.length - 1;
        for (int l = layers - 1; l >= 0; l--) {
            int in = widths[l], out = widths[l + 1];
            long dz = delta[l];
            long src = l == 0 ? x : act[l];
            // gW (out×in, row-major) = dzᵀ·src: column-major gWᵀ = srcᵀ·dz.
            blas.sgemm(false, true, in, out, rows, 1f, src, in, dz, out, accumulate ? 1f : 0f, param(grad, wOff[l]), in);
            k.biasGrad(dz, rows, out, param(grad, bOff[l]), accumulate);
            if (l > 0) {
                // dPrev (rows×in) = dz·W: column-major dPrevᵀ = W_cm·dzᵀ.
                blas.sgemm(false, false, in, rows, out, 1f, param(theta, wOff[l]), in, dz, out, 0f, delta[l - 1], in);
                k.reluBackward(delta[l - 1], act[l], (long) rows * in);
            }
        }
    }

    private static long param(long base, long offset) {
        return base + offset * Float.BYTES;
    }

    private static void requireAddress(String what, long address) {
        if (address == 0) throw new IllegalArgumentException("GPU MLP: " + what + " device address is null");
    }

    private void requireOpen() {
        if (closed) throw new IllegalStateException("GPU MLP is closed: its device buffers and cuBLAS handle were freed");
    }

    @Override
    public void close() {
        closed = true;
        owned.close();
    }
}
