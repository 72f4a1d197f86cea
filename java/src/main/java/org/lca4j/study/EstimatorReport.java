package org.lca4j.study;

/**
 * One row of the cost-vs-quality table.
 *
 * @param declaredExtraEvals extra batch evaluations per step in steady state; -1 = the whole reference set
 * @param extraEvalsPerStep  what it actually spent per step on average (the last step may need one more)
 * @param timePerStepMs      its own work in a typical step, the median over steps (its extra evaluations, as if it ran alone, plus combining and accumulating)
 * @param relativeTime       (plain training step + that work) / plain training step
 */
public record EstimatorReport(String name, int declaredExtraEvals, double extraEvalsPerStep, double timePerStepMs,
                              double relativeTime, Metrics all, Metrics early, Metrics late) {
}
