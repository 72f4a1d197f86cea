package org.lca4j.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/** The computations behind the paper's views of exact LCA (Lan et al. 2019): helped fraction, totals, synchronization. */
final class PaperViews {
    private PaperViews() {
    }

    /**
     * Share of ALL parameters with A &lt; 0 at each step: Σ_layers helped_fraction × size / Σ_layers size.
     * NaN at a step where some sized layer has no helped fraction.
     */
    static double[] overallHelpedFraction(LayerSeries series, String estimator, List<LayerMeta> layers) {
        double[] out = new double[series.stepCount()];
        double total = layers.stream().mapToDouble(LayerMeta::size).sum();
        if (total <= 0) {
            Arrays.fill(out, Double.NaN);
            return out;
        }
        for (LayerMeta l : layers) {
            if (l.size() <= 0) continue;
            double[] h = series.helped(estimator, l.name());
            for (int t = 0; t < out.length; t++) out[t] += h[t] * l.size();
        }
        for (int t = 0; t < out.length; t++) out[t] /= total;
        return out;
    }

    /** Mean of the finite values; NaN if none. */
    static double mean(double[] v) {
        return Arrays.stream(v).filter(Double::isFinite).average().orElse(Double.NaN);
    }

    /** Sum of the finite values. */
    static double sum(double[] v) {
        return Arrays.stream(v).filter(Double::isFinite).sum();
    }

    /** Running sum; a NaN step adds nothing. */
    static double[] cumulative(double[] v) {
        double[] out = new double[v.length];
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            if (Double.isFinite(v[i])) s += v[i];
            out[i] = s;
        }
        return out;
    }

    /** Each value divided by the largest |value| (unchanged when that is 0). */
    static double[] normalizedByMaxAbs(double[] v) {
        double max = Arrays.stream(v).filter(Double::isFinite).map(Math::abs).max().orElse(0);
        return max == 0 ? v.clone() : Arrays.stream(v).map(x -> x / max).toArray();
    }

    /** Equal-width histogram bins starting at {@code lo}. */
    record Bins(double lo, double width, int count) {
        double[] centers() {
            return IntStream.range(0, count).mapToDouble(b -> lo + (b + 0.5) * width).toArray();
        }

        /** How many finite values fall in each bin; values outside go to the nearest end bin. */
        int[] counts(double[] values) {
            int[] out = new int[count];
            for (double v : values) {
                if (Double.isFinite(v)) out[Math.max(0, Math.min(count - 1, (int) Math.floor((v - lo) / width)))]++;
            }
            return out;
        }
    }

    /** {@code n} equal bins spanning the finite values (a narrow band around a constant). */
    static Bins bins(double[] values, int n) {
        double lo = Arrays.stream(values).filter(Double::isFinite).min().orElse(0);
        double hi = Arrays.stream(values).filter(Double::isFinite).max().orElse(1);
        if (hi - lo < 1e-12) {
            lo -= 0.005;
            hi += 0.005;
        }
        return new Bins(lo, (hi - lo) / n, n);
    }

    /** A sensible bin count for n values: √n clamped to [5, 30]. */
    static int binCount(int n) {
        return Math.max(5, Math.min(30, (int) Math.round(Math.sqrt(n))));
    }

    /**
     * Synchronization of per-layer LCA: for each pair of layers, the Jaccard overlap of their k most
     * negative steps; {@code meanJaccard} over pairs (NaN with fewer than two layers), against
     * {@code chanceJaccard}, the expected overlap of two independent uniformly random k-subsets of T steps.
     */
    record Synchronization(int k, int steps, int pairs, double meanJaccard, double chanceJaccard) {
    }

    /** k = 10 most negative steps, or 10% of the steps (at least 1) when there are fewer than 100. */
    static int topK(int steps) {
        return steps >= 100 ? 10 : Math.max(1, (int) Math.round(0.1 * steps));
    }

    static Synchronization synchronization(List<double[]> perLayer, int steps) {
        int k = Math.min(topK(steps), steps);
        List<Set<Integer>> tops = new ArrayList<>();
        for (double[] v : perLayer) tops.add(mostNegative(v, k));
        double sum = 0;
        int pairs = 0;
        for (int a = 0; a < tops.size(); a++) {
            for (int b = a + 1; b < tops.size(); b++) {
                sum += jaccard(tops.get(a), tops.get(b));
                pairs++;
            }
        }
        return new Synchronization(k, steps, pairs, pairs == 0 ? Double.NaN : sum / pairs, chanceJaccard(steps, k));
    }

    /** Indices of the k smallest finite values (ties: earlier step first). */
    static Set<Integer> mostNegative(double[] v, int k) {
        return new HashSet<>(IntStream.range(0, v.length).filter(i -> Double.isFinite(v[i])).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> v[i]).thenComparingInt(i -> i)).limit(k).toList());
    }

    static double jaccard(Set<Integer> a, Set<Integer> b) {
        if (a.isEmpty() && b.isEmpty()) return Double.NaN;
        Set<Integer> inter = new HashSet<>(a);
        inter.retainAll(b);
        return (double) inter.size() / (a.size() + b.size() - inter.size());
    }

    /** E[|A∩B| / |A∪B|] for independent uniform k-subsets of n items: hypergeometric over the intersection size. */
    static double chanceJaccard(int n, int k) {
        if (k <= 0 || n <= 0 || k > n) return Double.NaN;
        double expected = 0;
        for (int i = Math.max(0, 2 * k - n); i <= k; i++) {
            double logP = logChoose(k, i) + logChoose(n - k, k - i) - logChoose(n, k);
            expected += Math.exp(logP) * i / (2.0 * k - i);
        }
        return expected;
    }

    private static double logChoose(int n, int r) {
        double s = 0;
        for (int i = 1; i <= r; i++) s += Math.log(n - r + i) - Math.log(i);
        return s;
    }
}
