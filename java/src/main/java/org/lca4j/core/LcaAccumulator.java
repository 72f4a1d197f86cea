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
 * and parameter; after that the accumulator refuses further steps, because the cumulative sums of
 * that step's layer are no longer meaningful. Records the caller already wrote stay valid.
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

    /** A copy of the per-parameter cumulative LCA Σ_t A_t,i of one layer (row-major, layer shape). */
    double[] cumulative(int layer);

    /** Per-layer cumulative LCA Σ_t Σ_i A_t,i, in layout order. */
    double[] layerTotals();

    @Override
    void close();
}
