package org.lca4j.train;

import java.util.Map;
import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.ParamLayout;
import org.lca4j.data.LabeledSet;

/**
 * What a listener needs before the first step.
 *
 * @param config        the run's configuration (for a post-hoc analysis: the one it was recorded with)
 * @param layout        the parameter layout LCA is reported in
 * @param widths        the MLP's layer widths, or null for a model that is not lca4j's MLP (e.g. a DL4J network)
 * @param accumulators  each estimator's accumulator by name, for per-parameter cumulative LCA
 * @param reference     the set R exact LCA uses, as fed to the network
 * @param referenceNote how R was chosen, for run.json
 * @param theta0        θ_0 (the trainer's buffer: copy it to keep it)
 * @param sampleIndices parameters whose per-step A the study keeps (null without a study)
 */
public record RunContext(TrainConfig config, ParamLayout layout, int[] widths, String dataSource, int trainRows, int validationRows,
                         LabeledSet reference, String referenceNote, Map<String, LcaAccumulator> accumulators,
                         long totalSteps, float[] theta0, String optimizer,
                         int[] sampleIndices) {
}
