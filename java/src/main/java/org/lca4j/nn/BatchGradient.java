package org.lca4j.nn;

import org.lca4j.data.LabeledSet;

/** The mean-loss gradient g_b(θ) of one minibatch, gathered by index from the training set. */
public final class BatchGradient implements MinibatchGradients {
    private final Mlp mlp;
    private final LabeledSet set;
    private final Mlp.Workspace ws;
    private final float[] x;
    private final int[] y;
    private long evaluations;

    public BatchGradient(Mlp mlp, LabeledSet set, int batchSize) {
        this.mlp = mlp;
        this.set = set;
        this.ws = mlp.workspace(batchSize);
        this.x = new float[batchSize * set.dim()];
        this.y = new int[batchSize];
    }

    /** Writes g_b(θ) into grad and returns the batch's mean loss. */
    @Override
    public double gradient(float[] theta, int[] batch, float[] grad) {
        gather(batch);
        evaluations++;
        return mlp.evaluate(theta, x, 0, y, batch.length, grad, 1f / batch.length, false, ws).lossSum() / batch.length;
    }

    /**
     * Training's gradient as two half-batch sums, each scaled by 1/B, and their sum g_b(θ) into grad:
     * the same rows and arithmetic work as {@link #gradient} (one evaluation), in two smaller
     * products; the spread between the halves is what debiased_trap reads the batch's noise from.
     */
    @Override
    public double halves(float[] theta, int[] batch, float[] a, float[] b, float[] grad) {
        gather(batch);
        evaluations++;
        int h = batch.length / 2;
        float scale = 1f / batch.length;
        double loss = mlp.evaluate(theta, x, 0, y, h, a, scale, false, ws).lossSum();
        loss += mlp.evaluate(theta, x, h, y, batch.length - h, b, scale, false, ws).lossSum();
        for (int i = 0; i < grad.length; i++) grad[i] = a[i] + b[i];
        return loss / batch.length;
    }

    private void gather(int[] batch) {
        int dim = set.dim();
        float[] sx = set.x();
        int[] sy = set.y();
        for (int r = 0; r < batch.length; r++) {
            System.arraycopy(sx, batch[r] * dim, x, r * dim, dim);
            y[r] = sy[batch[r]];
        }
    }

    /** Forward+backward passes on one batch so far (training's own and any estimator's). */
    @Override
    public long evaluations() {
        return evaluations;
    }
}
