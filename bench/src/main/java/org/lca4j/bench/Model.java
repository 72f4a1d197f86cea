package org.lca4j.bench;

import java.util.Random;
import org.lca4j.core.ParamLayout;

/**
 * A benchmark model: D parameters in L layers of near-equal size, with a seeded step (g, θ_t, θ_{t+1})
 * like a training step's: small moves against the gradient plus noise.
 */
record Model(ParamLayout layout, float[] gradient, float[] before, float[] after) {

    static Model of(long params, int layers, long seed) {
        if (params < layers) throw new IllegalArgumentException(params + " parameters cannot fill " + layers + " layers");
        ParamLayout.Builder b = ParamLayout.builder();
        for (int l = 0; l < layers; l++) b.add("layer" + l, (int) (params / layers + (l < params % layers ? 1 : 0)));
        ParamLayout layout = b.build();
        int d = Math.toIntExact(params);
        Random r = new Random(seed);
        float[] g = new float[d], a = new float[d], n = new float[d];
        for (int i = 0; i < d; i++) {
            g[i] = (float) r.nextGaussian();
            a[i] = (float) (0.05 * r.nextGaussian());
            n[i] = a[i] - 0.01f * g[i] + (float) (1e-3 * r.nextGaussian());
        }
        return new Model(layout, g, a, n);
    }

    int params() {
        return gradient.length;
    }

    /** Bytes one LCA step must move: g, θ_t, θ_{t+1} read (float32) and the cumulative sums read and written (float64). */
    static long lcaBytes(long params) {
        return params * (3 * Float.BYTES + 2 * Double.BYTES);
    }
}
