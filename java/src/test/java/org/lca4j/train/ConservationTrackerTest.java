package org.lca4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.lca4j.core.ParamLayout;
import org.lca4j.core.StepLca;
import org.lca4j.exact.ExactLca;

/** run.json's conservation figures from three made-up steps, checked by hand. */
class ConservationTrackerTest {
    private static final ParamLayout LAYOUT = ParamLayout.builder().add("w", 2).add("b", 1).build();

    private static ExactLca.Step step(double lcaW, double lcaB, double before, double after, int splits, double error, boolean converged) {
        return new ExactLca.Step(new StepLca(0, LAYOUT, new double[] {lcaW, lcaB}, new long[2], new long[2]), before, after, splits, error,
                converged);
    }

    @Test
    void figuresFollowTheirDefinitions() {
        ConservationTracker c = new ConservationTracker(2.0);
        c.add(step(-0.25, -0.05, 2.0, 1.75, 2, 0.05, false));
        c.add(step(-0.2, -0.05, 1.75, 1.5, 8, -0.07, true));
        c.add(step(0.1, -0.1, 1.5, 1.5, 4, 0.01, true));
        RunSummary.Conservation r = c.result();
        assertEquals(-0.55, r.totalLca(), 1e-15);            // −0.3 − 0.25 + 0
        assertEquals(-0.5, r.totalLossChange(), 0);          // L(θ_T) − L(θ_0) = 1.5 − 2
        assertEquals(0.05 / 0.5, r.relError(), 1e-12);       // |ΣA − ΔL| / |ΔL|
        assertEquals(0.07, r.maxStepAbsError(), 0);
        assertEquals(0.13, r.sumAbsError(), 1e-15);
        assertEquals(2.0, r.initialLoss(), 0);
        assertEquals(1.5, r.finalLoss(), 0);
        assertEquals(8, r.maxSplitsUsed());
        assertEquals(1, r.stepsOverTolerance());
        assertEquals(14 / 3.0, r.meanSplits(), 1e-15);
    }

    @Test
    void noLossChangeGivesTheAbsoluteGap() {
        ConservationTracker c = new ConservationTracker(1.0);
        c.add(step(0.02, 0.01, 1.0, 1.0, 2, -0.03, true));
        assertEquals(0.03, c.result().relError(), 1e-15);
        assertEquals(0, new ConservationTracker(1.0).result().meanSplits());
    }
}
