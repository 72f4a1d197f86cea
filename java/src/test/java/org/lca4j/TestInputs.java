package org.lca4j;

import java.util.Random;
import org.lca4j.core.ParamLayout;

/** Shared test inputs: layouts of flat layers and seeded Gaussian vectors. */
public final class TestInputs {
    private TestInputs() {
    }

    /** Layers named layer0, layer1, … with the given sizes. */
    public static ParamLayout layout(int... sizes) {
        ParamLayout.Builder b = ParamLayout.builder();
        for (int l = 0; l < sizes.length; l++) b.add("layer" + l, sizes[l]);
        return b.build();
    }

    public static float[] gaussian(Random r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * scale);
        return v;
    }
}
