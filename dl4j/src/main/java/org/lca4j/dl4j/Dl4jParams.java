package org.lca4j.dl4j;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.lca4j.core.ParamLayout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's parameter table ({@code 0_W}, {@code 0_b}, {@code 1_W}, … of a MultiLayerNetwork;
 * {@code dense_W}, … of a ComputationGraph) as an lca4j layout over the network's flattened
 * parameter vector. DL4J stores a dense layer's W [nIn, nOut] in column-major order inside that
 * vector, which is [nOut, nIn] row-major: the layout reports that shape, the same as PyTorch's and
 * lca4j's own MLP. The table, taken in the order its arrays lie in the flat vector (a graph lists its
 * vertices in the order they were added, but lays them out in topological order), must cover that
 * vector end to end; anything else is refused with the parameter named.
 */
final class Dl4jParams {
    private Dl4jParams() {
    }

    static ParamLayout layout(Model net) {
        INDArray flat = net.params();
        if (flat.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("LcaListener needs a float32 network (NeuralNetConfiguration.Builder.dataType(DataType.FLOAT)); this one is " + flat.dataType());
        }
        List<Map.Entry<String, INDArray>> table = new ArrayList<>(net.paramTable().entrySet());
        table.sort(Comparator.comparingLong(e -> e.getValue().data().offset()));
        ParamLayout.Builder b = ParamLayout.builder();
        long expected = 0;
        for (Map.Entry<String, INDArray> e : table) {
            INDArray p = e.getValue();
            long offset = p.data().offset() - flat.data().offset();
            if (offset != expected) {
                throw new IllegalArgumentException("DL4J parameter " + e.getKey() + " starts at " + offset + " of the flat parameter vector, expected " + expected
                        + ": its parameter table does not lie end to end");
            }
            long[] shape = p.shape();
            int[] dims = shape.length == 2 && p.ordering() == 'f' ? new int[] {(int) shape[1], (int) shape[0]} : toInts(shape, e.getKey());
            b.add(e.getKey(), dims);
            expected += p.length();
        }
        if (expected != flat.length()) {
            throw new IllegalArgumentException("DL4J's parameter table covers " + expected + " of " + flat.length() + " parameters");
        }
        return b.build();
    }

    /**
     * The layers of {@code layout} that DL4J moves by an update its layer computes, not by the loss
     * gradient: batch normalization's running mean and variance, whose "gradient" is the step to the
     * batch's statistics (DL4J's updater does not divide it by the batch size). The training loss
     * does not depend on them, so their gradient for LCA is 0.
     */
    static boolean[] updatesNotGradients(Dl4jNetwork net, ParamLayout layout) {
        boolean[] out = new boolean[layout.layerCount()];
        for (int l = 0; l < out.length; l++) out[l] = !net.updaterDivideByMinibatch(layout.layer(l).name());
        return out;
    }

    /** The network's raw gradient as a flat float32 vector, 0 for the layers {@link #updatesNotGradients} names. */
    static float[] lossGradient(Dl4jNetwork net, ParamLayout layout, boolean[] updates) {
        INDArray g = net.gradient();
        float[] out = g.reshape(g.length()).toFloatVector();
        for (int l = 0; l < updates.length; l++) {
            if (updates[l]) {
                int from = Math.toIntExact(layout.layer(l).offset());
                java.util.Arrays.fill(out, from, from + Math.toIntExact(layout.layer(l).size()), 0f);
            }
        }
        return out;
    }

    /**
     * The mean data loss of the batch the network last scored (at the θ it scored it): DL4J's score
     * less its L1/L2/weight-decay term (which its gradient does not hold; the updater applies
     * regularization), over the batch's rows also when DL4J sums (minibatch(false)).
     */
    static double meanDataLoss(Dl4jNetwork net) {
        double data = net.score() - net.regularizationScore();
        return net.miniBatch() ? data : data / net.batchSize();
    }

