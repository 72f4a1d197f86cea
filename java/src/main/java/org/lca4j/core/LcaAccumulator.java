package org.lca4j.core;

import java.lang.foreign.MemorySegment;
import java.nio.FloatBuffer;

/**
 * Accumulates Loss Change Allocation step by step from the caller's own training loop.
 *
 * <p>Each call gives the estimate ḡ_t of the path-averaged gradient (exact or from an estimator,
 * see docs/LCA.md) together with the step's parameters θ_t and θ_{t+1}, or directly Δθ_t. It returns
 * the step's per-layer LCA Σ_i ḡ_t,i·Δθ_t,i with helped/hurt counts, and adds each A_t,i into a
 * per-parameter cumulative sum. All inputs are float32 flat vectors in the layout's order, or one
 * array per layer; sums are kept in double precision.
 *
 * <p>Inputs with NaN or ±Inf are rejected with a {@link NonFiniteInputException} that names the step
 * and parameter. The check rides in the accumulating pass (a separate one would cost as much as the
 * LCA itself), so by then part of the step was added: after it the accumulator refuses further
 * steps, {@link #steps()} and {@link #layerTotals()} stay at the last accepted step, and
 * {@link #cumulative} throws rather than return sums with part of the refused step in them. Read
 * the sums you need before a step that may not be finite; records the caller already wrote stay
 * valid. Shape and alignment errors are found before any work and change nothing.
 *
 * <p>Not thread-safe: one training loop steps it; callers stepping it from several threads must
 * serialize the calls. Overlapping calls are caught, not tolerated: a step, {@link #cumulative} or
 * {@link #close()} from another thread while one of these runs throws {@link IllegalStateException}
 * and changes nothing. {@link #close()} releases its memory (device memory on the CUDA backend);
 * afterwards every method but {@link #layout()}, {@link #steps()}, {@link #layerTotals()} and
 * {@code close()} itself (idempotent) throws {@link IllegalStateException}.
 */
public interface LcaAccumulator extends AutoCloseable {

    ParamLayout layout();

    StepLca step(float[] gradient, float[] before, float[] after);

    StepLca stepDelta(float[] gradient, float[] delta);

    /** One array per layer, in layout order. */
    StepLca step(float[][] gradient, float[][] before, float[][] after);

    StepLca step(FloatBuffer gradient, FloatBuffer before, FloatBuffer after);

    StepLca stepDelta(FloatBuffer gradient, FloatBuffer delta);

    /** Native-order float32 segments, on or off heap (e.g. mapped from another library's buffers). */
    StepLca step(MemorySegment gradient, MemorySegment before, MemorySegment after);

    StepLca stepDelta(MemorySegment gradient, MemorySegment delta);

    /** Number of steps accumulated so far. */
    long steps();

    /**
     * A copy of the per-parameter cumulative LCA Σ_t A_t,i of one layer (row-major, layer shape).
     *
     * @throws IllegalStateException after {@link #close()} or after a refused non-finite step
     */
    double[] cumulative(int layer);

    /** Per-layer cumulative LCA Σ_t Σ_i A_t,i, in layout order. */
    double[] layerTotals();

    /** Releases the sums' memory; idempotent. */
    @Override
    void close();
}
