package org.lca4j.study;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.ParamLayout;
import org.lca4j.core.StepLca;

/**
 * Compares every estimator with exact LCA on the same trajectory as the run goes (docs/LCA.md,
 * "How an estimator is judged"), streaming: each metric is a running sum, kept for the whole run,
 * the early phase (first 10% of steps) and the rest, so memory does not grow with the steps (the
 * per-step times behind the median costs aside: one long per step and estimator). Steps are
 * recorded once each, in order.
 */
public final class Study {
    public static final String EXACT = "exact";
    private static final int ALL = 0, EARLY = 1, LATE = 2;
    private final ParamLayout layout;
    private final List<String> names;
    private final int steps;
    private final int earlyEnd;
    private final int[] samples;
    /** Per estimator: the running sums of the whole run, the early phase and the late one. */
    private final Map<String, Phase[]> phases = new LinkedHashMap<>();
    // Time per step, by the step being recorded: costs are medians over steps (see finish). Grown as
    // steps are recorded, not sized by the planned steps.
    private final Map<String, long[]> nanos = new LinkedHashMap<>();
    private final Map<String, Long> evals = new LinkedHashMap<>();
    private long[] trainingNanos = new long[0];
    private int recorded;

    /** @param sampleIndices flat parameter indices whose per-step A is kept for scatter plots */
    public Study(ParamLayout layout, List<String> estimators, long totalSteps, int[] sampleIndices) {
        this.layout = layout;
        this.names = List.copyOf(estimators);
        this.steps = Math.toIntExact(totalSteps);
        this.earlyEnd = Math.max(1, (int) Math.ceil(0.1 * totalSteps));
        this.samples = sampleIndices.clone();
        for (String n : names) {
            phases.put(n, new Phase[] {new Phase(layout.layerCount()), new Phase(layout.layerCount()), new Phase(layout.layerCount())});
            nanos.put(n, new long[0]);
            evals.put(n, 0L);
        }
    }

    public int[] sampleIndices() {
        return samples.clone();
    }

    /**
     * Takes step t: exact's and each estimator's ḡ_t and StepLca. Returns A_t,i of the sampled
     * parameters for exact and every estimator.
     */
    public Map<String, double[]> record(int t, float[] before, float[] after, float[] exactGbar, StepLca exact,
                                        Map<String, float[]> gbars, Map<String, StepLca> lca) {
        Map<String, double[]> out = new LinkedHashMap<>();
        out.put(EXACT, sample(exactGbar, before, after));
        int phase = t < earlyEnd ? EARLY : LATE;
        for (String n : names) {
            Phase[] p = phases.get(n);
            p[ALL].add(exact, lca.get(n));
            p[phase].add(exact, lca.get(n));
            float[] g = gbars.get(n);
            Correlation all = p[ALL].paramStep, ph = p[phase].paramStep;
            for (int i = 0; i < g.length; i++) {
                double d = (double) after[i] - before[i];
                double a = exactGbar[i] * d, e = g[i] * d;
                all.add(a, e);
                ph.add(a, e);
            }
            out.put(n, sample(g, before, after));
        }
        recorded = Math.max(recorded, t + 1);
        return out;
    }

    /** Charges an estimator's own work to the step not yet recorded (may be called in parts). */
    public void addCost(String estimator, long stepNanos, int batchEvals) {
        if (recorded < steps) nanos.put(estimator, charge(nanos.get(estimator), stepNanos));
        evals.merge(estimator, (long) batchEvals, Long::sum);
    }

    /** Plain training work (batch gradient and optimizer update), charged to the step not yet recorded. */
    public void addTrainingTime(long stepNanos) {
        if (recorded < steps) trainingNanos = charge(trainingNanos, stepNanos);
    }

    /** Adds to the slot of the step not yet recorded, growing the array (doubling) to reach it. */
    private long[] charge(long[] perStep, long stepNanos) {
        long[] a = perStep.length > recorded ? perStep : Arrays.copyOf(perStep, Math.min(steps, Math.max(16, 2 * recorded + 1)));
        a[recorded] += stepNanos;
        return a;
    }

    /** A typical step's plain training time: the median over the recorded steps (see {@link #finish}). */
    public double trainingMsPerStep() {
        return medianMs(trainingNanos);
    }

    /**
     * Median rather than mean: the first step pays the JVM's class loading and compilation (hundreds
     * of ms) and a few later ones a garbage collection, each charged to whichever work happened to
     * run then, so a mean would rank estimators by the order they run in (docs/LCA.md, cost).
     */
    private double medianMs(long[] perStep) {
        if (recorded == 0) return 0;
        long[] v = Arrays.copyOf(perStep, recorded); // zeros past its length: steps charged nothing
        Arrays.sort(v);
        int m = recorded / 2;
        return (recorded % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2.0) / 1e6;
    }

