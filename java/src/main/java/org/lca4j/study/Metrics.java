package org.lca4j.study;

import java.util.Map;

/**
 * How one estimator compares with exact LCA over a range of steps: every metric of docs/LCA.md,
 * "How an estimator is judged". Null where a metric is undefined (e.g. a constant series).
 *
 * @param layerPearsonR       mean over layers of Pearson r across steps of the per-layer LCA
 * @param layerRmseRel        mean over layers of RMSE / RMS(exact) of the per-layer LCA
 * @param cumulativeRelError  mean over layers of |Σ_t est − Σ_t exact| / |Σ_t exact|
 * @param helpedFractionMad   mean over steps of |helped fraction (est) − helped fraction (exact)|
 */
public record Metrics(Double layerPearsonR, Double layerRmseRel, Double cumulativeRelError, Double cumulativeRelErrorMax,
                      Double paramStepPearsonR, Double paramStepSignAgreement,
                      Double paramCumulativePearsonR, Double paramCumulativeSignAgreement,
                      Double helpedFractionMad, Map<String, LayerMetrics> perLayer) {

    public record LayerMetrics(Double pearsonR, Double rmseRel, Double cumulativeRelError) {
    }
}
