package org.lca4j.cuda;

import java.lang.foreign.MemorySegment;
import org.lca4j.data.LabeledSet;
import org.lca4j.exact.Objective;
import org.lca4j.nn.Mlp;
import org.lca4j.nn.SetObjective;

/**
 * {@link SetObjective} on the GPU: the reference set lives on the device (one copy shared with a
 * {@link GpuBatchGradient} on the same set, {@link DeviceRows}) and L_R, g_R are summed over
 * the same fixed chunks in the same order, with {@link GpuMlp}. Exact LCA's Simpson bookkeeping stays
 * on the host (O(D) per point); the full-set gradients, its whole cost, move to the GPU.
 */
public final class GpuSetObjective implements Objective, AutoCloseable {
    private static final int CHUNK_ROWS = SetObjective.CHUNK_ROWS;
    private final LabeledSet set;
    private final Lca4jNative api;
    private final GpuMlp gpu;
    private final DeviceAllocations owned;
    private final long x, y, theta, grad, chunkSums;
    private final int dim, chunks, params;
    private final long[] hostSums;
    private boolean closed;

    public GpuSetObjective(Mlp mlp, LabeledSet set) {
        SetObjective.checkFits(mlp, set);
        this.set = set;
        this.dim = set.dim();
        this.chunks = (set.n() + CHUNK_ROWS - 1) / CHUNK_ROWS;
        this.hostSums = new long[2 * chunks];
        this.api = CudaDevice.api();
        this.params = mlp.parameterCount();
        long paramBytes = (long) params * Float.BYTES;
        owned = new DeviceAllocations(api);
        try {
            gpu = owned.own(new GpuMlp(mlp, Math.min(CHUNK_ROWS, set.n())));
            DeviceRows rows = owned.own(DeviceRows.of(set));
            x = rows.x();
            y = rows.y();
            theta = owned.alloc(paramBytes);
            grad = owned.alloc(paramBytes);
            chunkSums = owned.alloc(2L * chunks * Long.BYTES); // per chunk: loss sum (double), correct (int64)
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    @Override
    public double lossAndGradient(float[] th, float[] g) {
        if (closed) throw new IllegalStateException("GPU set objective is closed: its device copy of the set was freed");
        checkLength("θ", th, params);
        checkLength("gradient", g, params);
        api.copyToDevice(theta, MemorySegment.ofArray(th));
        float scale = 1f / set.n();
        // Every chunk is queued before anything is read: one wait per evaluation, not one per chunk.
        for (int c = 0; c < chunks; c++) {
            int r0 = c * CHUNK_ROWS, rows = Math.min(CHUNK_ROWS, set.n() - r0);
            gpu.launch(theta, x + (long) r0 * dim * Float.BYTES, y + (long) r0 * Integer.BYTES, rows, grad, scale, c > 0,
                    chunkSums + 2L * c * Long.BYTES);
        }
        api.copyToHost(MemorySegment.ofArray(hostSums), chunkSums);
        api.copyToHost(MemorySegment.ofArray(g), grad);
        double loss = 0;
        for (int c = 0; c < chunks; c++) loss += Double.longBitsToDouble(hostSums[2 * c]); // chunk order, as SetObjective
        return loss / set.n();
    }

    /**
     * Refuses a host array of another length than the model's parameters: the copies to and from the
     * device take the array's own length, so a short θ left the rest of the device copy stale and a
     * short gradient came back cut off, both silently.
     */
    static void checkLength(String what, float[] v, int params) {
        if (v == null) throw new IllegalArgumentException(what + " is null");
        if (v.length != params) throw new IllegalArgumentException(what + " has " + v.length + " values, the model has " + params + " parameters");
    }

    @Override
    public int size() {
        return set.n();
    }

    @Override
    public void close() {
        closed = true;
        owned.close();
    }
}
