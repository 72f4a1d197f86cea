package org.lca4j.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Question 1: per layer, does each estimator's LCA follow exact LCA, step by step and cumulatively? */
final class LayerSection {
    private LayerSection() {
    }

    static String render(RunData d, Charts charts) throws IOException {
        StringBuilder b = new StringBuilder("<section id=\"layers\">\n<h2>1. Is the approximation good per layer?</h2>\n");
        b.append("<p>Per-step LCA of each layer (Σ<sub>i in layer</sub> A<sub>t,i</sub>), exact in thick black, and its running sum over "
                + "steps (the paper's trajectory view). Negative = the layer helped.</p>\n");
        LayerSeries s = d.series();
        boolean exact = s.has(RunData.EXACT);
        if (!exact) b.append(Html.note("layers.csv has no 'exact' rows: estimators are shown without a reference."));
        List<String> estimators = d.estimatorsWithSeries();
        double[] x = s.stepsAsDoubles();
        for (int li = 0; li < d.layers().size(); li++) {
            LayerMeta layer = d.layers().get(li);
            List<Charts.Line> perStep = new ArrayList<>(), cumulative = new ArrayList<>();
            for (int ei = 0; ei < estimators.size(); ei++) {
                String e = estimators.get(ei);
                double[] y = s.lca(e, layer.name());
                perStep.add(Charts.Line.of(e, x, y, Charts.estimatorColor(d.estimators().indexOf(e)), 1.2f));
                cumulative.add(Charts.Line.of(e, x, PaperViews.cumulative(y), Charts.estimatorColor(d.estimators().indexOf(e)), 1.2f));
            }
            if (exact) {
                double[] y = s.lca(RunData.EXACT, layer.name());
                perStep.add(Charts.Line.of(RunData.EXACT, x, y, Charts.EXACT, 2.5f));
                cumulative.add(Charts.Line.of(RunData.EXACT, x, PaperViews.cumulative(y), Charts.EXACT, 2.5f));
            }
            String idx = String.format("%02d", li);
            b.append("<h3>").append(Html.esc(layer.name())).append("</h3>\n<div class=\"row\">\n");
            b.append(Html.figure(charts.lines(Charts.figureName("layer", idx, layer.name(), "steps"), layer.name() + ": LCA per step",
                    "step", "LCA", perStep, 640, 300), layer.name() + " per-step LCA"));
            b.append(Html.figure(charts.lines(Charts.figureName("layer", idx, layer.name(), "cumulative"), layer.name() + ": cumulative LCA",
                    "step", "Σ LCA so far", cumulative, 640, 300), layer.name() + " cumulative LCA"));
            b.append("</div>\n").append(metricsTable(d, layer.name(), estimators));
        }
        return b.append("</section>\n").toString();
    }

    /** The per-layer metrics run.json reports, and each series' total from layers.csv. */
    private static String metricsTable(RunData d, String layer, List<String> estimators) {
        if (d.estimators().isEmpty()) return "";
        StringBuilder b = new StringBuilder("<table>\n");
        b.append(Html.headerRow(List.of("estimator", "pearson r", "RMSE (rel.)", "cumulative rel. error", "total LCA")));
        if (d.series().has(RunData.EXACT)) {
            b.append(Html.row(List.of(RunData.EXACT, "", "", "", Fmt.num(PaperViews.sum(d.series().lca(RunData.EXACT, layer)))), false));
        }
        for (String e : d.estimators()) {
            JsonNode m = d.summary().path("estimators").path(e).path("per_layer").path(layer);
            String total = estimators.contains(e) ? Fmt.num(PaperViews.sum(d.series().lca(e, layer))) : Fmt.MISSING;
            b.append(Html.row(List.of(e, Fmt.num(m.get("pearson_r")), Fmt.num(m.get("rmse_rel")), Fmt.num(m.get("cumulative_rel_error")),
                    total), false));
        }
        return b.append("</table>\n").toString();
    }
}
