package org.lca4j.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * The per-step LCA work written the way an ND4J user would, as well as ND4J allows: inputs already
 * in INDArrays, one preallocated work buffer, in-place ops (A = (θ_{t+1} − θ_t)·g), per-layer views
 * for the sums and the helped/hurt counts (MatchCondition), and an in-place add into the cumulative
 * sums. A and the cumulative sums are float32 here, which favours ND4J: lca4j keeps them in double.
 */
final class Nd4jLcaPath implements AutoCloseable {
    private final INDArray g, before, after, work, cumulative;
    private final INDArray[] layerWork;

    Nd4jLcaPath(Model m) {
        g = Nd4j.createFromArray(m.gradient());
        before = Nd4j.createFromArray(m.before());
        after = Nd4j.createFromArray(m.after());
        work = Nd4j.create(DataType.FLOAT, m.params());
        cumulative = Nd4j.create(DataType.FLOAT, m.params());
        layerWork = new INDArray[m.layout().layerCount()];
        for (int l = 0; l < layerWork.length; l++) {
            long off = m.layout().layer(l).offset();
            layerWork[l] = work.get(NDArrayIndex.interval(off, off + m.layout().layer(l).size()));
        }
    }

    /** One step: per-layer sums in {@code sums}, helped and hurt counts in {@code helped} / {@code hurt}. */
    void step(double[] sums, long[] helped, long[] hurt) {
        work.assign(after).subi(before).muli(g);
        for (int l = 0; l < layerWork.length; l++) {
            INDArray w = layerWork[l];
            sums[l] = w.sumNumber().doubleValue();
            helped[l] = Nd4j.getExecutioner().exec(new MatchCondition(w, Conditions.lessThan(0))).getLong(0);
            hurt[l] = Nd4j.getExecutioner().exec(new MatchCondition(w, Conditions.greaterThan(0))).getLong(0);
        }
        cumulative.addi(work);
    }

    float[] cumulative() {
        return cumulative.toFloatVector();
    }

    @Override
    public void close() {
        for (INDArray a : new INDArray[] {g, before, after, work, cumulative}) a.close();
    }
}
