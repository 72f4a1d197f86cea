package org.lca4j.dl4j;

import java.util.ArrayList;
import java.util.List;
import org.lca4j.core.ParamLayout;
import org.lca4j.exact.Objective;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * L_R and g_R of a DL4J network on a fixed reference set R, through DL4J's own forward and backward
 * passes: the per-row losses and gradients summed over every reference batch, over |R|; the loss
 * without DL4J's regularization score, as the gradient is without it. Each batch is passed with its
 * own feature and label masks.
 *
 * <p>It evaluates on a copy of the network (same configuration, its own parameters and gradient
 * buffer), never on the network in training: that one's θ, batch, masks, gradient and score are what
 * DL4J's updater and the other listeners read next, and a MultiLayerNetwork's layers hold their masks
 * in state of their own that no public call reads back whole (a ComputationGraph's labels have no
 * getter at all).
 */
final class Dl4jObjective implements Objective {
    private final Dl4jNetwork net;
    private final List<MultiDataSet> batches;
    private final int rows;
    private final ParamLayout layout;
    private final boolean[] updates;

    Dl4jObjective(Dl4jNetwork training, List<MultiDataSet> reference, ParamLayout layout, boolean[] updates) {
        this.net = training.copy();
        this.layout = layout;
        this.updates = updates;
        this.batches = List.copyOf(reference);
        this.rows = rows(reference, "");
    }

    /**
     * Reads the reference set once, from the iterator's start, and resets the iterator again: it may
     * be the very iterator training will run on (the training set as R), which must then still hold
     * every batch when fit() starts. {@code kind} names the iterator as the user gave it.
     */
    static List<MultiDataSet> read(MultiDataSetIterator reference, String kind) {
        if (reference.resetSupported()) reference.reset();
        List<MultiDataSet> out = new ArrayList<>();
        while (reference.hasNext()) out.add(reference.next());
        if (reference.resetSupported()) reference.reset();
        rows(out, kind);
        return out;
    }

    /** |R|: the rows of the first features array of every batch, refused when 0. */
    private static int rows(List<MultiDataSet> reference, String iterator) {
        long n = reference.stream().mapToLong(d -> d.getFeatures(0).size(0)).sum();
        if (n == 0) throw new IllegalArgumentException("the reference " + (iterator.isEmpty() ? "set" : iterator) + " for exact LCA is empty");
        return Math.toIntExact(n);
    }

    @Override
    public double lossAndGradient(float[] theta, float[] grad) {
        net.params().assign(Nd4j.createFromArray(theta));
        double[] sum = new double[grad.length];
        double loss = 0;
        for (int b = 0; b < batches.size(); b++) {
            MultiDataSet d = batches.get(b);
            try {
                net.setBatch(d);
                net.computeGradientAndScore();
            } catch (RuntimeException e) {
                // DL4J's message alone reads as if training's own data were wrong.
                throw new IllegalArgumentException("exact LCA's reference set, batch " + (b + 1) + " of " + batches.size() + ": " + e.getMessage(), e);
            }
            // L_R is the mean data loss with no regularization term (docs/LCA.md).
            loss += Dl4jParams.meanDataLoss(net) * d.getFeatures(0).size(0) / rows;
            // DL4J's backward pass sums over the batch's rows (its updater divides later, in minibatch mode only), so the mean over R is Σ / |R|.
            float[] gb = Dl4jParams.lossGradient(net, layout, updates);
            for (int i = 0; i < sum.length; i++) sum[i] += gb[i];
        }
        for (int i = 0; i < grad.length; i++) grad[i] = (float) (sum[i] / rows);
        return loss;
    }

    @Override
    public int size() {
        return rows;
    }
}
