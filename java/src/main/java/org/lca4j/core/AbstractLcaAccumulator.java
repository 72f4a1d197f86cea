package org.lca4j.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Turns every supported input form into per-layer float32 segments and checks shapes once, so a
 * backend implements only {@link #accumulate}. Shape errors name the input, the layer and both sizes.
 */
public abstract class AbstractLcaAccumulator implements LcaAccumulator {
    protected final ParamLayout layout;
    private final double[] totals;
    private long steps;
    private String failure;
    private boolean closed;
    /**
     * Who is inside a step, a read of the sums or close(), if anyone: overlapping calls would tear the
     * sums without a word, or on the GPU free device memory under a running kernel.
     */
    private final AtomicReference<Use> inUse = new AtomicReference<>();

    private record Use(Thread thread, String doing) {
    }

    protected AbstractLcaAccumulator(ParamLayout layout) {
        this.layout = layout;
        this.totals = new double[layout.layerCount()];
    }

    /**
     * Adds one step. {@code before} is null when {@code second} holds Δθ directly; otherwise
     * {@code second} holds θ_{t+1} and Δθ = second − before. Returns the step's per-layer sums.
     */
    protected abstract StepLca accumulate(long step, MemorySegment[] gradient, MemorySegment[] before, MemorySegment[] second);

    @Override
    public final ParamLayout layout() {
        return layout;
    }

    @Override
    public final StepLca step(float[] gradient, float[] before, float[] after) {
        return run(flat("gradient", gradient), flat("θ_t", before), flat("θ_{t+1}", after));
    }

    @Override
    public final StepLca stepDelta(float[] gradient, float[] delta) {
        return run(flat("gradient", gradient), null, flat("Δθ", delta));
    }

    @Override
    public final StepLca step(float[][] gradient, float[][] before, float[][] after) {
        return run(perLayer("gradient", gradient), perLayer("θ_t", before), perLayer("θ_{t+1}", after));
    }

    @Override
    public final StepLca step(FloatBuffer gradient, FloatBuffer before, FloatBuffer after) {
        return run(flat("gradient", buffer("gradient", gradient)), flat("θ_t", buffer("θ_t", before)), flat("θ_{t+1}", buffer("θ_{t+1}", after)));
    }

    @Override
    public final StepLca stepDelta(FloatBuffer gradient, FloatBuffer delta) {
        return run(flat("gradient", buffer("gradient", gradient)), null, flat("Δθ", buffer("Δθ", delta)));
    }

    @Override
    public final StepLca step(MemorySegment gradient, MemorySegment before, MemorySegment after) {
        return run(flat("gradient", gradient), flat("θ_t", before), flat("θ_{t+1}", after));
    }

    @Override
    public final StepLca stepDelta(MemorySegment gradient, MemorySegment delta) {
        return run(flat("gradient", gradient), null, flat("Δθ", delta));
    }

    @Override
    public final long steps() {
        return steps;
    }

    @Override
    public final double[] cumulative(int layer) {
        boolean claimed = claim("read cumulative LCA", "reading cumulative LCA");
        try {
            if (closed) throw new IllegalStateException("LCA accumulator is closed: its cumulative sums were released (read them before close())");
            if (failure != null) {
                // The check rides in the accumulating pass, which is what keeps it free: by the time a
                // layer's sum came out non-finite, the step's values were already added.
                throw new IllegalStateException("cumulative LCA is not available after a refused step (" + failure
                        + "): that step was partly added before its bad value was found; read the sums before a step that may not be finite");
            }
            return readCumulative(layout.layer(layer));
        } finally {
            if (claimed) inUse.set(null);
        }
    }

    /** A copy of one layer's per-parameter cumulative sums. */
    protected abstract double[] readCumulative(Layer layer);

    @Override
    public final double[] layerTotals() {
        return totals.clone();
    }

    @Override
    public void close() {
        // Claimed, not only checked: a step that claims after this sees closed and touches nothing,
        // so the CUDA backend's freeing (after super.close()) never runs under another thread's kernel.
        boolean claimed = claim("close it", "closing it");
        closed = true;
        if (claimed) inUse.set(null);
    }

    /** Whether {@link #close()} has run: for backends that free their own memory once. */
    protected final boolean isClosed() {
        return closed;
    }

    private StepLca run(MemorySegment[] g, MemorySegment[] a, MemorySegment[] b) {
        return runStep(step -> accumulate(step, g, a, b));
    }

    /**
     * Runs one step's work with the shared bookkeeping (closed and failed checks, step count, layer
     * totals): for backends with input forms of their own, such as device pointers.
     */
    protected final StepLca runStep(java.util.function.LongFunction<StepLca> work) {
        Thread me = Thread.currentThread();
        Use held = inUse.compareAndExchange(null, new Use(me, "stepping"));
        if (held != null) {
            throw new IllegalStateException("LCA accumulator is in use by thread '" + held.thread().getName() + "' (" + held.doing() + "), and a step from '"
                    + me.getName() + "' would overlap it; an accumulator is not thread-safe: use it from one thread at a time");
        }
        try {
            // Checked once the accumulator is ours: a close() from another thread is then either done or refused.
            if (closed) throw new IllegalStateException("LCA accumulator is closed");
            if (failure != null) throw new IllegalStateException("LCA accumulator stopped after an earlier error: " + failure);
            StepLca s;
            try {
                s = work.apply(steps);
            } catch (NonFiniteInputException e) {
                failure = e.getMessage();
                throw e;
            }
            for (int l = 0; l < totals.length; l++) totals[l] += s.lca(l);
            steps++;
            return s;
        } finally {
            inUse.set(null);
        }
    }

    /**
     * Takes the accumulator for {@code doing}, refusing {@code what} while another thread holds it.
     * Returns false when this thread already holds it (a backend's own call inside its step), which
     * the caller then leaves to its holder to release.
     */
    private boolean claim(String what, String doing) {
        Thread me = Thread.currentThread();
        Use held = inUse.compareAndExchange(null, new Use(me, doing));
        if (held == null) return true;
        if (held.thread() == me) return false;
        throw new IllegalStateException("cannot " + what + " while thread '" + held.thread().getName() + "' is using this LCA accumulator ("
                + held.doing() + "); wait for it to return");
    }

    /** Finds the first non-finite input of a layer whose sum came out non-finite, for the error message. */
    protected final NonFiniteInputException nonFinite(long step, int layer, MemorySegment g, MemorySegment a, MemorySegment b) {
        Layer l = layout.layer(layer);
        long n = l.size();
        for (long i = 0; i < n; i++) {
            float gi = g.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            String which = !Float.isFinite(gi) ? "gradient = " + gi
                    : a != null && !Float.isFinite(a.getAtIndex(ValueLayout.JAVA_FLOAT, i)) ? "θ_t = " + a.getAtIndex(ValueLayout.JAVA_FLOAT, i)
                    : !Float.isFinite(b.getAtIndex(ValueLayout.JAVA_FLOAT, i)) ? (a == null ? "Δθ = " : "θ_{t+1} = ") + b.getAtIndex(ValueLayout.JAVA_FLOAT, i)
                    : null;
            if (which != null) return new NonFiniteInputException("non-finite input at step " + step + ", " + l.describe(i) + ": " + which);
        }
        return new NonFiniteInputException("LCA overflowed at step " + step + " in layer " + l.name() + " (finite inputs, product out of double range)");
    }

    private MemorySegment[] flat(String what, float[] v) {
        if (v == null) throw new IllegalArgumentException(what + " is null");
        return flat(what, MemorySegment.ofArray(v));
    }

    private MemorySegment[] flat(String what, MemorySegment v) {
        if (v == null) throw new IllegalArgumentException(what + " is null");
        // FFM's own errors for these ("Already closed", "Attempted access outside owning thread") name no input.
        if (!v.scope().isAlive()) throw new IllegalArgumentException(what + " is memory that was already freed (its arena is closed)");
        if (!v.isAccessibleBy(Thread.currentThread())) {
            throw new IllegalArgumentException(what + " is memory of another thread's confined arena; allocate it in a shared or global arena, or step on that thread");
        }
        long expected = layout.size() * Float.BYTES;
        if (v.byteSize() != expected) {
            throw new IllegalArgumentException(what + " is " + v.byteSize() + " bytes (" + (v.byteSize() % Float.BYTES == 0 ? v.byteSize() / Float.BYTES + " floats" : "not whole floats")
                    + ") but the layout " + layout.layer(0).name() + ".." + layout.layers().getLast().name() + " has " + layout.size() + " parameters (" + expected + " bytes)");
        }
        // Checked before any work: a kernel that met it half-way would already have added part of the step.
        if (v.maxByteAlignment() < Float.BYTES || (v.isNative() && v.address() % Float.BYTES != 0)) {
            throw new IllegalArgumentException(what + " is not 4-byte-aligned float32 memory (" + (v.isNative() ? "address " + v.address() : "a heap segment over a "
                    + v.heapBase().map(o -> o.getClass().getSimpleName()).orElse("?")) + "); pass a float[], a FloatBuffer or an aligned segment");
        }
        MemorySegment[] out = new MemorySegment[layout.layerCount()];
        for (int l = 0; l < out.length; l++) {
            Layer layer = layout.layer(l);
            out[l] = v.asSlice(layer.offset() * Float.BYTES, layer.size() * Float.BYTES);
        }
        return out;
    }

    private MemorySegment[] perLayer(String what, float[][] v) {
        if (v == null) throw new IllegalArgumentException(what + " is null");
        if (v.length != layout.layerCount()) {
            throw new IllegalArgumentException(what + " has " + v.length + " layer arrays but the layout has " + layout.layerCount() + " layers " + layout.names());
        }
        MemorySegment[] out = new MemorySegment[v.length];
        for (int l = 0; l < v.length; l++) {
            Layer layer = layout.layer(l);
            if (v[l] == null) throw new IllegalArgumentException(what + " for layer " + layer.name() + " is null");
            if (v[l].length != layer.size()) {
                throw new IllegalArgumentException(what + " for layer " + layer.name() + " has " + v[l].length + " floats, shape " + layer.shapeString() + " needs " + layer.size());
            }
            out[l] = MemorySegment.ofArray(v[l]);
        }
        return out;
    }

    private static MemorySegment buffer(String what, FloatBuffer b) {
        if (b == null) throw new IllegalArgumentException(what + " is null");
        if (b.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException(what + " buffer is " + b.order() + "; lca4j reads native-order (" + ByteOrder.nativeOrder()
                    + ") float32: create it with ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder()).asFloatBuffer(), or FloatBuffer.wrap(float[])");
        }
        if (!b.isDirect() && !b.hasArray()) {
            // A view over a heap ByteBuffer: its floats sit in a byte[], which the kernels cannot read as aligned floats.
            throw new IllegalArgumentException(what + " buffer is a float view of a heap ByteBuffer; use ByteBuffer.allocateDirect(…) or FloatBuffer.wrap(float[])");
        }
        return MemorySegment.ofBuffer(b);
    }
}
