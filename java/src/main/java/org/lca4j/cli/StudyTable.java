package org.lca4j.cli;

import java.util.Map;
import org.lca4j.study.EstimatorReport;
import org.lca4j.study.Metrics;
import org.lca4j.study.Study;
import org.lca4j.train.RunSummary;

/** The cost-vs-quality table in the terminal, the same numbers as run.json's summary.estimators. */
final class StudyTable {
    private StudyTable() {
    }

    static String format(RunSummary s) {
        StringBuilder b = new StringBuilder("estimators vs exact LCA on the same trajectory:\n");
        b.append(String.format("%-19s %7s %7s %8s %8s %8s %8s %8s %8s %8s%n", "estimator", "evals", "time×",
                "layer r", "rmse", "cum err", "param r", "sign", "cum sign", "hf mad"));
        for (EstimatorReport r : s.estimators()) {
            Metrics m = r.all();
            b.append(String.format("%-19s %7s %7.3f %8s %8s %8s %8s %8s %8s %8s%n", r.name(),
                    r.declaredExtraEvals() < 0 ? "full" : String.format("%.2f", r.extraEvalsPerStep()), r.relativeTime(),
                    f(m.layerPearsonR()), f(m.layerRmseRel()), f(m.cumulativeRelError()), f(m.paramStepPearsonR()),
                    f(m.paramStepSignAgreement()), f(m.paramCumulativeSignAgreement()), f(m.helpedFractionMad())));
        }
        for (Map.Entry<Integer, String> e : s.bestByCost().entrySet()) {
            b.append(String.format("best at %d extra evals/step: %s%n", e.getKey(), e.getValue()));
        }
        b.append("(best = ").append(Study.BEST_CRITERION).append(")\n");
        b.append(String.format("plain training %.2f ms a step (median); exact LCA %.1f ms a step (mean; %.0f×)%n", s.trainingMsPerStep(), s.exactMsPerStep(),
                (s.trainingMsPerStep() + s.exactMsPerStep()) / s.trainingMsPerStep()));
        return b.toString();
    }

    private static String f(Double v) {
        return v == null ? "—" : String.format("%.3f", v);
    }
}
