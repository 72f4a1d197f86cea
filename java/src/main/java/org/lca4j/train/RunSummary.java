package org.lca4j.train;

import java.util.List;
import java.util.Map;
import org.lca4j.study.EstimatorReport;

/**
 * End-of-run figures. Conservation (docs/LCA.md): Σ_t Σ_i A_t,i against L_R(θ_T) − L_R(θ_0), with
 * Σ_t |e_t| as the bound the difference must respect. {@code estimators} is the cost-vs-quality
 * table (empty unless exact LCA and at least one estimator ran).
 */
public record RunSummary(long steps, Conservation conservation, Conservation validationConservation,
                         Map<String, double[]> layerTotals, Map<String, Double> meanHelpedFraction,
                         double finalBatchLoss, double seconds, long referenceEvaluations, long batchEvaluations,
                         double trainingMsPerStep, double exactMsPerStep, List<EstimatorReport> estimators,
                         Map<Integer, String> bestByCost) {

    public record Conservation(double totalLca, double totalLossChange, double relError, double maxStepAbsError,
                               double sumAbsError, double initialLoss, double finalLoss, int maxSplitsUsed,
                               long stepsOverTolerance, double meanSplits) {
    }
}
