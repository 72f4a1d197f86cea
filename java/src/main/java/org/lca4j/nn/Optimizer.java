package org.lca4j.nn;

/** Updates θ in place from a gradient, with PyTorch's semantics for each rule. */
public sealed interface Optimizer permits Sgd, Adam {
    void step(float[] theta, float[] grad);

    String describe();

    /**
     * ∂Δθ_i/∂g_i of the last step, at the gradient g it was given: how parameter i's update moves
     * with its own training gradient. The debiased estimator's correction scales with it (docs/LCA.md).
     */
    double sensitivity(int i, float g);
}
