package org.lca4j.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API loop (jdk.incubator.vector): 8 floats per load, widened to two 4-lane double
 * vectors. The shapes are fixed (256-bit floats, 256-bit doubles) rather than the machine's
 * preferred ones, so the order of the sums, and therefore their bits, is the same on every machine.
 * Loaded only when the incubator module is present (see {@link Kernels}).
 */
final class VectorKernel implements ChunkKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int STEP = 8;
    private final ScalarKernel tail = new ScalarKernel();

    @Override
    public Partial run(MemorySegment g, MemorySegment before, MemorySegment after, double[] cumulative, int base, int from, int to) {
        DoubleVector acc0 = DoubleVector.zero(D), acc1 = DoubleVector.zero(D);
        long neg = 0, pos = 0;
        int end = from + (to - from) / STEP * STEP;
        for (int i = from; i < end; i += STEP) {
            long byteOffset = (long) i * Float.BYTES;
            FloatVector gf = FloatVector.fromMemorySegment(F, g, byteOffset, ORDER);
            FloatVector bf = FloatVector.fromMemorySegment(F, after, byteOffset, ORDER);
            DoubleVector g0 = (DoubleVector) gf.convertShape(VectorOperators.F2D, D, 0);
            DoubleVector g1 = (DoubleVector) gf.convertShape(VectorOperators.F2D, D, 1);
            DoubleVector d0 = (DoubleVector) bf.convertShape(VectorOperators.F2D, D, 0);
            DoubleVector d1 = (DoubleVector) bf.convertShape(VectorOperators.F2D, D, 1);
            if (before != null) {
                FloatVector af = FloatVector.fromMemorySegment(F, before, byteOffset, ORDER);
                d0 = d0.sub((DoubleVector) af.convertShape(VectorOperators.F2D, D, 0));
                d1 = d1.sub((DoubleVector) af.convertShape(VectorOperators.F2D, D, 1));
            }
            DoubleVector a0 = g0.mul(d0), a1 = g1.mul(d1);
            acc0 = acc0.add(a0);
            acc1 = acc1.add(a1);
            neg += a0.compare(VectorOperators.LT, 0.0).trueCount() + a1.compare(VectorOperators.LT, 0.0).trueCount();
            pos += a0.compare(VectorOperators.GT, 0.0).trueCount() + a1.compare(VectorOperators.GT, 0.0).trueCount();
            int c = base + i;
            DoubleVector.fromArray(D, cumulative, c).add(a0).intoArray(cumulative, c);
            DoubleVector.fromArray(D, cumulative, c + 4).add(a1).intoArray(cumulative, c + 4);
        }
        // Lanes added in a written-out order: reduceLanes leaves the order of a float reduction open.
        double sum = 0;
        for (int lane = 0; lane < D.length(); lane++) sum += acc0.lane(lane) + acc1.lane(lane);
        Partial rest = tail.run(g, before, after, cumulative, base, end, to);
        return new Partial(sum + rest.sum(), neg + rest.helped(), pos + rest.hurt());
    }

    @Override
    public String name() {
        return "vector (jdk.incubator.vector, 256-bit)";
    }
}
