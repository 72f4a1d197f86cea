package org.lca4j;

import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.ParamLayout;
import org.lca4j.cpu.CpuLcaAccumulator;

/**
 * Entry point for users who call lca4j from their own training loop.
 *
 * <pre>{@code
 * ParamLayout layout = ParamLayout.builder().add("fc1.weight", 100, 784).add("fc1.bias", 100).build();
 * try (LcaAccumulator lca = Lca.cpu(layout)) {
 *     StepLca s = lca.step(gradient, thetaBefore, thetaAfter);   // per-layer LCA and helped counts
 * }
 * }</pre>
 */
public final class Lca {
    private Lca() {
    }

    /** The pure-Java backend; works everywhere. */
    public static LcaAccumulator cpu(ParamLayout layout) {
        return new CpuLcaAccumulator(layout);
    }
}
