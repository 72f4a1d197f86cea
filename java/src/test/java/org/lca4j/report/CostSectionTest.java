package org.lca4j.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The report's legend must describe the metrics as run.json computes them (docs/LCA.md, "How an estimator is judged"). */
class CostSectionTest {
    @Test
    void perParameterMetricsAreDescribedOverAllParametersNotTheSample() {
        for (CostSection.Metric m : CostSection.METRICS) {
            if (!m.key().startsWith("param_")) continue;
            // Study streams every (t, i) pair; only the scatter plots use the sampled parameters.
            assertFalse(m.meaning().contains("sampled"), m.key() + ": " + m.meaning());
            assertTrue(m.meaning().contains("all parameters") || m.meaning().contains("the parameters"), m.key() + ": " + m.meaning());
            if (m.key().endsWith("sign_agreement")) assertTrue(m.meaning().contains("≠ 0"), m.key() + " leaves out exact A = 0: " + m.meaning());
        }
    }
}
