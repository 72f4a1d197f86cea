package org.lca4j.train;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.lca4j.data.DataSources;
import org.lca4j.estimate.Estimator.Point;
import org.lca4j.estimate.PointGradients;
import org.lca4j.nn.Optimizer;
import org.lca4j.exact.ExactLca;
import org.lca4j.exact.Objective;
import org.lca4j.nn.MinibatchGradients;

/**
 * {@link PointGradients} during training: evaluates each point at most once per step, on demand,
 * and records what each cost, so every estimator can be charged as if it ran alone. Extra batches
 * (k &gt; 1) come from their own seeded stream and never touch training's batch order.
 */
final class TrainingPoints implements PointGradients {
    private final MinibatchGradients batches;
    private final Objective reference;
    private final int trainRows;
    private final int batchSize;
    private final int k;
    private final Seeds seeds;
    private final Map<Point, float[]> buffers = new EnumMap<>(Point.class);
    private final Map<Point, Boolean> ready = new EnumMap<>(Point.class);
    private final Map<Point, Long> nanos = new EnumMap<>(Point.class);
    private final Map<Point, Integer> evals = new EnumMap<>(Point.class);
    private final float[] scratch;
    private final float[] point;
    private long step;
    private float[] before;
    private float[] after;
    private float[] trainGrad;
    private int[] nextBatch;
    private float[] trainingNextGrad;
    private float[] exactStart;
    private long exactEvalNanos;
    private int[][] batchSet;
    private final Optimizer optimizer;
    private float[][] trainHalves;

    TrainingPoints(MinibatchGradients batches, Objective reference, int trainRows, int batchSize, int k, Seeds seeds, int dim, Optimizer optimizer) {
        if (k < 1) throw new IllegalArgumentException("--estimator-batches must be ≥ 1, got " + k);
        this.batches = batches;
        this.reference = reference;
        this.trainRows = trainRows;
        this.batchSize = batchSize;
        this.k = k;
        this.seeds = seeds;
        for (Point p : Point.values()) buffers.put(p, new float[dim]);
        scratch = new float[dim];
        point = new float[dim];
        this.optimizer = optimizer;
    }

    /**
     * @param trainHalves      training's gradient as its two half-batch sums, or null if it was not split
     * @param trainingNextGrad g_{b_{t+1}}(θ_{t+1}) if training computed it (null on the last step)
     * @param exactStart       g_R(θ_t) if exact LCA holds it, with the measured time of one such evaluation
     */
    void reset(long t, float[] before, float[] after, float[] trainGrad, float[][] trainHalves, int[] nextBatch,
               float[] trainingNextGrad, float[] exactStart, long exactEvalNanos) {
        this.trainHalves = trainHalves;
        this.step = t;
        this.before = before;
        this.after = after;
        this.trainGrad = trainGrad;
        this.nextBatch = nextBatch;
        this.trainingNextGrad = trainingNextGrad;
        this.exactStart = exactStart;
        this.exactEvalNanos = exactEvalNanos;
        this.batchSet = null;
        for (Point p : Point.values()) {
            ready.put(p, false);
            nanos.put(p, 0L);
            evals.put(p, 0);
        }
    }

    /** Time spent on a point this step (0 if free or unused); first_order's point is charged one reference evaluation. */
    long nanos(Point p) {
        return nanos.get(p);
    }

    /** Time of every point evaluated so far this step (first_order's borrowed one excluded). */
    long totalNanos() {
        long n = 0;
        for (Point p : Point.values()) if (!(p == Point.FULL_START && exactStart != null)) n += nanos.get(p);
        return n;
    }

    /** Batch evaluations spent on a point this step; -1 marks a reference-set evaluation. */
    int evals(Point p) {
        return evals.get(p);
    }

    @Override
    public double delta(int i) {
        return (double) after[i] - before[i];
    }

    @Override
    public double sensitivity(int i) {
        return optimizer.sensitivity(i, trainGrad[i]);
    }

    @Override
    public float[] trainHalfA() {
        return halves(0);
    }

    @Override
    public float[] trainHalfB() {
        return halves(1);
    }

    private float[] halves(int which) {
        if (trainHalves == null) {
            throw new IllegalStateException("this step's training gradient was not split into halves (Trainer splits it when an estimator needs TRAIN_HALVES)");
        }
        return trainHalves[which];
    }

    @Override
    public double batchFraction() {
        return Math.min(1.0, batchSize / (double) trainRows);
    }

    @Override
    public float[] trainStart() {
        return trainGrad;
    }

    @Override
    public float[] nextStart() {
        return onBatchSet(Point.NEXT_START, before, false);
    }

    @Override
    public float[] nextMid() {
        if (!ready.get(Point.NEXT_MID)) ExactLca.pointOnStep(before, after, 0.5, point);
        return onBatchSet(Point.NEXT_MID, point, false);
    }

    @Override
    public float[] nextEnd() {
        if (k == 1 && trainingNextGrad != null) return trainingNextGrad;
        return onBatchSet(Point.NEXT_END, after, trainingNextGrad != null);
    }

    @Override
    public float[] fullStart() {
        if (exactStart != null) {
            if (!ready.get(Point.FULL_START)) {
                ready.put(Point.FULL_START, true);
                nanos.put(Point.FULL_START, exactEvalNanos);
                evals.put(Point.FULL_START, -1);
            }
            return exactStart;
        }
        float[] out = buffers.get(Point.FULL_START);
        if (!ready.get(Point.FULL_START)) {
            long t0 = System.nanoTime();
            reference.lossAndGradient(before, out);
            nanos.put(Point.FULL_START, System.nanoTime() - t0);
            evals.put(Point.FULL_START, -1);
            ready.put(Point.FULL_START, true);
        }
        return out;
    }

    /** Mean gradient over the k batches of B at θ; with {@code firstIsTraining}, batch b_{t+1}'s term is training's own. */
    private float[] onBatchSet(Point p, float[] theta, boolean firstIsTraining) {
        float[] out = buffers.get(p);
        if (ready.get(p)) return out;
        long t0 = System.nanoTime();
        int[][] set = batchSet();
        int n = 0;
        if (k == 1) {
            batches.gradient(theta, set[0], out);
            n = 1;
        } else {
            Arrays.fill(out, 0f);
            for (int b = 0; b < k; b++) {
                float[] g;
                if (b == 0 && firstIsTraining) {
                    g = trainingNextGrad;
                } else {
                    batches.gradient(theta, set[b], scratch);
                    g = scratch;
                    n++;
                }
                for (int i = 0; i < out.length; i++) out[i] += g[i];
            }
            float inv = 1f / k;
            for (int i = 0; i < out.length; i++) out[i] *= inv;
        }
        nanos.put(p, System.nanoTime() - t0);
        evals.put(p, n);
        ready.put(p, true);
        return out;
    }

    private int[][] batchSet() {
        if (batchSet != null) return batchSet;
        batchSet = new int[k][];
        batchSet[0] = nextBatch;
        Random rng = seeds.stream("estimator-batches", step);
        for (int b = 1; b < k; b++) {
            batchSet[b] = Arrays.copyOf(DataSources.permutation(trainRows, rng), batchSize);
        }
        return batchSet;
    }
}
