package org.lca4j.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The portable loop: one element at a time, in index order. */
final class ScalarKernel implements ChunkKernel {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    @Override
    public Partial run(MemorySegment g, MemorySegment before, MemorySegment after, double[] cumulative, int base, int from, int to) {
        double sum = 0;
        long neg = 0, pos = 0;
        if (before == null) {
            for (int i = from; i < to; i++) {
                double a = (double) g.getAtIndex(F, i) * after.getAtIndex(F, i);
                sum += a;
                neg += a < 0 ? 1 : 0;
                pos += a > 0 ? 1 : 0;
                cumulative[base + i] += a;
            }
        } else {
            for (int i = from; i < to; i++) {
                // Δθ in double is exact for two nearby floats, so the step is taken exactly as the optimizer made it.
                double a = g.getAtIndex(F, i) * ((double) after.getAtIndex(F, i) - before.getAtIndex(F, i));
                sum += a;
                neg += a < 0 ? 1 : 0;
                pos += a > 0 ? 1 : 0;
                cumulative[base + i] += a;
            }
        }
        return new Partial(sum, neg, pos);
    }

    @Override
    public String name() {
        return "scalar";
    }
}
