package org.lca4j.estimate;

/**
 * The gradients an estimator may combine for step t (docs/LCA.md, "Approximate LCA"). Implementations
 * evaluate lazily, so an estimator pays only for the points it asks for. Returned arrays are owned
 * by the implementation and valid for the current step.
 */
public interface PointGradients {
    /** g_{b_t}(θ_t): the gradient training just used. Free. */
    float[] trainStart();

    /** g_{B}(θ_t) on the next batch set B (b_{t+1}, plus k−1 independent batches). */
    float[] nextStart();

    /** g_{B}(θ_t + Δ_t/2). */
    float[] nextMid();

    /** g_{B}(θ_{t+1}); for k = 1 it is the gradient training computes at step t+1 anyway. */
    float[] nextEnd();

    /** g_R(θ_t) on the whole reference set. */
    float[] fullStart();

    /** Δθ_t,i in double, exactly as the step made it. */
    double delta(int i);

    /** ∂Δθ_t,i/∂g_t,i of the optimizer's step t, at the gradient it was given (see Optimizer.sensitivity). */
    double sensitivity(int i);

    /** The first half of the training batch's rows, summed and scaled by 1/B: trainStart() = A + B. */
    float[] trainHalfA();

    /** The second half, likewise. */
    float[] trainHalfB();

    /** B/N: the training batch's share of the rows it is drawn from (1 for full-batch training). */
    double batchFraction();
}
