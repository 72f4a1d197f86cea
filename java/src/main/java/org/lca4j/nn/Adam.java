package org.lca4j.nn;

/**
 * torch.optim.Adam (no weight decay, no amsgrad), in PyTorch's arithmetic order:
 * θ −= (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε).
 */
public final class Adam implements Optimizer {
    private final float lr;
    private final float beta1;
    private final float beta2;
    private final float eps;
    private float[] m;
    private float[] v;
    private int t;
    private float lastStepSize;
    private float lastBc2Sqrt;

    public Adam(double lr, double beta1, double beta2, double eps) {
        checkLearningRate(lr);
        this.lr = (float) lr;
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.eps = (float) eps;
    }

    public Adam(double lr) {
        this(lr, 0.9, 0.999, 1e-8);
    }

    /** A learning rate every rule refuses (zero, negative, NaN), for every implementation of them (the GPU's fused optimizer too). */
    public static void checkLearningRate(double lr) {
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be positive, got " + lr);
    }

    @Override
    public void step(float[] theta, float[] grad) {
        if (m == null) {
            m = new float[theta.length];
            v = new float[theta.length];
        }
        t++;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        float stepSize = (float) (lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        lastStepSize = stepSize;
        lastBc2Sqrt = bc2Sqrt;
        for (int i = 0; i < theta.length; i++) {
            float g = grad[i];
            m[i] = beta1 * m[i] + (1 - beta1) * g;
            v[i] = beta2 * v[i] + (1 - beta2) * g * g;
            float denom = (float) Math.sqrt(v[i]) / bc2Sqrt + eps;
            theta[i] -= stepSize * m[i] / denom;
        }
    }

    /**
     * The whole derivative of the last step, through m and through v (docs/LCA.md, "debiased_trap"):
     * Δθ = −(lr/bc1)·m/d with d = √v̂ + ε, so ∂Δθ/∂g = −(lr/bc1)·[(1−β1)/d − m·(1−β2)·g/(bc2·√v̂·d²)].
     * The v term matters early, when bc2 is small and one gradient moves v̂ a lot.
     */
    @Override
    public double sensitivity(int i, float g) {
        if (m == null) return 0;
        double bc2 = (double) lastBc2Sqrt * lastBc2Sqrt;
        double vHatSqrt = Math.sqrt(v[i]) / lastBc2Sqrt;
        double d = vHatSqrt + eps;
        double throughV = vHatSqrt == 0 ? 0 : (double) m[i] * (1 - beta2) * g / (bc2 * vHatSqrt * d * d);
        return -lastStepSize * ((1 - beta1) / d - throughV);
    }

    @Override
    public String describe() {
        return "adam(lr=" + lr + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ")";
    }
}
