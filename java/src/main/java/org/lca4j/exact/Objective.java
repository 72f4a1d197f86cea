package org.lca4j.exact;

/** L_R(θ) and g_R(θ) = ∇L_R(θ) on a fixed reference set R (mean loss, no regularizer; docs/LCA.md). */
public interface Objective {
    /** Writes g_R(θ) into {@code grad} and returns L_R(θ). */
    double lossAndGradient(float[] theta, float[] grad);

    /** Size of R, for the run record. */
    int size();
}
