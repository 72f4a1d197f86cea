package org.lca4j.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.lca4j.core.AbstractLcaAccumulator;
import org.lca4j.core.Layer;
import org.lca4j.core.ParamLayout;
import org.lca4j.core.StepLca;

/**
 * The pure-Java backend: one pass over each layer's gradient and parameters per step, no
 * temporaries; products and sums in double so a long run's totals keep their digits.
 * Single-threaded and in index order, so the same inputs give bit-identical sums.
 */
public final class CpuLcaAccumulator extends AbstractLcaAccumulator {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private final double[] cumulative;

    public CpuLcaAccumulator(ParamLayout layout) {
        super(layout);
        if (layout.size() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the CPU backend keeps cumulative LCA in one Java array; " + layout.size() + " parameters is over its limit of " + Integer.MAX_VALUE);
        }
        this.cumulative = new double[(int) layout.size()];
    }

    @Override
    protected StepLca accumulate(long step, MemorySegment[] gradient, MemorySegment[] before, MemorySegment[] second) {
        int layers = layout.layerCount();
        double[] lca = new double[layers];
        long[] helped = new long[layers];
        long[] hurt = new long[layers];
        for (int l = 0; l < layers; l++) {
            Layer layer = layout.layer(l);
            int off = (int) layer.offset();
            int n = (int) layer.size();
            MemorySegment g = gradient[l];
            MemorySegment b = second[l];
            double sum = 0;
            long neg = 0, pos = 0;
            if (before == null) {
                for (int i = 0; i < n; i++) {
                    double a = (double) g.getAtIndex(F, i) * b.getAtIndex(F, i);
                    sum += a;
                    neg += a < 0 ? 1 : 0;
                    pos += a > 0 ? 1 : 0;
                    cumulative[off + i] += a;
                }
            } else {
                MemorySegment t0 = before[l];
                for (int i = 0; i < n; i++) {
                    // Δθ in double is exact for two nearby floats, so the step is taken exactly as the optimizer made it.
                    double a = g.getAtIndex(F, i) * ((double) b.getAtIndex(F, i) - t0.getAtIndex(F, i));
                    sum += a;
                    neg += a < 0 ? 1 : 0;
                    pos += a > 0 ? 1 : 0;
                    cumulative[off + i] += a;
                }
            }
            if (!Double.isFinite(sum)) throw nonFinite(step, l, g, before == null ? null : before[l], b);
            lca[l] = sum;
            helped[l] = neg;
            hurt[l] = pos;
        }
        return new StepLca(step, layout, lca, helped, hurt);
    }

    @Override
    public double[] cumulative(int layer) {
        Layer l = layout.layer(layer);
        double[] out = new double[(int) l.size()];
        System.arraycopy(cumulative, (int) l.offset(), out, 0, out.length);
        return out;
    }
}
