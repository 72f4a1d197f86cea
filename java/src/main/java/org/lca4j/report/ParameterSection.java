package org.lca4j.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Question 2: per sampled parameter, does each estimator's A_t,i match exact, and agree in sign? */
final class ParameterSection {
    private static final int MAX_SCATTER_POINTS = 4000;

    private ParameterSection() {
    }

    static String render(RunData d, Charts charts) throws IOException {
        StringBuilder b = new StringBuilder("<section id=\"parameters\">\n<h2>2. Is the approximation good per parameter?</h2>\n");
        if (d.samples().isEmpty()) {
            return b.append(Html.note("This run has no samples/ folder with indices.npy and exact.npy: the per-parameter comparison "
                    + "is skipped.")).append("</section>\n").toString();
        }
        Samples s = d.samples().get();
        List<String> estimators = d.estimators().stream().filter(s::has).toList();
        b.append("<p>").append(s.parameterCount()).append(" sampled parameters over ").append(s.steps())
                .append(" steps. Each scatter shows an estimator's A<sub>t,i</sub> against exact (up to ").append(MAX_SCATTER_POINTS)
                .append(" points picked at random; r is over all points), with the line y = x.</p>\n");
        if (estimators.isEmpty()) return b.append(Html.note("samples/ holds no estimator files.")).append("</section>\n").toString();
        List<ParameterViews> views = new ArrayList<>();
        for (int i = 0; i < estimators.size(); i++) views.add(new ParameterViews(s.steps(), MAX_SCATTER_POINTS, 1));
        s.scan(estimators, (t, exact, est) -> {
            for (int i = 0; i < est.length; i++) views.get(i).add(t, exact, est[i]);
        });
        b.append("<div class=\"grid\">\n");
        for (int i = 0; i < estimators.size(); i++) {
            String e = estimators.get(i);
            double[][] xy = views.get(i).scatter();
            String title = e + ": r = " + Fmt.num(views.get(i).pearson());
            var src = charts.scatter(Charts.figureName("scatter", e), title, "exact A_t,i", e + " A_t,i", xy[0], xy[1],
                    Charts.estimatorColor(d.estimators().indexOf(e)), 340);
            b.append(Html.figure(src, e + " against exact"));
        }
        b.append("</div>\n");
        int[] steps = d.series().steps();
        double[] x = new double[s.steps()];
        for (int t = 0; t < x.length; t++) x[t] = s.steps() <= steps.length ? steps[t] : t;
        List<Charts.Line> lines = new ArrayList<>();
        for (int i = 0; i < estimators.size(); i++) {
            String e = estimators.get(i);
            double[] agree = views.get(i).signAgreementPerStep();
            lines.add(Charts.Line.of(e + " (mean " + Fmt.num(PaperViews.mean(agree)) + ")", x, agree,
                    Charts.estimatorColor(d.estimators().indexOf(e)), 1.5f));
        }
        b.append("<p>Sign agreement: per step, the fraction of sampled parameters with exact A ≠ 0 whose estimate has the same sign.</p>\n");
        b.append(Html.figure(charts.lines("sign-agreement", "Sign agreement with exact, per step", "step", "fraction agreeing",
                lines, 900, 320), "sign agreement per step"));
        return b.append("</section>\n").toString();
    }
}