    /** The cost-vs-quality rows, given each estimator's accumulator for the cumulative comparisons. */
    public List<EstimatorReport> finish(Map<String, LcaAccumulator> accumulators, Map<String, Integer> declaredEvals) {
        List<EstimatorReport> rows = new ArrayList<>();
        double train = trainingMsPerStep();
        LcaAccumulator exactAcc = accumulators.get(EXACT);
        for (String n : names) {
            Correlation cum = new Correlation();
            LcaAccumulator acc = accumulators.get(n);
            for (int l = 0; l < layout.layerCount(); l++) {
                double[] a = exactAcc.cumulative(l), e = acc.cumulative(l);
                for (int i = 0; i < a.length; i++) cum.add(a[i], e[i]);
            }
            Phase[] ps = phases.get(n);
            Metrics all = ps[ALL].metrics(cum);
            Metrics early = ps[EARLY].metrics(null);
            Metrics late = ps[LATE].steps > 0 ? ps[LATE].metrics(null) : null;
            double ms = medianMs(nanos.get(n));
            double ev = declaredEvals.get(n) < 0 ? -1 : recorded == 0 ? 0 : evals.get(n) / (double) recorded;
            rows.add(new EstimatorReport(n, declaredEvals.get(n), ev, ms, train > 0 ? (train + ms) / train : Double.NaN, all, early, late));
        }
        return rows;
    }

    /**
     * The best estimator at each steady-state cost (0, 1, 2, ... extra batch evaluations): highest
     * mean per-layer Pearson r, ties broken by the lower cumulative relative error.
     */
    public static Map<Integer, String> bestByCost(List<EstimatorReport> rows) {
        Map<Integer, EstimatorReport> best = new java.util.TreeMap<>();
        for (EstimatorReport r : rows) {
            if (r.declaredExtraEvals() < 0 || r.all().layerPearsonR() == null) continue;
            EstimatorReport cur = best.get(r.declaredExtraEvals());
            if (cur == null || better(r, cur)) best.put(r.declaredExtraEvals(), r);
        }
        Map<Integer, String> out = new java.util.TreeMap<>();
        best.forEach((k, v) -> out.put(k, v.name()));
        return out;
    }

    public static final String BEST_CRITERION = "highest mean per-layer Pearson r between the estimator's and exact per-step layer LCA, ties broken by lower cumulative relative error";

    private static boolean better(EstimatorReport a, EstimatorReport b) {
        int c = Double.compare(a.all().layerPearsonR(), b.all().layerPearsonR());
        if (c != 0) return c > 0;
        Double ea = a.all().cumulativeRelError(), eb = b.all().cumulativeRelError();
        return ea != null && (eb == null || ea < eb);
    }

    /** One layer's per-step LCA against exact's over a range of steps, as running sums. */
    private static final class LayerSums {
        final Correlation r = new Correlation();
        double squaredError, exactSquares, exactTotal, estimateTotal;

        void add(double exact, double estimate) {
            r.add(exact, estimate);
            squaredError += (estimate - exact) * (estimate - exact);
            exactSquares += exact * exact;
            exactTotal += exact;
            estimateTotal += estimate;
        }
    }

    /** Everything one estimator's metrics over a range of steps need, summed step by step. */
    private final class Phase {
        final LayerSums[] layers;
        final Correlation paramStep = new Correlation();
        double helpedAbsDiff;
        long steps;

        Phase(int layerCount) {
            layers = new LayerSums[layerCount];
            for (int l = 0; l < layerCount; l++) layers[l] = new LayerSums();
        }

        void add(StepLca exact, StepLca estimate) {
            for (int l = 0; l < layers.length; l++) layers[l].add(exact.lca(l), estimate.lca(l));
            helpedAbsDiff += Math.abs(estimate.helpedFraction() - exact.helpedFraction());
            steps++;
        }

        Metrics metrics(Correlation paramCumulative) {
            Map<String, Metrics.LayerMetrics> per = new LinkedHashMap<>();
            double rSum = 0, rmseSum = 0, cumSum = 0, cumMax = 0;
            int rN = 0, rmseN = 0, cumN = 0;
            for (int l = 0; l < layers.length; l++) {
                LayerSums s = layers[l];
                Double r = s.r.pearson();
                Double rmse = s.exactSquares > 0 ? Math.sqrt(s.squaredError / s.exactSquares) : null;
                Double cum = s.exactTotal != 0 ? Math.abs(s.estimateTotal - s.exactTotal) / Math.abs(s.exactTotal) : null;
                per.put(layout.layer(l).name(), new Metrics.LayerMetrics(r, rmse, cum));
                if (r != null) { rSum += r; rN++; }
                if (rmse != null) { rmseSum += rmse; rmseN++; }
                if (cum != null) { cumSum += cum; cumN++; cumMax = Math.max(cumMax, cum); }
            }
            return new Metrics(rN == 0 ? null : rSum / rN, rmseN == 0 ? null : rmseSum / rmseN, cumN == 0 ? null : cumSum / cumN,
                    cumN == 0 ? null : cumMax, paramStep.pearson(), paramStep.signAgreement(),
                    paramCumulative == null ? null : paramCumulative.pearson(), paramCumulative == null ? null : paramCumulative.signAgreement(),
                    steps > 0 ? helpedAbsDiff / steps : null, per);
        }
    }

    private double[] sample(float[] g, float[] before, float[] after) {
        double[] out = new double[samples.length];
        for (int j = 0; j < samples.length; j++) {
            int i = samples[j];
            out[j] = g[i] * ((double) after[i] - before[i]);
        }
        return out;
    }
}
