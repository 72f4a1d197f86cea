package org.lca4j.train;

import org.lca4j.exact.ExactLca;

/** Adds up exact LCA steps into the conservation figures of run.json. */
public final class ConservationTracker {
    private final double initialLoss;
    private double totalLca;
    private double finalLoss;
    private double maxAbsError;
    private double sumAbsError;
    private int maxSplits;
    private long overTolerance;
    private long steps;
    private long splitSum;

    public ConservationTracker(double initialLoss) {
        this.initialLoss = initialLoss;
        this.finalLoss = initialLoss;
    }

    public void add(ExactLca.Step s) {
        totalLca += s.lca().total();
        finalLoss = s.lossAfter();
        maxAbsError = Math.max(maxAbsError, Math.abs(s.error()));
        sumAbsError += Math.abs(s.error());
        maxSplits = Math.max(maxSplits, s.splits());
        if (!s.converged()) overTolerance++;
        splitSum += s.splits();
        steps++;
    }

    public RunSummary.Conservation result() {
        // The loss change is L_R(θ_T) − L_R(θ_0) from the two evaluations, not a sum of per-step changes.
        double change = finalLoss - initialLoss;
        double rel = change == 0 ? Math.abs(totalLca) : Math.abs(totalLca - change) / Math.abs(change);
        return new RunSummary.Conservation(totalLca, change, rel, maxAbsError, sumAbsError, initialLoss, finalLoss,
                maxSplits, overTolerance, steps == 0 ? 0 : splitSum / (double) steps);
    }
}