    /**
     * Refuses networks whose training-mode forward pass changes state (dropout's and weight noise's
     * draws from ND4J's random stream, batch normalization, truncated BPTT's stored RNN state): the
     * listener's extra passes for exact LCA and next_batch would change their training, and a
     * random forward pass has no exact loss to allocate.
     */
    static void requireStatelessForward(Dl4jNetwork net) {
        if (net.backpropType() == org.deeplearning4j.nn.conf.BackpropType.TruncatedBPTT) {
            throw new IllegalArgumentException("truncated BPTT (backpropType TruncatedBPTT) carries RNN state from one step to the next and its gradients are of one"
                    + " segment, so exact LCA and next_batch would change training and not be exact; use same_batch and next_batch_end only");
        }
        for (Map.Entry<String, org.deeplearning4j.nn.conf.layers.Layer> e : net.layers().entrySet()) {
            String stateful = statefulForward(e.getValue());
            if (stateful != null) {
                throw new IllegalArgumentException("layer " + e.getKey() + " (" + e.getValue().getClass().getSimpleName() + stateful
                        + ") changes state in its forward pass, so exact LCA and next_batch would change training; use same_batch and next_batch_end only");
            }
        }
    }

    /** What in a layer's training-mode forward pass changes state, as the refusal names it after the layer's type, or null. */
    private static String statefulForward(org.deeplearning4j.nn.conf.layers.Layer l) {
        if (l.getIDropout() != null) return " with dropout";
        if (l instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b && b.getWeightNoise() != null) {
            return " with weight noise " + b.getWeightNoise().getClass().getSimpleName();
        }
        return l instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization ? "" : null;
    }

    /**
     * The configuration exact LCA's copy of the network gives a layer, so that the copy's gradient is
     * the loss gradient where DL4J's is not: {@code conf} itself, except
     * <ul>
     *   <li>a FrozenLayerWithBackprop whose parameters DL4J regularizes. DL4J 1.0.0-M2.1 zeroes such
     *   a layer's gradient but its updater applies the wrapped layer's L1/L2/weight decay (it reads
     *   the wrapped layer's configuration), so those parameters move while their gradient reads 0,
     *   and exact LCA would leave the loss change that causes unallocated. The copy computes their
     *   loss gradient with the wrapped layer itself (the same parameters and layout), without the
     *   dropout or weight noise that the frozen layer's inference-mode forward pass never applies.
     *   A FrozenLayer is left as it is: DL4J neither regularizes nor updates its parameters.</li>
     *   <li>a CenterLossOutputLayer. DL4J's "gradient" of its class centers is its own center update,
     *   α Σ (c_y − x) / (n_y + 1) per class, not the gradient λ Σ (c_y − x) of the center-loss term
     *   of its score; the layer computes α λ Σ (c_y − x) instead when built for gradient checks, so
     *   the copy's is built so, with α = 1 (α enters nothing else).</li>
     * </ul>
     *
     * @param running the layer as the network in training runs it
     */
    static org.deeplearning4j.nn.conf.layers.Layer forExactCopy(org.deeplearning4j.nn.conf.layers.Layer conf, org.deeplearning4j.nn.api.Layer running) {
        if (conf instanceof org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer centerLoss) {
            org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer c = (org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer) centerLoss.clone();
            c.setGradientCheck(true);
            c.setAlpha(1);
            return c;
        }
        if (!(conf instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop frozen) || !regularized(running)) return conf;
        org.deeplearning4j.nn.conf.layers.Layer inner = frozen.getUnderlying().clone();
        inner.setIDropout(null);
        if (inner instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b) b.setWeightNoise(null);
        return inner;
    }

    /** Whether DL4J's updater applies a regularization to any of the layer's parameters (it asks the layer's getConfig(), as here). */
    private static boolean regularized(org.deeplearning4j.nn.api.Layer layer) {
        for (String p : layer.paramTable().keySet()) {
            List<org.nd4j.linalg.learning.regularization.Regularization> r = layer.getConfig().getRegularizationByParam(p);
            if (r != null && !r.isEmpty()) return true;
        }
        return false;
    }

    private static int[] toInts(long[] shape, String name) {
        int[] out = new int[shape.length == 0 ? 1 : shape.length];
        if (shape.length == 0) out[0] = 1;
        for (int i = 0; i < shape.length; i++) {
            // DL4J keeps biases as [1, n]: report [n].
            out[i] = Math.toIntExact(shape[i]);
        }
        if (out.length == 2 && out[0] == 1) return new int[] {out[1]};
        return out;
    }
}
