package org.lca4j.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.lca4j.core.AbstractLcaAccumulator;
import org.lca4j.core.Layer;
import org.lca4j.core.ParamLayout;
import org.lca4j.core.StepLca;

/**
 * The CUDA backend: every step is one fused launch over all layers (cuda/src/layer_lca.cu) that
 * computes each layer's Σ A and helped/hurt counts and adds A into per-parameter cumulative sums kept
 * on the device. The same numbers as the CPU backend: each A is the same double, only the order of
 * the (double) sums differs, and that order is fixed, so reruns give the same bits.
 *
 * <p>Host inputs (arrays, buffers, segments) are copied to device buffers first. Callers whose
 * gradients and parameters already live on the device pass their addresses to
 * {@link #stepDevice(long, long, long)} and {@link #stepDeltaDevice(long, long)}: no host copies then,
 * only the per-layer results come back.
 */
public final class CudaLcaAccumulator extends AbstractLcaAccumulator {
    private final Lca4jNative api;
    private final int layers;
    private final long params;
    private final Arena arena = Arena.ofShared();
    private final DeviceAllocations owned;
    private final long gradient, before, after, cumulative, workspace, workspaceBytes, sums, helped, hurt;
    private final MemorySegment table;
    private final MemorySegment hostSums, hostHelped, hostHurt;

    public CudaLcaAccumulator(ParamLayout layout) {
        super(layout);
        this.api = CudaDevice.api();
        this.layers = layout.layerCount();
        this.params = layout.size();
        MemorySegment sizes = arena.allocate(JAVA_LONG, layers);
        for (int l = 0; l < layers; l++) sizes.setAtIndex(JAVA_LONG, l, layout.layer(l).size());
        workspaceBytes = api.layerLcaWorkspace(sizes, layers);
        owned = new DeviceAllocations(api);
        try {
            gradient = owned.alloc(params * Float.BYTES);
            before = owned.alloc(params * Float.BYTES);
            after = owned.alloc(params * Float.BYTES);
            cumulative = owned.zeroed(params * Double.BYTES);
            workspace = owned.alloc(workspaceBytes);
            sums = owned.alloc((long) layers * Double.BYTES);
            helped = owned.alloc((long) layers * Long.BYTES);
            hurt = owned.alloc((long) layers * Long.BYTES);
        } catch (RuntimeException e) {
            owned.close();
            arena.close();
            throw e;
        }
        table = arena.allocate(Lca4jNative.LAYER, layers);
        hostSums = arena.allocate(JAVA_DOUBLE, layers);
        hostHelped = arena.allocate(JAVA_LONG, layers);
        hostHurt = arena.allocate(JAVA_LONG, layers);
    }

    @Override
    protected StepLca accumulate(long step, MemorySegment[] g, MemorySegment[] a, MemorySegment[] b) {
        for (int l = 0; l < layers; l++) {
            long off = layout.layer(l).offset() * Float.BYTES;
            api.copyToDevice(gradient + off, g[l]);
            if (a != null) api.copyToDevice(before + off, a[l]);
            api.copyToDevice(after + off, b[l]);
        }
        StepLca s = launch(step, gradient, a == null ? 0 : before, after);
        for (int l = 0; l < layers; l++) {
            if (!Double.isFinite(s.lca(l))) throw nonFinite(step, l, g[l], a == null ? null : a[l], b[l]);
        }
        return s;
    }

    /**
     * One step from device memory: flat float32 vectors of {@code layout().size()} elements, in the
     * layout's order, at device addresses (e.g. from cudaMalloc, JCuda or another CUDA library).
     */
    public StepLca stepDevice(long gradientAddress, long beforeAddress, long afterAddress) {
        requireAddress("gradient", gradientAddress);
        requireAddress("θ_t", beforeAddress);
        requireAddress("θ_{t+1}", afterAddress);
        return runStep(step -> checked(step, launch(step, gradientAddress, beforeAddress, afterAddress), gradientAddress, beforeAddress, afterAddress));
    }

    /** As {@link #stepDevice} with Δθ given directly. */
    public StepLca stepDeltaDevice(long gradientAddress, long deltaAddress) {
        requireAddress("gradient", gradientAddress);
        requireAddress("Δθ", deltaAddress);
        return runStep(step -> checked(step, launch(step, gradientAddress, 0, deltaAddress), gradientAddress, 0, deltaAddress));
    }

