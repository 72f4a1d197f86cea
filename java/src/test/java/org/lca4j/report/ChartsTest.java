package org.lca4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The step axis is labelled at round steps, about six of them, never below every step. */
class ChartsTest {
    @Test
    void stepAxisLabelsFallOnRoundSteps() {
        assertEquals(1, Charts.labelStep(0));
        assertEquals(1, Charts.labelStep(5));
        assertEquals(2, Charts.labelStep(12));
        assertEquals(50, Charts.labelStep(219)); // the demo's 220 steps: 0, 50, …, 200
        assertEquals(50, Charts.labelStep(300));
        assertEquals(100, Charts.labelStep(301));
        assertEquals(2000, Charts.labelStep(10_000));
    }
}
