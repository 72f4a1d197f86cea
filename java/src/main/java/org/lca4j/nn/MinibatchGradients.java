package org.lca4j.nn;

/**
 * g_b(θ) of minibatches gathered by index from a training set, wherever it is computed: on the CPU
 * ({@link BatchGradient}) or on a GPU (cuda/GpuBatchGradient). θ and the results are host arrays, so
 * the harness's estimators and exact LCA use either unchanged.
 */
public interface MinibatchGradients {
    /** Writes g_b(θ) into grad and returns the batch's mean loss. */
    double gradient(float[] theta, int[] batch, float[] grad);

    /** The batch's two half-batch sums, each scaled by 1/B, into a and b, and a + b into grad (one evaluation). */
    double halves(float[] theta, int[] batch, float[] a, float[] b, float[] grad);

    /** Forward+backward passes on one batch so far. */
    long evaluations();
}
