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
    private static final int CHUNK_ROWS = 2048;
    private final LabeledSet set;
    private final Lca4jNative api;
    private final GpuMlp gpu;
    private final DeviceBuffer x, y, theta, grad;
    private final int dim;

    public GpuSetObjective(Mlp mlp, LabeledSet set) {
        new SetObjective(mlp, set); // the same checks of data against model, with the same messages
        this.set = set;
        this.dim = set.dim();
        this.api = CudaDevice.api();
        int params = mlp.parameterCount();
        GpuMlp g = new GpuMlp(mlp, Math.min(CHUNK_ROWS, set.n()));
        DeviceBuffer dx = null, dy = null, dt = null, dg = null;
        try {
            dx = new DeviceBuffer(api, (long) set.n() * dim * Float.BYTES);
            dy = new DeviceBuffer(api, (long) set.n() * Integer.BYTES);
            dt = new DeviceBuffer(api, (long) params * Float.BYTES);
            dg = new DeviceBuffer(api, (long) params * Float.BYTES);
            api.copyToDevice(dx.address(), MemorySegment.ofArray(set.x()));
            api.copyToDevice(dy.address(), MemorySegment.ofArray(set.y()));
        } catch (RuntimeException e) {
            for (DeviceBuffer b : new DeviceBuffer[] {dx, dy, dt, dg}) if (b != null) b.close();
            g.close();
            throw e;
        }
        this.gpu = g;
        this.x = dx;
        this.y = dy;
        this.theta = dt;
        this.grad = dg;
    }

    @Override
    public double lossAndGradient(float[] th, float[] g) {
        api.copyToDevice(theta.address(), MemorySegment.ofArray(th));
        float scale = 1f / set.n();
        double loss = 0;
        for (int r0 = 0; r0 < set.n(); r0 += CHUNK_ROWS) {
            int rows = Math.min(CHUNK_ROWS, set.n() - r0);
            loss += gpu.evaluate(theta.address(), x.address() + (long) r0 * dim * Float.BYTES, y.address() + (long) r0 * Integer.BYTES, rows,
                    grad.address(), scale, r0 > 0).lossSum();
        }
        api.copyToHost(MemorySegment.ofArray(g), grad.address());
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
            for (DeviceBuffer b : new DeviceBuffer[] {x, y, theta, grad}) b.close();
        }
    }
}
