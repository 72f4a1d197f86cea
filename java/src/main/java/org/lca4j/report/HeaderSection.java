package org.lca4j.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lca4j.run.RunProcess;

/** The run's configuration, data source, conservation check and loss curve. */
final class HeaderSection {
    private HeaderSection() {
    }

    static String render(RunData d, Charts charts) throws IOException {
        StringBuilder b = new StringBuilder("<section id=\"run\">\n<h2>Run</h2>\n");
        String status = d.field("status").asText("");
        if (!status.isEmpty() && !status.equals("complete")) {
            Optional<String> gone = RunProcess.gone(d.runJson());
            String why = gone.isPresent() ? ", but " + gone.get() : d.field("error").isTextual() ? ": " + d.field("error").asText() : "";
            b.append(Html.note("Run status is '" + status + "'" + why + ". This report shows the steps recorded" + (gone.isPresent() ? "." : " so far.")));
        }
        b.append("<table class=\"kv\">\n");
        for (Map.Entry<String, JsonNode> e : d.config().properties()) {
            b.append("<tr><th>").append(Html.esc(e.getKey())).append("</th><td>").append(Html.esc(text(e.getValue())))
                    .append("</td></tr>\n");
        }
        JsonNode data = d.field("data");
        for (String key : List.of("source", "reference")) {
            if (data.path(key).isTextual()) {
                b.append("<tr><th>data.").append(key).append("</th><td>").append(Html.esc(data.path(key).asText())).append("</td></tr>\n");
            }
        }
        for (Map.Entry<String, JsonNode> e : d.summary().path("accuracy").properties()) {
            JsonNode a = e.getValue();
            b.append("<tr><th>accuracy (").append(Html.esc(e.getKey())).append(" set, ").append(String.format(java.util.Locale.ROOT, "%,d", a.path("rows").asLong()))
                    .append(" rows)</th><td>").append(Fmt.percent(a.path("start").asDouble())).append(" → ").append(Fmt.percent(a.path("end").asDouble()))
                    .append("</td></tr>\n");
        }
        b.append("</table>\n");
        b.append(conservation(d.summary().path("conservation")));
        if (d.steps().isPresent()) b.append(Html.figure(lossChart(d.steps().get(), charts), "loss per step"));
        return b.append("</section>\n").toString();
    }

    private static String conservation(JsonNode c) {
        if (c.isMissingNode() || c.isNull()) return Html.note("run.json has no summary.conservation (the run may not have finished).");
        return "<p class=\"conservation\"><strong>Conservation:</strong> Σ LCA = " + Html.esc(Fmt.num(c.get("total_lca")))
                + ", loss change = " + Html.esc(Fmt.num(c.get("total_loss_change")))
                + " (" + Html.esc(Fmt.num(c.get("initial_loss"))) + " → " + Html.esc(Fmt.num(c.get("final_loss"))) + ")"
                + "; relative error <strong>" + Html.esc(Fmt.num(c.get("rel_error"))) + "</strong>"
                + "; max step |e<sub>t</sub>| " + Html.esc(Fmt.num(c.get("max_step_abs_error")))
                + "; Σ|e<sub>t</sub>| " + Html.esc(Fmt.num(c.get("sum_abs_error")))
                + "; mean Simpson splits " + Html.esc(Fmt.num(c.get("mean_splits"))) + ".</p>\n";
    }

    private static Optional<Charts.Image> lossChart(StepTable t, Charts charts) throws IOException {
        double[] x = t.column("step").orElseThrow();
        List<Charts.Line> lines = new ArrayList<>();
        t.column("batch_loss").ifPresent(y -> lines.add(Charts.Line.of("batch loss", x, y, Charts.estimatorColor(0), 1f)));
        t.column("loss_before").ifPresent(y -> lines.add(Charts.Line.of("L_R (reference set)", x, y, Charts.EXACT, 2f)));
        t.column("val_loss_before").ifPresent(y -> lines.add(new Charts.Line("validation loss", x, y, Charts.EXACT_VAL, 2f, true)));
        return charts.lines("loss", "Loss over training", "step", "loss", lines, 760, 280);
    }

    private static String text(JsonNode v) {
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            for (JsonNode e : v) parts.add(text(e));
            return String.join(", ", parts);
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }
}
