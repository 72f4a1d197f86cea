package org.lca4j.nn;

/**
 * torch.optim.SGD without dampening, weight decay or Nesterov: buf = μ·buf + g (buf = g on the
 * first step), θ −= lr·buf. With μ = 0 it is plain SGD.
 */
public final class Sgd implements Optimizer {
    private final float lr;
    private final float momentum;
    private float[] buf;

    public Sgd(double lr, double momentum) {
        checkHyperparameters(lr, momentum);
        this.lr = (float) lr;
        this.momentum = (float) momentum;
    }

    /** What this rule refuses, for every implementation of it (the GPU's fused optimizer too). */
    public static void checkHyperparameters(double lr, double momentum) {
        Adam.checkLearningRate(lr);
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("--momentum must be in [0,1), got " + momentum);
    }

    @Override
    public void step(float[] theta, float[] grad) {
        if (momentum == 0f) {
            for (int i = 0; i < theta.length; i++) theta[i] -= lr * grad[i];
            return;
        }
        if (buf == null) {
            buf = grad.clone();
        } else {
            for (int i = 0; i < buf.length; i++) buf[i] = momentum * buf[i] + grad[i];
        }
        for (int i = 0; i < theta.length; i++) theta[i] -= lr * buf[i];
    }

    /** −lr: the fresh gradient enters the momentum buffer with weight 1, and θ moves by −lr·buf. */
    @Override
    public double sensitivity(int i, float g) {
        return -lr;
    }

    @Override
    public String describe() {
        return momentum == 0f ? "sgd(lr=" + lr + ")" : "sgd(lr=" + lr + ", momentum=" + momentum + ")";
    }
}
