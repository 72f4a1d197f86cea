package org.lca4j.study;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lca4j.Lca;
import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.ParamLayout;
import org.lca4j.core.StepLca;

class StudyCostTest {
    private final ParamLayout layout = ParamLayout.builder().add("w", 2, 3).add("b", 3).build();

    @Test
    void costsAreTheTypicalStepNotTheMeanWithTheFirstStepsStartUp() {
        // Step 0 carries a one-off 300 ms (the JVM warming up) on the first estimator and on training;
        // the steady costs are 2 ms of training, 0.1 ms for "a" and 0.4 ms for "b", charged in two parts.
        int steps = 9;
        Study study = new Study(layout, List.of("a", "b"), steps, new int[] {0, 4});
        float[] before = new float[9], after = new float[9], g = new float[9];
        for (int i = 0; i < 9; i++) {
            before[i] = i;
            after[i] = i + 0.5f;
            g[i] = 1 - i;
        }
        LcaAccumulator ex = Lca.cpu(layout), a = Lca.cpu(layout), b = Lca.cpu(layout);
        for (int t = 0; t < steps; t++) {
            study.addTrainingTime(t == 0 ? 300_000_000L : 1_500_000L);
            study.addTrainingTime(500_000L);
            study.addCost("a", t == 0 ? 300_000_000L : 100_000L, 0);
            study.addCost("b", 300_000L, 1);
            study.addCost("b", 100_000L, 0);
            StepLca e = ex.step(g, before, after);
            study.record(t, before, after, g, e, Map.of("a", g, "b", g), Map.of("a", a.step(g, before, after), "b", b.step(g, before, after)));
        }
        assertEquals(2.0, study.trainingMsPerStep(), 1e-12);
        List<EstimatorReport> rows = study.finish(Map.of(Study.EXACT, ex, "a", a, "b", b), Map.of("a", 0, "b", 1));
        assertEquals(0.1, rows.get(0).timePerStepMs(), 1e-12);
        assertEquals(0.4, rows.get(1).timePerStepMs(), 1e-12);
        assertEquals(1.2, rows.get(1).relativeTime(), 1e-12);
        assertEquals(1.0, rows.get(1).extraEvalsPerStep(), 1e-12, "evaluations stay a mean: every one was spent");
    }
}
