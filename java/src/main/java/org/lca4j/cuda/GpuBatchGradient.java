package org.lca4j.cuda;

import java.lang.foreign.MemorySegment;
import org.lca4j.data.LabeledSet;
import org.lca4j.nn.BatchGradient;
import org.lca4j.nn.MinibatchGradients;
import org.lca4j.nn.Mlp;
import org.lca4j.nn.SetObjective;

/**
 * {@link BatchGradient} on the GPU: the training set lives on the device (one copy shared with a
 * {@link GpuSetObjective} on the same set, {@link DeviceRows}), batches are gathered there
 * by index, and {@link GpuMlp} computes the gradient. θ goes up and the gradient comes back each
 * call (O(D) copies), so the harness's optimizer, estimators and records run unchanged on the host
 * while every forward and backward pass runs on the GPU.
 */
public final class GpuBatchGradient implements MinibatchGradients, AutoCloseable {
    private final Lca4jNative api;
    private final GpuMlp gpu;
    private final int dim;
    private final int batchSize;
    private final int rows, params;
    private final DeviceKernels kernels;
    private final DeviceAllocations owned;
    private final long setX, setY, idx, x, y, theta, a, b;
    private long evaluations;
    private boolean closed;

    public GpuBatchGradient(Mlp mlp, LabeledSet set, int batchSize) {
        SetObjective.checkFits(mlp, set);
        this.api = CudaDevice.api();
        this.dim = set.dim();
        this.rows = set.n();
        this.params = mlp.parameterCount();
        this.batchSize = batchSize;
        this.kernels = CudaDevice.kernels();
        owned = new DeviceAllocations(api);
        long p = (long) mlp.parameterCount() * Float.BYTES;
        try {
            gpu = owned.own(new GpuMlp(mlp, batchSize));
            DeviceRows rows = owned.own(DeviceRows.of(set));
            setX = rows.x();
            setY = rows.y();
            idx = owned.alloc((long) batchSize * Integer.BYTES);
            x = owned.alloc((long) batchSize * dim * Float.BYTES);
            y = owned.alloc((long) batchSize * Integer.BYTES);
            theta = owned.alloc(p);
            a = owned.alloc(p);
            b = owned.alloc(p);
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    private void gather(float[] th, int[] batch) {
        if (closed) throw new IllegalStateException("GPU batch gradient is closed: its device copy of the training set was freed");
        if (batch.length < 1 || batch.length > batchSize) {
            throw new IllegalArgumentException("batch of " + batch.length + " rows, but this GPU gradient holds 1 to " + batchSize);
        }
        // The GPU gathers rows by index with no bounds: one outside the set reads other device memory (or faults).
        GpuTrainingLoop.checkRows(batch, rows, "batch");
        // The copies take the arrays' own lengths: a short θ would leave the rest of the device copy stale.
        GpuSetObjective.checkLength("θ", th, params);
        api.copyToDevice(theta, MemorySegment.ofArray(th));
        api.copyToDevice(idx, MemorySegment.ofArray(batch));
        kernels.gatherRows(x, y, setX, setY, idx, batch.length, dim);
        evaluations++;
    }

    @Override
    public double gradient(float[] th, int[] batch, float[] grad) {
        GpuSetObjective.checkLength("gradient", grad, params);
        gather(th, batch);
        double loss = gpu.evaluate(theta, x, y, batch.length, a, 1f / batch.length, false).lossSum();
        api.copyToHost(MemorySegment.ofArray(grad), a);
        return loss / batch.length;
    }

    @Override
    public double halves(float[] th, int[] batch, float[] ha, float[] hb, float[] grad) {
        GpuSetObjective.checkLength("first half-batch gradient", ha, params);
        GpuSetObjective.checkLength("second half-batch gradient", hb, params);
        GpuSetObjective.checkLength("gradient", grad, params);
        gather(th, batch);
        int h = batch.length / 2;
        float scale = 1f / batch.length;
        double loss = gpu.evaluate(theta, x, y, h, a, scale, false).lossSum();
        loss += gpu.evaluate(theta, x + (long) h * dim * Float.BYTES, y + (long) h * Integer.BYTES, batch.length - h, b, scale, false).lossSum();
        api.copyToHost(MemorySegment.ofArray(ha), a);
        api.copyToHost(MemorySegment.ofArray(hb), b);
        for (int i = 0; i < grad.length; i++) grad[i] = ha[i] + hb[i];
        return loss / batch.length;
    }

    @Override
    public long evaluations() {
        return evaluations;
    }

    @Override
    public void close() {
        closed = true;
        owned.close();
    }
}