    private static void requireAddress(String what, long address) {
        if (address == 0) throw new IllegalArgumentException(what + " device address is null");
    }

    /** On a non-finite sum, copies that layer's inputs back to name the first bad value. */
    private StepLca checked(long step, StepLca s, long g, long a, long b) {
        for (int l = 0; l < layers; l++) {
            if (Double.isFinite(s.lca(l))) continue;
            Layer layer = layout.layer(l);
            long off = layer.offset() * Float.BYTES, bytes = layer.size() * Float.BYTES;
            try (Arena tmp = Arena.ofConfined()) {
                MemorySegment hg = tmp.allocate(bytes), ha = a == 0 ? null : tmp.allocate(bytes), hb = tmp.allocate(bytes);
                api.copyToHost(hg, g + off);
                if (ha != null) api.copyToHost(ha, a + off);
                api.copyToHost(hb, b + off);
                throw nonFinite(step, l, hg, ha, hb);
            }
        }
        return s;
    }

    private StepLca launch(long step, long g, long a, long b) {
        queue(g, a, b, true, sums, helped, hurt);
        api.copyToHost(hostSums, sums);
        api.copyToHost(hostHelped, helped);
        api.copyToHost(hostHurt, hurt);
        return new StepLca(step, layout, hostSums.toArray(JAVA_DOUBLE), hostHelped.toArray(JAVA_LONG), hostHurt.toArray(JAVA_LONG));
    }

    /**
     * Queues one step's LCA (and, with {@code cumulative}, the per-parameter update) without waiting,
     * leaving the per-layer sums and counts ([layers] double, int64, int64) at the device addresses
     * given: a loop that keeps everything on the GPU reads many steps back at once. No step is
     * counted and no check is made.
     */
    void queue(long g, long a, long b, boolean cumulative, long sumOut, long helpedOut, long hurtOut) {
        for (int l = 0; l < layers; l++) {
            Layer layer = layout.layer(l);
            long f = layer.offset() * Float.BYTES;
            MemorySegment row = table.asSlice(l * Lca4jNative.LAYER.byteSize(), Lca4jNative.LAYER);
            row.fill((byte) 0);
            row.set(ADDRESS, Lca4jNative.LAYER_G0, MemorySegment.ofAddress(g + f));
            row.set(ADDRESS, Lca4jNative.LAYER_BEFORE, a == 0 ? MemorySegment.NULL : MemorySegment.ofAddress(a + f));
            row.set(ADDRESS, Lca4jNative.LAYER_AFTER, MemorySegment.ofAddress(b + f));
            if (cumulative) {
                row.set(ADDRESS, Lca4jNative.LAYER_CUMULATIVE, MemorySegment.ofAddress(this.cumulative + layer.offset() * Double.BYTES));
            }
            row.set(JAVA_LONG, Lca4jNative.LAYER_N, layer.size());
        }
        api.layerLca(table, layers, MemorySegment.NULL, workspace, workspaceBytes, sumOut, helpedOut, hurtOut);
    }

    @Override
    protected double[] readCumulative(Layer l) {
        requireFitsArray(l);
        double[] out = new double[(int) l.size()];
        api.copyToHost(MemorySegment.ofArray(out), open(cumulative) + l.offset() * Double.BYTES);
        return out;
    }

    /**
     * The device holds layers of any size, a double[] at most {@value #MAX_ARRAY} values: a larger
     * layer's cumulative sums are read where they are (this was an ArithmeticException "integer
     * overflow", naming nothing).
     */
    static void requireFitsArray(Layer l) {
        if (l.size() > MAX_ARRAY) {
            throw new IllegalStateException("layer " + l.name() + " has " + l.size() + " parameters, more than a Java array holds (" + MAX_ARRAY
                    + "): read its cumulative LCA on the device, " + l.offset() + " doubles past cumulativeDeviceAddress()");
        }
    }

    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** Device address of the per-parameter cumulative LCA (float64, layout order), for callers that keep working on the GPU. */
    public long cumulativeDeviceAddress() {
        return open(cumulative);
    }

    @Override
    public void close() {
        if (isClosed()) return;
        super.close();
        owned.close();
        arena.close();
    }

    /** A buffer's address, unless close() has freed it. */
    private long open(long address) {
        if (isClosed()) throw new IllegalStateException("LCA accumulator is closed: its device buffers (cumulative sums included) were freed");
        return address;
    }
}
