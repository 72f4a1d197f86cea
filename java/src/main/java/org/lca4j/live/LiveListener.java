package org.lca4j.live;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lca4j.core.Layer;
import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.ParamLayout;
import org.lca4j.core.StepLca;
import org.lca4j.run.EstimatorJson;
import org.lca4j.train.RunContext;
import org.lca4j.train.RunListener;
import org.lca4j.train.RunSummary;
import org.lca4j.train.StepEvent;

/**
 * Feeds a {@link LiveServer} from a run: the layout once, then every step's losses, per-layer LCA and
 * helped fraction for each estimator, and per-neuron LCA (the paper's view: a neuron's incoming
 * weights plus its bias) of one estimator, exact when it runs; at the end the study's table.
 * Steps go out as {@link StepPoints}: every step its own event up to 2,000 steps, longer runs as
 * 2,000 points of consecutive steps. The work per point is a copy of the cumulative sums it diffs
 * and a little JSON.
 */
public final class LiveListener implements RunListener {
    private final LiveServer server;
    private final int maxPoints;
    private StepPoints points;
    private ParamLayout layout;
    private String heatEstimator;
    private LcaAccumulator heat;
    private final List<int[]> neuronLayers = new ArrayList<>(); // {weight layer, bias layer}
    private double[][] previous;

    public LiveListener(LiveServer server) {
        this(server, StepPoints.MAX_POINTS);
    }

    LiveListener(LiveServer server, int maxPoints) {
        this.server = server;
        this.maxPoints = maxPoints;
    }

    @Override
    public void started(RunContext c) {
        layout = c.layout();
        heatEstimator = c.accumulators().containsKey("exact") ? "exact" : c.accumulators().keySet().iterator().next();
        heat = c.accumulators().get(heatEstimator);
        // A neuron group is a [out, in] weight followed by its [out] bias (fc1.weight/fc1.bias, 0_W/0_b).
        for (int l = 0; l + 1 < layout.layerCount(); l++) {
            int[] shape = layout.layer(l).shape();
            if (shape.length == 2 && layout.layer(l + 1).size() == shape[0]) neuronLayers.add(new int[] {l, l + 1});
        }
        previous = new double[layout.layerCount()][];
        List<Map<String, Object>> layers = new ArrayList<>();
        for (Layer l : layout.layers()) layers.add(Map.of("name", l.name(), "size", l.size(), "shape", l.shape()));
        List<Map<String, Object>> neurons = new ArrayList<>();
        for (int[] g : neuronLayers) {
            neurons.add(Map.of("name", layout.layer(g[0]).name().replaceAll("[._]?(weight|W)$", ""), "weight", layout.layer(g[0]).name(),
                    "neurons", layout.layer(g[0]).shape()[0]));
        }
        points = new StepPoints(c.totalSteps(), maxPoints, json -> server.publish("step", json));
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("run", c.config().out().getFileName() == null ? "run" : c.config().out().getFileName().toString());
        meta.put("totalSteps", c.totalSteps());
        meta.put("stride", points.stride());
        meta.put("layers", layers);
        meta.put("estimators", new ArrayList<>(c.accumulators().keySet()));
        meta.put("heatEstimator", heatEstimator);
        meta.put("neuronLayers", neurons);
        server.publish("meta", StepPoints.json(meta));
    }

    @Override
    public void stepDone(StepEvent e) {
        Map<String, double[]> lca = new LinkedHashMap<>();
        Map<String, Double> helped = new LinkedHashMap<>();
        for (Map.Entry<String, StepLca> s : e.lca().entrySet()) {
            lca.put(s.getKey(), s.getValue().lca());
            helped.put(s.getKey(), s.getValue().helpedFraction());
        }
        double before = e.exact() == null ? Double.NaN : e.exact().lossBefore(), after = e.exact() == null ? Double.NaN : e.exact().lossAfter();
        points.add(e.step(), e.batchLoss(), before, after, lca, helped, e.lca().containsKey(heatEstimator) ? this::neurons : null);
    }

    /** A summed per neuron over the point's steps: the change of the cumulative sums since the last point. */
    private Map<String, double[]> neurons() {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (int[] g : neuronLayers) {
            double[] w = delta(g[0]), b = delta(g[1]);
            int rows = b.length, cols = w.length / rows;
            double[] n = new double[rows];
            for (int j = 0; j < rows; j++) {
                double s = b[j];
                for (int i = 0; i < cols; i++) s += w[j * cols + i];
                n[j] = s;
            }
            out.put(layout.layer(g[0]).name(), n);
        }
        return out;
    }

    private double[] delta(int layer) {
        double[] now = heat.cumulative(layer);
        double[] prev = previous[layer];
        previous[layer] = now;
        if (prev == null) return now;
        double[] d = new double[now.length];
        for (int i = 0; i < d.length; i++) d[i] = now[i] - prev[i];
        return d;
    }

    @Override
    public void finished(RunSummary s) {
        points.flush(this::neurons);
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> table = new LinkedHashMap<>();
        s.estimators().forEach(r -> table.put(r.name(), EstimatorJson.of(r)));
        m.put("estimators", table);
        m.put("bestByCost", s.bestByCost());
        m.put("seconds", s.seconds());
        server.publish("done", StepPoints.json(m));
    }

    @Override
    public void failed(Throwable error) {
        if (points != null) points.flush(this::neurons);
        server.publish("failed", StepPoints.json(Map.of("error", String.valueOf(error.getMessage()))));
    }
}
