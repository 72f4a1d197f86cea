package org.lca4j.core;

/**
 * The LCA of one optimizer step, per layer: the sum of A_t,i over the layer's parameters and how
 * many of them helped (A &lt; 0) or hurt (A &gt; 0). See docs/LCA.md, "Exact LCA".
 */
public record StepLca(long step, ParamLayout layout, double[] lca, long[] helped, long[] hurt) {

    public StepLca {
        lca = lca.clone();
        helped = helped.clone();
        hurt = hurt.clone();
    }

    /** Per-layer sums (a copy: the record stays as the step left it). */
    @Override
    public double[] lca() {
        return lca.clone();
    }

    /** Per-layer counts of A &lt; 0 (a copy). */
    @Override
    public long[] helped() {
        return helped.clone();
    }

    /** Per-layer counts of A &gt; 0 (a copy). */
    @Override
    public long[] hurt() {
        return hurt.clone();
    }

    @Override
    public String toString() {
        return "StepLca[step=" + step + ", lca=" + java.util.Arrays.toString(lca) + ", helped=" + java.util.Arrays.toString(helped)
                + ", hurt=" + java.util.Arrays.toString(hurt) + "]";
    }

    public double lca(int layer) {
        return lca[layer];
    }

    /** Share of the layer's parameters with A &lt; 0 (all parameters in the denominator, as in the paper). */
    public double helpedFraction(int layer) {
        return helped[layer] / (double) layout.layer(layer).size();
    }

    /** Share of the layer's parameters with A ≠ 0 that helped: the denominator that the same_batch bias test uses. */
    public double helpedFractionOfNonzero(int layer) {
        long nz = helped[layer] + hurt[layer];
        return nz == 0 ? Double.NaN : helped[layer] / (double) nz;
    }

    public double total() {
        double s = 0;
        for (double v : lca) s += v;
        return s;
    }

    public double helpedFraction() {
        long h = 0;
        for (long v : helped) h += v;
        return h / (double) layout.size();
    }

    public long helpedCount(int layer) {
        return helped[layer];
    }

    public long hurtCount(int layer) {
        return hurt[layer];
    }
}
