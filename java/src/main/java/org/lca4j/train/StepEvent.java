package org.lca4j.train;

import java.util.Map;
import org.lca4j.core.StepLca;
import org.lca4j.exact.ExactLca;

/**
 * Everything known about step t once it is done. The θ arrays are the trainer's own buffers:
 * read them during the callback, copy them to keep them.
 *
 * @param batchLoss  mean loss of b_t at θ_t (NaN when replaying a saved trajectory)
 * @param exact      exact LCA on the reference set, or null when switched off
 * @param validation exact LCA on the validation split, or null
 * @param lca        every estimator's StepLca by name, exact ones included
 * @param samples    A_t,i of the study's sampled parameters per estimator (exact included), or empty
 */
public record StepEvent(long step, long totalSteps, double batchLoss, float[] thetaBefore, float[] thetaAfter,
                        ExactLca.Step exact, ExactLca.Step validation, Map<String, StepLca> lca,
                        Map<String, double[]> samples, long nanos) {
}
