package org.lca4j.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Question 3: the paper's views of exact LCA: helped fraction, which layers hurt, and synchronized layer peaks. */
final class PaperSection {
    private PaperSection() {
    }

    static String render(RunData d, Charts charts) throws IOException {
        StringBuilder b = new StringBuilder("<section id=\"paper\">\n<h2>3. The paper's views (exact LCA)</h2>\n");
        LayerSeries s = d.series();
        if (!s.has(RunData.EXACT)) return b.append(Html.note("layers.csv has no 'exact' rows.")).append("</section>\n").toString();
        boolean val = s.has(RunData.EXACT_VAL);
        helpedFraction(d, charts, b, val);
        layerTotals(d, charts, b, val);
        synchronization(d, charts, b);
        return b.append("</section>\n").toString();
    }

    private static void helpedFraction(RunData d, Charts charts, StringBuilder b, boolean val) throws IOException {
        LayerSeries s = d.series();
        double[] x = s.stepsAsDoubles();
        double[] exact = PaperViews.overallHelpedFraction(s, RunData.EXACT, d.layers());
        double mean = PaperViews.mean(exact);
        b.append("<h3>Helped fraction</h3>\n<p>Share of all parameters with A<sub>t,i</sub> &lt; 0 at each step. Mean over steps: <strong>")
                .append(Html.value("mean-helped-fraction", mean, Fmt.percent(mean))).append("</strong>");
        double[] valFraction = val ? PaperViews.overallHelpedFraction(s, RunData.EXACT_VAL, d.layers()) : null;
        if (val) {
            double m = PaperViews.mean(valFraction);
            b.append(" (validation LCA: ").append(Html.value("mean-helped-fraction-val", m, Fmt.percent(m))).append(")");
        }
        b.append(".");
        if (d.summary().path("helped_fraction_paper").isTextual()) {
            String paper = d.summary().path("helped_fraction_paper").asText().strip();
            b.append(" The paper: ").append(Html.esc(paper)).append(paper.endsWith(".") ? "" : ".");
        }
        b.append("</p>\n<div class=\"row\">\n");
        List<Charts.Line> lines = new ArrayList<>();
        lines.add(Charts.Line.of(RunData.EXACT, x, exact, Charts.EXACT, 1.5f));
        if (val) lines.add(new Charts.Line(RunData.EXACT_VAL, x, valFraction, Charts.EXACT_VAL, 1.5f, true));
        b.append(Html.figure(charts.lines("helped-fraction", "Helped fraction per step", "step", "share of parameters with A < 0",
                lines, 640, 300), "helped fraction per step"));
        double[] pooled = val ? concat(exact, valFraction) : exact;
        PaperViews.Bins bins = PaperViews.bins(pooled, PaperViews.binCount(exact.length));
        List<Charts.Bars> bars = new ArrayList<>();
        bars.add(new Charts.Bars(RunData.EXACT, bins.counts(exact), Charts.estimatorColor(0)));
        if (val) bars.add(new Charts.Bars(RunData.EXACT_VAL, bins.counts(valFraction), Charts.EXACT_VAL));
        b.append(Html.figure(charts.histogram("helped-fraction-histogram", "Helped fraction: histogram over steps", "helped fraction",
                bins.centers(), bars, 520, 300), "helped fraction histogram"));
        b.append("</div>\n");
    }

    private static void layerTotals(RunData d, Charts charts, StringBuilder b, boolean val) throws IOException {
        LayerSeries s = d.series();
        List<String> names = d.layers().stream().map(LayerMeta::name).toList();
        double[] totals = names.stream().mapToDouble(n -> PaperViews.sum(s.lca(RunData.EXACT, n))).toArray();
        double grand = PaperViews.sum(totals);
        b.append("<h3>Per-layer totals</h3>\n<p>Σ over steps of each layer's exact LCA. Red bars: layers that hurt overall.</p>\n");
        b.append(Html.figure(charts.signedBars("layer-totals", "Total LCA per layer (exact)", "Σ LCA", names, totals, 760, 320),
                "per-layer totals"));
        List<String> header = new ArrayList<>(List.of("layer", "parameters", "total LCA", "share of Σ LCA", "mean helped fraction"));
        if (val) header.add("total validation LCA");
        b.append("<table>\n").append(Html.headerRow(header));
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            List<String> row = new ArrayList<>(List.of(n, Long.toString(d.layers().get(i).size()), Fmt.num(totals[i]),
                    grand == 0 ? Fmt.MISSING : Fmt.percent(totals[i] / grand), Fmt.percent(PaperViews.mean(s.helped(RunData.EXACT, n)))));
            if (val) row.add(Fmt.num(PaperViews.sum(s.lca(RunData.EXACT_VAL, n))));
            b.append(Html.row(row, false));
        }
        b.append("</table>\n");
    }

    private static void synchronization(RunData d, Charts charts, StringBuilder b) throws IOException {
        LayerSeries s = d.series();
        double[] x = s.stepsAsDoubles();
        List<double[]> perLayer = new ArrayList<>();
        List<Charts.Line> lines = new ArrayList<>();
        for (int i = 0; i < d.layers().size(); i++) {
            String n = d.layers().get(i).name();
            double[] y = s.lca(RunData.EXACT, n);
            perLayer.add(y);
            lines.add(Charts.Line.of(n, x, PaperViews.normalizedByMaxAbs(y), Charts.estimatorColor(i), 1.2f));
        }
        PaperViews.Synchronization sync = PaperViews.synchronization(perLayer, s.stepCount());
        b.append("<h3>Synchronization of layers</h3>\n<p>Each layer's per-step exact LCA divided by its own largest |value|. ")
                .append("For each pair of layers, the Jaccard overlap of their ").append(sync.k()).append(" most negative steps (of ")
                .append(sync.steps()).append("), averaged over ").append(sync.pairs()).append(" pairs: <strong>")
                .append(Html.value("sync-mean-jaccard", sync.meanJaccard(), Fmt.num(sync.meanJaccard()))).append("</strong>, against ")
                .append(Html.value("sync-chance-jaccard", sync.chanceJaccard(), Fmt.num(sync.chanceJaccard())))
                .append(" expected by chance for independent random choices of steps. Well above chance means the layers learn "
                        + "in the same steps.</p>\n");
        b.append(Html.figure(charts.lines("synchronization", "Per-layer LCA, normalized by its max |value|", "step", "LCA / max |LCA|", lines,
                900, 320), "normalized per-layer LCA"));
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
