package org.lca4j.exact;

import org.lca4j.OptionNames;
import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.StepLca;

/**
 * Exact LCA (docs/LCA.md, "Exact LCA"): the path integral of g_R along each step by composite
 * Simpson, doubling the number of splits n while |e_t| &gt; tol, up to {@code maxSplits}.
 *
 * <p>Refinement keeps every gradient already computed: a Simpson rule over n splits is
 * (h/3)·[ends + 2·(even interior points) + 4·(odd interior points)], and on doubling all old interior
 * points become even ones, so only the new odd points are evaluated. The sums stay O(D) however large
 * n grows. The end point's gradient is reused as the next step's start, so a step costs n gradient
 * evaluations on R (n − 1 interior points and the end point).
 */
public final class ExactLca {
    private final Objective objective;
    private final LcaAccumulator accumulator;
    private final double tol;
    private final int maxSplits;
    private final int dim;
    private float[] gStart;
    private float[] gEnd;
    private final float[] point;
    private final float[] scratch;
    private final double[] even;
    private final double[] odd;
    private final float[] pathGradient;
    private double lossStart = Double.NaN;
    /** Not a NaN loss: L_R(θ_0) is NaN when R holds a NaN, and step() must not then claim start() was never called. */
    private boolean started;
    private double initialLoss = Double.NaN;
    private long evaluations;
    private long evalNanos;

    /**
     * Refuses a tolerance or split limit the constructor would refuse, for callers that check before
     * they build one; named as the library and the command line (--tol, --max-splits) both know them.
     */
    public static void checkOptions(double tol, int maxSplits) {
        checkOptions(tol, maxSplits, OptionNames.COMMAND_LINE);
    }

    /** As {@link #checkOptions(double, int)}, named as {@code names} says the caller's user set them. */
    public static void checkOptions(double tol, int maxSplits, OptionNames names) {
        if (!(tol > 0)) throw new IllegalArgumentException(names.name("tol") + " must be positive, got " + tol);
        if (maxSplits < 2 || Integer.bitCount(maxSplits) != 1) {
            throw new IllegalArgumentException(names.name("maxSplits") + " must be a power of two ≥ 2, got " + maxSplits);
        }
    }

    /** Outcome of one step: its LCA, the losses at both ends, the splits used and the conservation error e_t. */
    public record Step(StepLca lca, double lossBefore, double lossAfter, int splits, double error, boolean converged) {
        public double lossChange() {
            return lossAfter - lossBefore;
        }
    }

    public ExactLca(Objective objective, LcaAccumulator accumulator, double tol, int maxSplits) {
        checkOptions(tol, maxSplits);
        this.objective = objective;
        this.accumulator = accumulator;
        this.tol = tol;
        this.maxSplits = maxSplits;
        this.dim = Math.toIntExact(accumulator.layout().size());
        gStart = new float[dim];
        gEnd = new float[dim];
        point = new float[dim];
        scratch = new float[dim];
        even = new double[dim];
        odd = new double[dim];
        pathGradient = new float[dim];
    }

    /** Evaluates L_R and g_R at θ_0; call once before the first step. */
    public double start(float[] theta0) {
        lossStart = eval(theta0, gStart);
        initialLoss = lossStart;
        started = true;
        return lossStart;
    }

    public Step step(float[] before, float[] after) {
        if (!started) throw new IllegalStateException("call start(θ_0) before the first step");
        // Before the reference-set gradient, which would otherwise be spent (and counted) on a call that fails.
        if (before == null || after == null) throw new IllegalArgumentException((before == null ? "θ_t" : "θ_{t+1}") + " is null");
        if (before.length != dim || after.length != dim) {
            throw new IllegalArgumentException("θ_t has " + before.length + " and θ_{t+1} " + after.length + " values; the layout has " + dim + " parameters");
        }
        double lossEnd = eval(after, gEnd);
        double target = lossEnd - lossStart;
        double endsDot = 0;
        for (int i = 0; i < dim; i++) endsDot += delta(before, after, i) * ((double) gStart[i] + gEnd[i]);
        java.util.Arrays.fill(even, 0);
        double evenDot = 0;
        int n = 2;
        double oddDot = addOddPoints(before, after, n);
        double simpson = (endsDot + 2 * evenDot + 4 * oddDot) / (3.0 * n);
        while (Math.abs(target - simpson) > tol && n < maxSplits) {
            for (int i = 0; i < dim; i++) even[i] += odd[i];
            evenDot += oddDot;
            n *= 2;
            oddDot = addOddPoints(before, after, n);
            simpson = (endsDot + 2 * evenDot + 4 * oddDot) / (3.0 * n);
        }
        double norm = 3.0 * n;
        for (int i = 0; i < dim; i++) {
            pathGradient[i] = (float) (((double) gStart[i] + gEnd[i] + 2 * even[i] + 4 * odd[i]) / norm);
        }
        StepLca lca = accumulator.step(pathGradient, before, after);
        // e_t is measured on what was recorded (float ḡ through the accumulator), not on the double-precision sums above.
        double error = target - lca.total();
        Step s = new Step(lca, lossStart, lossEnd, n, error, Math.abs(error) <= tol);
        float[] t = gStart;
        gStart = gEnd;
        gEnd = t;
        lossStart = lossEnd;
        return s;
    }

    /** ḡ_t of the last step, as handed to the accumulator (valid until the next step). */
    public float[] pathGradient() {
        return pathGradient;
    }

    /** g_R(θ_t) for the step about to be taken, i.e. the last end point (valid until the next step). */
    public float[] gradientAtStart() {
        return gStart;
    }

    public double initialLoss() {
        return initialLoss;
    }

    /** L_R at the latest θ. */
    public double currentLoss() {
        return lossStart;
    }

    /** Gradient evaluations on R so far. */
    public long evaluations() {
        return evaluations;
    }

    public int referenceSize() {
        return objective.size();
    }

    /** Fills {@code odd} with the sum of g_R at s = k/n for odd k, returning Σ Δ·that sum. */
    private double addOddPoints(float[] before, float[] after, int n) {
        java.util.Arrays.fill(odd, 0);
        for (int k = 1; k < n; k += 2) {
            pointOnStep(before, after, k / (double) n, point);
            eval(point, scratch);
            for (int i = 0; i < dim; i++) odd[i] += scratch[i];
        }
        double dot = 0;
        for (int i = 0; i < dim; i++) dot += delta(before, after, i) * odd[i];
        return dot;
    }

    /** θ_t + s·Δ_t in float32, the same way for exact LCA and every estimator. */
    public static void pointOnStep(float[] before, float[] after, double s, float[] out) {
        for (int i = 0; i < out.length; i++) out[i] = (float) (before[i] + s * delta(before, after, i));
    }

    /** Mean wall time of one gradient evaluation on R so far, in nanoseconds. */
    public long nanosPerEvaluation() {
        return evaluations == 0 ? 0 : evalNanos / evaluations;
    }

    /** Total wall time of this engine's gradient evaluations on R. */
    public long evaluationNanos() {
        return evalNanos;
    }

    private double eval(float[] theta, float[] grad) {
        evaluations++;
        long t0 = System.nanoTime();
        double l = objective.lossAndGradient(theta, grad);
        evalNanos += System.nanoTime() - t0;
        return l;
    }

    private static double delta(float[] before, float[] after, int i) {
        return (double) after[i] - before[i];
    }
}
