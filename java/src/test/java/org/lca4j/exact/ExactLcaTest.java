package org.lca4j.exact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lca4j.Lca;
import org.lca4j.core.ParamLayout;
import org.junit.jupiter.api.Test;

/** The Simpson path integral on objectives whose line integrals are known in closed form. */
class ExactLcaTest {
    private static final ParamLayout LAYOUT = ParamLayout.builder().add("a", 2).add("b", 1).build();

    /** L(θ) = Σ c_i θ_i^p / p, g_i = c_i θ_i^(p−1). */
    private static Objective power(int p, double[] c) {
        return new Objective() {
            @Override
            public double lossAndGradient(float[] theta, float[] grad) {
                double l = 0;
                for (int i = 0; i < theta.length; i++) {
                    l += c[i] * Math.pow(theta[i], p) / p;
                    grad[i] = (float) (c[i] * Math.pow(theta[i], p - 1));
                }
                return l;
            }

            @Override
            public int size() {
                return 1;
            }
        };
    }

    @Test
    void aStepOfTheWrongLengthIsRefusedBeforeAnyGradientIsSpent() {
        ExactLca ex = new ExactLca(power(3, new double[]{1, -2, 0.5}), Lca.cpu(LAYOUT), 1e-3, 32);
        float[] a = {0.5f, 1f, -1f};
        ex.start(a);
        long spent = ex.evaluations();
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ex.step(a, new float[] {1f, 2f, 3f, 4f}));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("θ_{t+1} 4") && e.getMessage().contains("3 parameters"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ex.step(new float[2], a));
        assertEquals(spent, ex.evaluations(), "no reference-set gradient for a refused call");
        var tol = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new ExactLca(power(3, new double[]{1, 1, 1}), Lca.cpu(LAYOUT), 0, 32));
        org.junit.jupiter.api.Assertions.assertTrue(tol.getMessage().startsWith("tol (--tol) must be positive"), tol.getMessage());
    }

    @Test
    void simpsonIsExactForCubicLossesWithTwoSplits() {
        // g is quadratic along the line, which Simpson integrates exactly: e_t is rounding only.
        ExactLca ex = new ExactLca(power(3, new double[]{1, -2, 0.5}), Lca.cpu(LAYOUT), 1e-3, 32);
        float[] a = {0.5f, 1f, -1f}, b = {0.25f, 1.5f, 0.5f};
        ex.start(a);
        ExactLca.Step s = ex.step(a, b);
        assertEquals(2, s.splits());
        assertEquals(2, ex.evaluations() - 1, "n = 2 costs the midpoint and the end point");
        assertEquals(s.lossChange(), s.lca().total(), 1e-6);
        // Per parameter: A_i = ∫ g_i dθ_i = c_i (b_i³ − a_i³)/3.
        assertEquals((Math.pow(0.25, 3) - Math.pow(0.5, 3)) / 3 + (-2) * (Math.pow(1.5, 3) - 1) / 3, s.lca().lca(0), 1e-6);
        assertEquals(0.5 * (Math.pow(0.5, 3) + 1) / 3, s.lca().lca(1), 1e-6);
    }

    @Test
    void doublesSplitsUntilWithinToleranceAndReusesPoints() {
        // Quintic loss: quartic g along the line, where Simpson has a real error that halving h shrinks 16×.
        ExactLca ex = new ExactLca(power(6, new double[]{1, 1, 1}), Lca.cpu(LAYOUT), 1e-4, 32);
        float[] a = {0f, 0.5f, -1f}, b = {1.2f, -1f, 1f};
        ex.start(a);
        long before = ex.evaluations();
        ExactLca.Step s = ex.step(a, b);
        assertTrue(s.splits() > 2, "needs refinement, used n=" + s.splits());
        assertTrue(Math.abs(s.error()) <= 1e-4, "error " + s.error() + " n=" + s.splits());
        assertTrue(s.converged());
        assertEquals(s.splits(), ex.evaluations() - before, "n splits cost n evaluations: old points are reused");
        double exact = (Math.pow(1.2, 6) + Math.pow(-1, 6) - Math.pow(0.5, 6) + Math.pow(1, 6) - Math.pow(-1, 6)) / 6;
        assertEquals(exact, s.lossChange(), 1e-6);

        ExactLca coarse = new ExactLca(power(6, new double[]{1, 1, 1}), Lca.cpu(LAYOUT), 1e-4, 2);
        coarse.start(a);
        ExactLca.Step c = coarse.step(a, b);
        assertEquals(2, c.splits());
        assertTrue(!c.converged() && Math.abs(c.error()) > 10 * Math.abs(s.error()), "capped at n=2 the error stays large: " + c.error());
    }

    @Test
    void endPointGradientIsReusedAsTheNextStart() {
        ExactLca ex = new ExactLca(power(2, new double[]{1, 2, 3}), Lca.cpu(LAYOUT), 1e-3, 32);
        float[] t0 = {1f, 1f, 1f}, t1 = {0.5f, 0.8f, 0.9f}, t2 = {0.2f, 0.5f, 0.7f};
        ex.start(t0);
        ex.step(t0, t1);
        ex.step(t1, t2);
        assertEquals(1 + 2 + 2, ex.evaluations());
    }
}
