package org.lca4j.train;

import java.util.List;
import java.util.Map;
import org.lca4j.study.EstimatorReport;

/**
 * End-of-run figures. Conservation (docs/LCA.md): Σ_t Σ_i A_t,i against L_R(θ_T) − L_R(θ_0), with
 * Σ_t |e_t| as the bound the difference must respect. {@code estimators} is the cost-vs-quality
 * table (empty unless exact LCA and at least one estimator ran). {@code accuracy} is by set
 * ("reference" when exact LCA ran, "validation" when there is a validation split; empty for runs
 * whose network lca4j does not hold).
 */
public record RunSummary(long steps, Conservation conservation, Conservation validationConservation,
                         Map<String, double[]> layerTotals, Map<String, Double> meanHelpedFraction,
                         double finalBatchLoss, double seconds, long referenceEvaluations, long batchEvaluations,
                         double trainingMsPerStep, double exactMsPerStep, List<EstimatorReport> estimators,
                         Map<Integer, String> bestByCost, Map<String, Accuracy> accuracy) {

    /** Share of a set's rows the network classifies right at θ_0 and at the last θ. */
    public record Accuracy(int rows, double start, double end) {
    }

    public record Conservation(double totalLca, double totalLossChange, double relError, double maxStepAbsError,
                               double sumAbsError, double initialLoss, double finalLoss, int maxSplitsUsed,
                               long stepsOverTolerance, double meanSplits) {
    }
}
