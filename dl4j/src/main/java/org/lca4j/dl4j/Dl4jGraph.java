package org.lca4j.dl4j;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * A {@link ComputationGraph} as {@link LcaListener} records it. Its parameter table names each
 * parameter by vertex ({@code dense_W}); its masks are the graph's own fields, which every pass
 * applies to the layers again.
 */
record Dl4jGraph(ComputationGraph graph) implements Dl4jNetwork {
    @Override
    public Model model() {
        return graph;
    }

    @Override
    public void setScore(double score) {
        graph.setScore(score);
    }

    @Override
    public double regularizationScore() {
        return graph.calcRegularizationScore(true);
    }

    @Override
    public void computeGradientAndScore() {
        graph.computeGradientAndScore();
    }

    /** The graph has no such call of its own: its vertex answers, found by the name paramTable() gives (vertex_param). */
    @Override
    public boolean updaterDivideByMinibatch(String param) {
        for (GraphVertex v : graph.getVertices()) {
            String prefix = v.getVertexName() + "_";
            if (param.startsWith(prefix) && v.paramTable(false).containsKey(param.substring(prefix.length()))) {
                return v.updaterDivideByMinibatch(param.substring(prefix.length()));
            }
        }
        throw new IllegalArgumentException("no vertex of the ComputationGraph holds parameter " + param);
    }

    @Override
    public void setBatch(MultiDataSet batch) {
        graph.setInputs(batch.getFeatures());
        graph.setLabels(batch.getLabels());
        graph.setLayerMaskArrays(batch.getFeaturesMaskArrays(), batch.getLabelsMaskArrays());
    }

    @Override
    public Dl4jNetwork copy() {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        conf.getVertices().forEach((name, v) -> {
            if (v instanceof LayerVertex lv) lv.getLayerConf().setLayer(Dl4jParams.forExactCopy(lv.getLayerConf().getLayer(), graph.getLayer(name)));
        });
        ComputationGraph copy = new ComputationGraph(conf);
        copy.init(graph.params().dup().reshape(1, graph.params().length()), false);
        return new Dl4jGraph(copy);
    }

    @Override
    public int epochCount() {
        return graph.getEpochCount();
    }

    @Override
    public int layerCount() {
        return graph.getNumLayers();
    }

    @Override
    public BackpropType backpropType() {
        return graph.getConfiguration().getBackpropType();
    }

    /**
     * From the graph's configuration, which holds a frozen layer as the FrozenLayer (or
     * FrozenLayerWithBackprop) it is: the layer DL4J runs answers conf() with the layer it wraps
     * (TransferLearning keeps that one's configuration inside), whose dropout or batch normalization
     * a frozen layer's forward pass, always in inference mode, never applies.
     */
    @Override
    public Map<String, Layer> layers() {
        Map<String, Layer> out = new LinkedHashMap<>();
        Map<String, org.deeplearning4j.nn.conf.graph.GraphVertex> conf = graph.getConfiguration().getVertices();
        for (GraphVertex v : graph.getVertices()) {
            if (!v.hasLayer()) continue;
            out.put(v.getVertexName(), conf.get(v.getVertexName()) instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : v.getLayer().conf().getLayer());
        }
        return out;
    }
}
