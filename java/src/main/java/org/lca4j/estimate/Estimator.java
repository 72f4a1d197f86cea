package org.lca4j.estimate;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The minibatch estimators of ḡ_t from docs/LCA.md; each combines a few {@link PointGradients} into
 * an estimate that is then multiplied by Δ_t like exact LCA's ḡ_t. Arithmetic is double, rounded
 * once to float32, matching {@code ExactLca}'s Simpson sums term for term.
 */
public enum Estimator {
    FIRST_ORDER("first_order", EnumSet.of(Point.FULL_START)) {
        @Override
        float[] point(PointGradients p) {
            return p.fullStart();
        }
    },
    SAME_BATCH("same_batch", EnumSet.of(Point.TRAIN_START)) {
        @Override
        float[] point(PointGradients p) {
            return p.trainStart();
        }
    },
    NEXT_BATCH("next_batch", EnumSet.of(Point.NEXT_START)) {
        @Override
        float[] point(PointGradients p) {
            return p.nextStart();
        }
    },
    NEXT_BATCH_END("next_batch_end", EnumSet.of(Point.NEXT_END)) {
        @Override
        float[] point(PointGradients p) {
            return p.nextEnd();
        }
    },
    NEXT_BATCH_TRAP("next_batch_trap", EnumSet.of(Point.NEXT_START, Point.NEXT_END)) {
        @Override
        public void estimate(PointGradients p, float[] out) {
            trapezoid(p.nextStart(), p.nextEnd(), out);
        }
    },
    NEXT_BATCH_SIMPSON("next_batch_simpson", EnumSet.of(Point.NEXT_START, Point.NEXT_MID, Point.NEXT_END)) {
        @Override
        public void estimate(PointGradients p, float[] out) {
            float[] s = p.nextStart(), m = p.nextMid(), e = p.nextEnd();
            for (int i = 0; i < out.length; i++) out[i] = (float) (((double) s[i] + e[i] + 4 * (double) m[i]) / 6.0);
        }
    },
    FREE_TRAP("free_trap", EnumSet.of(Point.TRAIN_START, Point.NEXT_END)) {
        @Override
        public void estimate(PointGradients p, float[] out) {
            trapezoid(p.trainStart(), p.nextEnd(), out);
        }
    },
    /**
     * free_trap minus the expected bias of its same-batch half (docs/LCA.md, "debiased_trap"). That
     * half's E[g_t·Δθ] exceeds the noise-free value by σ²·∂Δθ/∂g (exact for SGD and momentum, Stein's
     * lemma for Adam), so A = ½(g_t + g_{t+1})·Δθ − ½σ̂²·∂Δθ/∂g with σ̂² = (1 − B/N)(g^a − g^b)² from
     * training's own two half-batch sums. Written as ḡ by dividing the correction by Δθ.
     */
    DEBIASED_TRAP("debiased_trap", EnumSet.of(Point.TRAIN_START, Point.NEXT_END, Point.TRAIN_HALVES)) {
        @Override
        public void estimate(PointGradients p, float[] out) {
            float[] g = p.trainStart(), next = p.nextEnd(), a = p.trainHalfA(), b = p.trainHalfB();
            double keep = 1 - p.batchFraction();
            // A division per parameter makes this pass compute-bound: large models share it out over
            // the cores (each element on its own, so the bits do not depend on how).
            inRanges(out.length, (from, to) -> {
                for (int i = from; i < to; i++) {
                    double trap = 0.5 * ((double) g[i] + next[i]);
                    double d = p.delta(i);
                    double spread = (double) a[i] - b[i];
                    out[i] = (float) (d == 0 ? trap : trap - 0.5 * keep * spread * spread * p.sensitivity(i) / d);
                }
            });
        }
    };

    /** Where a gradient is taken, and on what data. */
    public enum Point {
        TRAIN_START, NEXT_START, NEXT_MID, NEXT_END, FULL_START,
        /** Training's gradient at θ_t as two half-batch sums: no extra evaluation, training splits its own. */
        TRAIN_HALVES
    }

    private final String id;
    private final Set<Point> points;

    Estimator(String id, Set<Point> points) {
        this.id = id;
        this.points = points;
    }

    /** Writes this estimator's ḡ_t into {@code out}. */
    public void estimate(PointGradients p, float[] out) {
        float[] only = point(p);
        System.arraycopy(only, 0, out, 0, out.length);
    }

    /**
     * This step's ḡ_t without a copy when it is one point's gradient: that point's own array, to be
     * read (not written) during the step; otherwise {@code scratch} (may be null for a one-point
     * estimator, {@code points().size() == 1}), filled by {@link #estimate}. A
     * copy would cost as much as a quarter of the LCA step it feeds (README, "Performance").
     */
    public float[] gbar(PointGradients p, float[] scratch) {
        float[] only = point(p);
        if (only != null) return only;
        estimate(p, scratch);
        return scratch;
    }

    /** The one gradient this estimator's ḡ_t is, or null when it combines several (those override {@link #estimate}). */
    float[] point(PointGradients p) {
        return null;
    }

    public String id() {
        return id;
    }

    public Set<Point> points() {
        return points;
    }

    /**
     * Extra forward+backward passes on one batch per step in steady state, on top of training, when
     * each next-batch point averages k batches; -1 for first_order (the whole reference set).
     */
    public int extraEvals(int k) {
        if (points.contains(Point.FULL_START)) return -1;
        int n = 0;
        if (points.contains(Point.NEXT_START)) n += k;
        if (points.contains(Point.NEXT_MID)) n += k;
        if (points.contains(Point.NEXT_END)) n += k - 1;
        return n;
    }

    public static Estimator parse(String id) {
        for (Estimator e : values()) if (e.id.equals(id)) return e;
        throw new IllegalArgumentException("unknown estimator '" + id + "'; available: exact, " + String.join(", ", ids()));
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(Estimator::id).toList();
    }

    private static final int RANGE = 1 << 15;
    /** Below this many parameters the pass is faster on the calling thread alone. */
    private static final int PARALLEL_MIN = 1 << 18;

    private static void inRanges(int n, Range body) {
        if (n < PARALLEL_MIN) {
            body.run(0, n);
            return;
        }
        IntStream.range(0, (n + RANGE - 1) / RANGE).parallel().forEach(k -> body.run(k * RANGE, Math.min(n, (k + 1) * RANGE)));
    }

    @FunctionalInterface
    private interface Range {
        void run(int from, int to);
    }

    private static void trapezoid(float[] a, float[] b, float[] out) {
        for (int i = 0; i < out.length; i++) out[i] = (float) (0.5 * ((double) a[i] + b[i]));
    }
}
