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
    void aNanLossAtTheStartIsNotTakenForAMissingStart() {
        // R with a NaN in it: L_R(θ_0) is NaN, and the step must say what is wrong with its input, not "call start(θ_0)".
        ExactLca ex = new ExactLca(power(3, new double[]{Double.NaN, 1, 1}), Lca.cpu(LAYOUT), 1e-3, 32);
        float[] a = {0.5f, 1f, -1f};
        assertTrue(Double.isNaN(ex.start(a)));
        RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> ex.step(a, new float[] {0.25f, 1.5f, 0.5f}));
        assertTrue(!e.getMessage().contains("call start") && e.getMessage().contains("NaN"), e.getMessage());
        assertThrowsStartFirst();
    }

    private static void assertThrowsStartFirst() {
        ExactLca fresh = new ExactLca(power(3, new double[]{1, 1, 1}), Lca.cpu(LAYOUT), 1e-3, 32);
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> fresh.step(new float[3], new float[3]));
        assertTrue(e.getMessage().contains("call start(θ_0)"), e.getMessage());
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

    /** L(θ) = Σ c_i exp(θ_i): g is not a polynomial along the step, so every Simpson rule has an error. */
    private static Objective exponential(double[] c) {
        return new Objective() {
            @Override
            public double lossAndGradient(float[] theta, float[] grad) {
                double l = 0;
                for (int i = 0; i < theta.length; i++) {
                    l += c[i] * Math.exp(theta[i]);
                    grad[i] = (float) (c[i] * Math.exp(theta[i]));
                }
                return l;
            }

            @Override
            public int size() {
                return 1;
            }
        };
    }

    /** Composite Simpson ḡ over n splits, from the gradients at the float points θ_t + (k/n)Δ: weights 1,4,2,…,4,1 over 3n. */
    private static double[] simpson(double[] c, float[] a, float[] b, int n) {
        double[] out = new double[a.length];
        float[] p = new float[a.length];
        for (int k = 0; k <= n; k++) {
            ExactLca.pointOnStep(a, b, k / (double) n, p);
            double w = k == 0 || k == n ? 1 : k % 2 == 1 ? 4 : 2;
            for (int i = 0; i < a.length; i++) out[i] += w * (double) (float) (c[i] * Math.exp(p[i]));
        }
        for (int i = 0; i < a.length; i++) out[i] /= 3.0 * n;
        return out;
    }

    private static double lossChangeMinusLca(double[] c, float[] a, float[] b, double[] gbar) {
        double change = 0, lca = 0;
        for (int i = 0; i < a.length; i++) {
            change += c[i] * (Math.exp(b[i]) - Math.exp(a[i]));
            lca += gbar[i] * ((double) b[i] - a[i]);
        }
        return change - lca;
    }

    @Test
    void simpsonWeightsAndTheDoublingRuleFollowTheDefinition() {
        // n = 2: weights 1/6, 4/6, 1/6; n = 4: 1, 4, 2, 4, 1 over 12. Doubling stops at the first n with
        // |e_t| ≤ tol: with tol between |e_2| and |e_4| that is n = 4, and e_t is ΔL − Σ_i A_t,i.
        double[] c = {1, -2, 0.5};
        float[] a = {0f, 0.5f, -1f}, b = {1.5f, -1f, 1f};
        double[] g2 = simpson(c, a, b, 2), g4 = simpson(c, a, b, 4), g8 = simpson(c, a, b, 8);
        double e2 = lossChangeMinusLca(c, a, b, g2), e4 = lossChangeMinusLca(c, a, b, g4), e8 = lossChangeMinusLca(c, a, b, g8);
        assertTrue(Math.abs(e2) > 10 * Math.abs(e4) && Math.abs(e4) > 10 * Math.abs(e8), e2 + " " + e4 + " " + e8);
        double tol = Math.sqrt(Math.abs(e2) * Math.abs(e4));

        ExactLca ex = new ExactLca(exponential(c), Lca.cpu(LAYOUT), tol, 32);
        ex.start(a);
        ExactLca.Step s = ex.step(a, b);
        assertEquals(4, s.splits(), "first n with |e_t| <= tol");
        for (int i = 0; i < a.length; i++) assertEquals((float) g4[i], ex.pathGradient()[i], Math.ulp((float) g4[i]), "ḡ with weights 1,4,2,4,1 over 12, parameter " + i);
        double recordedLca = 0;
        for (int i = 0; i < a.length; i++) recordedLca += (double) ex.pathGradient()[i] * ((double) b[i] - a[i]);
        assertEquals(recordedLca, s.lca().total(), 1e-15);
        assertEquals(s.lossChange() - recordedLca, s.error(), 1e-15, "e_t = L(θ_{t+1}) − L(θ_t) − Σ_i A_t,i");
        assertEquals(e4, s.error(), 1e-6, "e_t as the independent n = 4 rule gives it, up to ḡ's float rounding");
        assertTrue(s.converged());

        ExactLca two = new ExactLca(exponential(c), Lca.cpu(LAYOUT), tol, 2);
        two.start(a);
        ExactLca.Step s2 = two.step(a, b);
        assertEquals(2, s2.splits());
        for (int i = 0; i < a.length; i++) assertEquals((float) g2[i], two.pathGradient()[i], Math.ulp((float) g2[i]), "ḡ with weights 1/6, 4/6, 1/6, parameter " + i);
        assertTrue(!s2.converged() && Math.abs(s2.error()) > tol, "capped at max-splits, over tol, recorded as such");
    }

    @Test
    void allocationsOverARunAddUpToTheLossChangeWithinTheSumOfStepErrors() {
        // Conservation: Σ_t Σ_i A_t,i = L(θ_T) − L(θ_0) up to Σ_t |e_t|, with a coarse max-splits so the e_t are real.
        double[] c = {1, -2, 0.5};
        float[][] path = {{0f, 0.5f, -1f}, {0.6f, 0.1f, -0.4f}, {1.5f, -1f, 1f}, {0.2f, -0.3f, 0.4f}};
        ExactLca ex = new ExactLca(exponential(c), Lca.cpu(LAYOUT), 1e-12, 4);
        double l0 = ex.start(path[0]);
        double total = 0, errors = 0;
        for (int t = 0; t + 1 < path.length; t++) {
            ExactLca.Step s = ex.step(path[t], path[t + 1]);
            total += s.lca().total();
            errors += Math.abs(s.error());
        }
        double lT = 0, l0Direct = 0;
        for (int i = 0; i < 3; i++) {
            lT += c[i] * Math.exp(path[path.length - 1][i]);
            l0Direct += c[i] * Math.exp(path[0][i]);
        }
        assertEquals(l0Direct, l0, 1e-12);
        assertTrue(errors > 1e-6, "the steps have real integration error: " + errors);
        assertTrue(Math.abs(total - (lT - l0)) <= errors + 1e-12, "|ΣA − ΔL| = " + Math.abs(total - (lT - l0)) + " > Σ|e_t| = " + errors);
    }

    @Test
    void convergenceIsJudgedOnTheRecordedFloatPathGradient() {
        // One parameter stepped 0 → 1 along a made-up gradient: 1 at the start, 0 at the midpoint and the
        // end, and a loss change of exactly 1/6. Simpson in double, (1 + 0 + 4·0)/6, matches it exactly, so
        // n stays 2; but ḡ goes to the accumulator as the float nearest 1/6, and e_t = 1/6 − float(1/6)
        // is what the tolerance is held to.
        Objective made = new Objective() {
            @Override
            public double lossAndGradient(float[] theta, float[] grad) {
                grad[0] = theta[0] == 0f ? 1f : 0f;
                return theta[0] == 1f ? 1 / 6.0 : 0;
            }

            @Override
            public int size() {
                return 1;
            }
        };
        ParamLayout one = ParamLayout.builder().add("w", 1).build();
        ExactLca ex = new ExactLca(made, Lca.cpu(one), 1e-12, 32);
        ex.start(new float[] {0f});
        ExactLca.Step s = ex.step(new float[] {0f}, new float[] {1f});
        assertEquals(2, s.splits());
        assertEquals((float) (1 / 6.0), ex.pathGradient()[0]);
        assertEquals(1 / 6.0 - (double) (float) (1 / 6.0), s.error(), 0);
        assertTrue(!s.converged(), "|e_t| ≈ 5e-9 is over tol 1e-12 although the double-precision Simpson sum met it");
        ExactLca loose = new ExactLca(made, Lca.cpu(one), 1e-8, 32);
        loose.start(new float[] {0f});
        assertTrue(loose.step(new float[] {0f}, new float[] {1f}).converged());
    }
}
