package org.lca4j.dl4j;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.lca4j.core.ParamLayout;
import org.lca4j.exact.Objective;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * L_R and g_R of a DL4J network on a fixed reference set R, through DL4J's own forward and backward
 * passes: the per-row losses and gradients summed over every reference batch, over |R|; the loss
 * without DL4J's regularization score, as the gradient is without it. Each batch is passed with its
 * own feature and label masks.
 *
 * <p>It evaluates on a copy of the network (same configuration, its own parameters and gradient
 * buffer), never on the network in training: that one's θ, batch, masks, gradient and score are what
 * DL4J's updater and the other listeners read next, and the layers hold their masks in state of
 * their own that no public call reads back whole.
 */
final class Dl4jObjective implements Objective {
    private final MultiLayerNetwork net;
    private final List<DataSet> batches = new ArrayList<>();
    private final int rows;
    private final ParamLayout layout;
    private final boolean[] updates;

    Dl4jObjective(MultiLayerNetwork training, List<DataSet> reference, ParamLayout layout, boolean[] updates) {
        this.net = copyOf(training);
        this.layout = layout;
        this.updates = updates;
        int n = 0;
        for (DataSet d : reference) {
            batches.add(d);
            n += (int) d.getFeatures().size(0);
        }
        if (n == 0) throw new IllegalArgumentException("the reference DataSetIterator for exact LCA is empty");
        this.rows = n;
    }

    /**
     * Reads the reference set once, from the iterator's start, and resets the iterator again: it may
     * be the very iterator training will run on (the training set as R), which must then still hold
     * every batch when fit() starts.
     */
    static List<DataSet> read(DataSetIterator reference) {
        if (reference.resetSupported()) reference.reset();
        List<DataSet> out = new ArrayList<>();
        while (reference.hasNext()) out.add(reference.next());
        if (reference.resetSupported()) reference.reset();
        if (out.stream().mapToLong(d -> d.getFeatures().size(0)).sum() == 0) {
            throw new IllegalArgumentException("the reference DataSetIterator for exact LCA is empty");
        }
        return out;
    }

    /**
     * Initialised from training's θ rather than by DL4J's weight init, which would reseed ND4J's
     * global random stream that training draws from.
     */
    private static MultiLayerNetwork copyOf(MultiLayerNetwork training) {
        MultiLayerNetwork copy = new MultiLayerNetwork(training.getLayerWiseConfigurations().clone());
        copy.init(training.params().dup().reshape(1, training.params().length()), false);
        return copy;
    }

    @Override
    public double lossAndGradient(float[] theta, float[] grad) {
        net.params().assign(org.nd4j.linalg.factory.Nd4j.createFromArray(theta));
        double[] sum = new double[grad.length];
        double loss = 0;
        for (int b = 0; b < batches.size(); b++) {
            DataSet d = batches.get(b);
            net.setInput(d.getFeatures());
            net.setLabels(d.getLabels());
            // setLayerMaskArrays leaves the layers' masks as they were where it is given none.
            net.clearLayerMaskArrays();
            net.setLayerMaskArrays(d.getFeaturesMaskArray(), d.getLabelsMaskArray());
            try {
                net.computeGradientAndScore();
            } catch (RuntimeException e) {
                // DL4J's message alone reads as if training's own data were wrong.
                throw new IllegalArgumentException("exact LCA's reference set, batch " + (b + 1) + " of " + batches.size() + ": " + e.getMessage(), e);
            }
            // L_R is the mean data loss with no regularization term (docs/LCA.md).
            loss += Dl4jParams.meanDataLoss(net) * d.getFeatures().size(0) / rows;
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

    List<DataSet> batches() {
        return batches;
    }
}
