package org.lca4j.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Question 4: what each estimator costs and how close it gets, overall and early versus late in training. */
final class CostSection {
    /** A quality metric of summary.estimators: its key, column label and meaning. */
    record Metric(String key, String label, String meaning) {
    }

    static final List<Metric> METRICS = List.of(
            new Metric("layer_pearson_r", "layer r", "Pearson r of per-step layer LCA with exact, mean over layers"),
            new Metric("layer_rmse_rel", "layer RMSE rel.", "RMSE of per-step layer LCA divided by the RMS of exact's series, mean over layers"),
            new Metric("cumulative_rel_error", "cum. rel. error", "relative error of each layer's cumulative LCA, mean over layers"),
            new Metric("cumulative_rel_error_max", "cum. rel. error max", "the same, worst layer"),
            new Metric("param_step_pearson_r", "param step r", "Pearson r of A_t,i over every (step, parameter) pair, all parameters"),
            new Metric("param_step_sign_agreement", "param step sign agr.",
                    "share of the (step, parameter) pairs with exact A ≠ 0 where both helped or both hurt, all parameters"),
            new Metric("param_cumulative_pearson_r", "param cum. r", "Pearson r of per-parameter cumulative LCA, all parameters"),
            new Metric("param_cumulative_sign_agreement", "param cum. sign agr.",
                    "share of the parameters with exact cumulative LCA ≠ 0 where both helped or both hurt"),
            new Metric("helped_fraction_mad", "helped-fraction MAD", "mean |difference| of the helped fraction from exact's"));

    private CostSection() {
    }

    static String render(RunData d) {
        StringBuilder b = new StringBuilder("<section id=\"cost\">\n<h2>4. Cost versus quality</h2>\n");
        if (d.estimators().isEmpty()) return b.append(Html.note("This run compares no estimators with exact LCA.")).append("</section>\n").toString();
        JsonNode all = d.summary().path("estimators");
        Map<String, String> best = bestByCost(d.summary().path("best_by_cost"));
        Set<String> bestNames = new LinkedHashSet<>(best.values());
        b.append(bestSentence(best, d.summary().path("best_criterion")));
        List<String> header = new ArrayList<>(List.of("estimator", "extra evals / step", "time / step (ms)", "relative time"));
        METRICS.forEach(m -> header.add(m.label()));
        b.append("<table class=\"cost\">\n").append(Html.headerRow(header));
        for (String e : d.estimators()) {
            JsonNode m = all.path(e);
            List<String> row = new ArrayList<>(List.of(e, Fmt.num(m.get("extra_evals_per_step")), Fmt.num(m.get("time_per_step_ms")),
                    Fmt.num(m.get("relative_time"))));
            METRICS.forEach(metric -> row.add(Fmt.num(m.get(metric.key()))));
            b.append(Html.row(row, bestNames.contains(e)));
        }
        b.append("</table>\n<p class=\"small\">Relative time: a typical step of training plus the estimator over plain training (medians over the run's steps). ")
                .append("r and sign agreement: higher is better; errors and MAD: lower is better.</p>\n<dl class=\"small\">\n");
        for (Metric m : METRICS) b.append("<dt>").append(Html.esc(m.label())).append("</dt><dd>").append(Html.esc(m.meaning())).append("</dd>\n");
        b.append("</dl>\n");
        b.append(phaseTable(d, bestNames));
        return b.append("</section>\n").toString();
    }

    /** best_by_cost in order of cost: "0", "1", "2", then anything else it holds. */
    private static Map<String, String> bestByCost(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String cost : List.of("0", "1", "2")) {
            if (node.path(cost).isTextual()) out.put(cost, node.path(cost).asText());
        }
        for (String cost : RunData.fieldNames(node)) {
            if (!out.containsKey(cost) && node.path(cost).isTextual()) out.put(cost, node.path(cost).asText());
        }
        return out;
    }

    private static String bestSentence(Map<String, String> best, JsonNode criterion) {
        if (best.isEmpty()) return Html.note("run.json names no best estimator per cost (summary.best_by_cost).");
        StringBuilder b = new StringBuilder("<p class=\"best\">Best ");
        int i = 0;
        for (Map.Entry<String, String> e : best.entrySet()) {
            b.append(i++ == 0 ? "at " : "; at ").append(Html.esc(e.getKey())).append(i == 1 ? " extra batch evaluations per step: " : ": ")
                    .append("<strong>").append(Html.esc(e.getValue())).append("</strong>");
        }
        b.append(".");
        if (criterion.isTextual()) b.append(" Criterion: ").append(Html.esc(criterion.asText()));
        return b.append("</p>\n").toString();
    }

    /** The early/late split of the metrics present in any estimator's phases. */
    private static String phaseTable(RunData d, Set<String> bestNames) {
        JsonNode all = d.summary().path("estimators");
        List<Metric> shown = METRICS.stream().filter(m -> d.estimators().stream()
                .anyMatch(e -> all.path(e).path("phases").path("early").has(m.key()) || all.path(e).path("phases").path("late").has(m.key())))
                .toList();
        if (shown.isEmpty()) return Html.note("run.json has no early/late phase metrics.");
        StringBuilder b = new StringBuilder("<h3>Early versus late training</h3>\n<table class=\"cost\">\n<tr><th rowspan=\"2\">estimator</th>");
        for (Metric m : shown) b.append("<th colspan=\"2\">").append(Html.esc(m.label())).append("</th>");
        b.append("</tr>\n<tr>");
        for (int i = 0; i < shown.size(); i++) b.append("<th>early</th><th>late</th>");
        b.append("</tr>\n");
        for (String e : d.estimators()) {
            JsonNode phases = all.path(e).path("phases");
            List<String> row = new ArrayList<>(List.of(e));
            for (Metric m : shown) {
                row.add(Fmt.num(phases.path("early").get(m.key())));
                row.add(Fmt.num(phases.path("late").get(m.key())));
            }
            b.append(Html.row(row, bestNames.contains(e)));
        }
        return b.append("</table>\n").toString();
    }
}
