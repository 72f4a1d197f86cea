package org.lca4j.dl4j;

import java.lang.foreign.MemorySegment;
import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.StepLca;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ND4J arrays as lca4j inputs without copying: a float32 INDArray whose elements lie contiguously in
 * its off-heap buffer is handed over as a {@link MemorySegment} over that memory; any other array
 * (a strided view, another data type) is copied once into a float32 vector. The segment is only
 * valid while the array is alive.
 */
public final class Nd4jSegments {
    private Nd4jSegments() {
    }

    /** The array's elements in row-major order, as a native float32 segment. */
    public static MemorySegment of(INDArray a) {
        // Element-wise stride 1 in row-major order (or a vector): memory order is the logical order.
        if (a.dataType() == DataType.FLOAT && a.elementWiseStride() == 1 && (a.isVectorOrScalar() || a.ordering() == 'c')) {
            long address = a.data().address() + a.offset() * Float.BYTES;
            return MemorySegment.ofAddress(address).reinterpret(a.length() * Float.BYTES);
        }
        return MemorySegment.ofArray(a.reshape(a.length()).toFloatVector());
    }

    /** One LCA step from ND4J arrays laid out as the accumulator's flat vector (e.g. a network's params() and gradient). */
    public static StepLca step(LcaAccumulator acc, INDArray gradient, INDArray before, INDArray after) {
        return acc.step(of(gradient), of(before), of(after));
    }
}
