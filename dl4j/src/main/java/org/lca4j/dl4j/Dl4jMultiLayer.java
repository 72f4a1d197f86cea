package org.lca4j.dl4j;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** A {@link MultiLayerNetwork} as {@link LcaListener} records it. */
record Dl4jMultiLayer(MultiLayerNetwork net) implements Dl4jNetwork {
    @Override
    public Model model() {
        return net;
    }

    @Override
    public void setScore(double score) {
        net.setScore(score);
    }

    @Override
    public double regularizationScore() {
        return net.calcRegularizationScore(true);
    }

    @Override
    public void computeGradientAndScore() {
        net.computeGradientAndScore();
    }

    @Override
    public boolean updaterDivideByMinibatch(String param) {
        return net.updaterDivideByMinibatch(param);
    }

    @Override
    public void setBatch(MultiDataSet batch) {
        if (batch.numFeatureArrays() != 1 || batch.numLabelsArrays() != 1) {
            throw new IllegalArgumentException("a MultiLayerNetwork takes one features and one labels array per batch; this batch has "
                    + batch.numFeatureArrays() + " and " + batch.numLabelsArrays());
        }
        net.setInput(batch.getFeatures(0));
        net.setLabels(batch.getLabels(0));
        // The masks live in the layers, and setLayerMaskArrays leaves them as they were where it is given none.
        net.clearLayerMaskArrays();
        net.setLayerMaskArrays(first(batch.getFeaturesMaskArrays()), first(batch.getLabelsMaskArrays()));
    }

    private static INDArray first(INDArray[] masks) {
        return masks == null ? null : masks[0];
    }

    @Override
    public Dl4jNetwork copy() {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
        for (int i = 0; i < net.getnLayers(); i++) conf.getConf(i).setLayer(Dl4jParams.forExactCopy(conf.getConf(i).getLayer(), net.getLayer(i)));
        MultiLayerNetwork copy = new MultiLayerNetwork(conf);
        copy.init(net.params().dup().reshape(1, net.params().length()), false);
        return new Dl4jMultiLayer(copy);
    }

    @Override
    public int epochCount() {
        return net.getEpochCount();
    }

    @Override
    public int layerCount() {
        return net.getnLayers();
    }

    @Override
    public BackpropType backpropType() {
        return net.getLayerWiseConfigurations().getBackpropType();
    }

    @Override
    public Map<String, Layer> layers() {
        Map<String, Layer> out = new LinkedHashMap<>();
        for (int i = 0; i < net.getnLayers(); i++) out.put(String.valueOf(i), net.getLayerWiseConfigurations().getConf(i).getLayer());
        return out;
    }
}
