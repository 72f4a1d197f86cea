package org.lca4j.run;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lca4j.study.EstimatorReport;
import org.lca4j.study.Metrics;

/** run.json's {@code summary.estimators} entry for one estimator (README, "Outputs"). */
public final class EstimatorJson {
    private EstimatorJson() {
    }

    public static Map<String, Object> of(EstimatorReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("extra_evals_per_step", r.declaredExtraEvals() < 0 ? "full set" : (Object) r.extraEvalsPerStep());
        m.put("time_per_step_ms", Json.num(r.timePerStepMs()));
        m.put("relative_time", Json.num(r.relativeTime()));
        m.putAll(metrics(r.all(), true));
        Map<String, Object> phases = new LinkedHashMap<>();
        phases.put("early", r.early() == null ? null : metrics(r.early(), false));
        phases.put("late", r.late() == null ? null : metrics(r.late(), false));
        m.put("phases", phases);
        return m;
    }

    private static Map<String, Object> metrics(Metrics x, boolean perLayer) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layer_pearson_r", x.layerPearsonR());
        m.put("layer_rmse_rel", x.layerRmseRel());
        m.put("cumulative_rel_error", x.cumulativeRelError());
        m.put("cumulative_rel_error_max", x.cumulativeRelErrorMax());
        m.put("param_step_pearson_r", x.paramStepPearsonR());
        m.put("param_step_sign_agreement", x.paramStepSignAgreement());
        m.put("param_cumulative_pearson_r", x.paramCumulativePearsonR());
        m.put("param_cumulative_sign_agreement", x.paramCumulativeSignAgreement());
        m.put("helped_fraction_mad", x.helpedFractionMad());
        if (perLayer) {
            Map<String, Object> layers = new LinkedHashMap<>();
            x.perLayer().forEach((k, v) -> {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("pearson_r", v.pearsonR());
                l.put("rmse_rel", v.rmseRel());
                l.put("cumulative_rel_error", v.cumulativeRelError());
                layers.put(k, l);
            });
            m.put("per_layer", layers);
        }
        return m;
    }
}
