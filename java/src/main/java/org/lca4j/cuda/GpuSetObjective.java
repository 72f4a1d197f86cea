package org.lca4j.cuda;

import java.lang.foreign.MemorySegment;
import org.lca4j.data.LabeledSet;
import org.lca4j.exact.Objective;
import org.lca4j.nn.Mlp;
import org.lca4j.nn.SetObjective;

/**
 * {@link SetObjective} on the GPU: the reference set lives on the device and L_R, g_R are summed over
 * the same fixed chunks in the same order, with {@link GpuMlp}. Exact LCA's Simpson bookkeeping stays
 * on the host (O(D) per point); the full-set gradients, its whole cost, move to the GPU.
 */
public final class GpuSetObjective implements Objective, AutoCloseable {
    private static final int CHUNK_ROWS = SetObjective.CHUNK_ROWS;
    private final LabeledSet set;
    private final Lca4jNative api;
    private final GpuMlp gpu;
    private final DeviceAllocations owned;
    private final long x, y, theta, grad;
    private final int dim;

    public GpuSetObjective(Mlp mlp, LabeledSet set) {
        SetObjective.checkFits(mlp, set);
        this.set = set;
        this.dim = set.dim();
        this.api = CudaDevice.api();
        long params = (long) mlp.parameterCount() * Float.BYTES;
        GpuMlp g = new GpuMlp(mlp, Math.min(CHUNK_ROWS, set.n()));
        owned = new DeviceAllocations(api);
        try {
            x = owned.copyOf(MemorySegment.ofArray(set.x()));
            y = owned.copyOf(MemorySegment.ofArray(set.y()));
            theta = owned.alloc(params);
            grad = owned.alloc(params);
        } catch (RuntimeException e) {
            owned.close();
            g.close();
            throw e;
        }
        this.gpu = g;
    }

    @Override
    public double lossAndGradient(float[] th, float[] g) {
        api.copyToDevice(theta, MemorySegment.ofArray(th));
        float scale = 1f / set.n();
        double loss = 0;
        for (int r0 = 0; r0 < set.n(); r0 += CHUNK_ROWS) {
            int rows = Math.min(CHUNK_ROWS, set.n() - r0);
            loss += gpu.evaluate(theta, x + (long) r0 * dim * Float.BYTES, y + (long) r0 * Integer.BYTES, rows, grad, scale, r0 > 0).lossSum();
        }
        api.copyToHost(MemorySegment.ofArray(g), grad);
        return loss / set.n();
    }

    @Override
    public int size() {
        return set.n();
    }

    @Override
    public void close() {
        try {
            gpu.close();
        } finally {
            owned.close();
        }
    }
}
