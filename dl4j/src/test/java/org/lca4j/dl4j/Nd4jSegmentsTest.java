package org.lca4j.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.lca4j.core.ParamLayout;
import org.lca4j.core.StepLca;
import org.lca4j.cpu.CpuLcaAccumulator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** INDArrays reach lca4j without a copy when contiguous, and correctly either way. */
class Nd4jSegmentsTest {

    @Test
    void contiguousArraysAreSharedNotCopied() {
        INDArray a = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1000);
        MemorySegment s = Nd4jSegments.of(a);
        assertEquals(a.data().address(), s.address(), "no copy: the segment is ND4J's own memory");
        a.putScalar(17, 42f);
        assertEquals(42f, s.getAtIndex(ValueLayout.JAVA_FLOAT, 17));
    }

    @Test
    void stridedViewsAreCopiedAndGiveTheSameLca() {
        INDArray m = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 30, 20);
        INDArray column = m.get(NDArrayIndex.all(), NDArrayIndex.point(3)); // stride 20: not contiguous
        float[] expected = column.toFloatVector();
        float[] got = new float[30];
        MemorySegment.copy(Nd4jSegments.of(column), ValueLayout.JAVA_FLOAT, 0, got, 0, 30);
        assertArrayEquals(expected, got);

        ParamLayout layout = ParamLayout.builder().add("w", 30).build();
        INDArray g = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 30), b = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 30);
        try (CpuLcaAccumulator x = new CpuLcaAccumulator(layout); CpuLcaAccumulator y = new CpuLcaAccumulator(layout)) {
            StepLca viaNd4j = Nd4jSegments.step(x, g, column, b);
            StepLca viaArrays = y.step(g.toFloatVector(), expected, b.toFloatVector());
            assertArrayEquals(viaArrays.lca(), viaNd4j.lca());
        }
    }
}
