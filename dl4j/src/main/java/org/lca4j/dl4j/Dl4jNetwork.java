package org.lca4j.dl4j;

import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Everything {@link LcaListener} and exact LCA's objective read or move in a DL4J network, so that a
 * {@link MultiLayerNetwork} and a {@link ComputationGraph} are recorded by the same code. Where DL4J
 * gives both the same call ({@link Model}), it is used as is.
 */
sealed interface Dl4jNetwork permits Dl4jMultiLayer, Dl4jGraph {
    /** The network DL4J trains, or a refusal naming what the listener was handed instead. */
    static Dl4jNetwork of(Model model) {
        if (model instanceof MultiLayerNetwork m) return new Dl4jMultiLayer(m);
        if (model instanceof ComputationGraph g) return new Dl4jGraph(g);
        throw new IllegalArgumentException("LcaListener supports MultiLayerNetwork and ComputationGraph; got " + model.getClass().getSimpleName()
                + ", which it cannot record");
    }

    /**
     * A layer DL4J fits on its own, through its own solver, which calls the listeners with the layer
     * as the model: in 1.0.0-M2.1 only layerwise pretraining does (MultiLayerNetwork.pretrainLayer
     * and ComputationGraph.pretrainLayerHelper call layer.fit). A MultiLayerNetwork is a Layer too.
     */
    static boolean isLayerFitAlone(Model model) {
        return model instanceof org.deeplearning4j.nn.api.Layer && !(model instanceof MultiLayerNetwork);
    }

    Model model();

    /** The flat parameter vector (a view: assigning to it moves the network). */
    default INDArray params() {
        return model().params();
    }

    /** The last pass's raw gradient, flat over {@link #params()} (a view the updater rewrites in place). */
    default INDArray gradient() {
        return model().gradient().gradient();
    }

    default Map<String, INDArray> paramTable() {
        return model().paramTable();
    }

    default double score() {
        return model().score();
    }

    void setScore(double score);

    /** The L1/L2/weight-decay term DL4J adds to its score (its gradient does not hold it). */
    double regularizationScore();

    /** The rows of the batch the network holds, as DL4J's updater divides by them. */
    default int batchSize() {
        return model().batchSize();
    }

    /** Whether DL4J divides score and update by the batch size (NeuralNetConfiguration.miniBatch). */
    default boolean miniBatch() {
        return model().conf().isMiniBatch();
    }

    /** DL4J's forward and backward pass on the batch the network holds, at its θ. */
    void computeGradientAndScore();

    /** False for a parameter DL4J moves by an update its layer writes, not by the loss gradient (batch norm's running statistics). */
    boolean updaterDivideByMinibatch(String param);

    /** Makes {@code batch} the one the next pass runs on: its features, labels and masks (none where it has none). */
    void setBatch(MultiDataSet batch);

    /**
     * A network of the same configuration with its own parameters (this one's θ) and gradient
     * buffer. Initialised from θ rather than by DL4J's weight init, which would reseed ND4J's global
     * random stream that training draws from. For exact LCA's passes: its layers as
     * {@link Dl4jParams#forExactCopy} gives them, whose gradient is the loss gradient where DL4J's is not.
     */
    Dl4jNetwork copy();

    int epochCount();

    int layerCount();

    BackpropType backpropType();

    /** Each layer's configuration by the name refusals give it: its index in a MultiLayerNetwork, its vertex in a ComputationGraph. */
    Map<String, Layer> layers();
}
