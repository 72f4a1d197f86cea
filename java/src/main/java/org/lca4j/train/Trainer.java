package org.lca4j.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.lca4j.Lca;
import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.StepLca;
import org.lca4j.data.DataSources;
import org.lca4j.data.LabeledSet;
import org.lca4j.estimate.Estimator;
import org.lca4j.exact.ExactLca;
import org.lca4j.nn.Adam;
import org.lca4j.nn.BatchGradient;
import org.lca4j.nn.MinibatchGradients;
import org.lca4j.nn.Mlp;
import org.lca4j.nn.Optimizer;
import org.lca4j.nn.SetObjective;
import org.lca4j.exact.Objective;
import org.lca4j.cuda.GpuGradients;
import org.lca4j.nn.Sgd;
import org.lca4j.study.EstimatorReport;
import org.lca4j.study.Study;

/**
 * The thin training harness: trains an MLP with minibatches and computes LCA for every step as it
 * goes, exact and approximate, in the same run on the same trajectory. The trajectory depends only
 * on the seed and the training options: LCA work reads θ and gradients but never touches the
 * optimizer, the batch order or their random streams.
 *
 * <p>Step t's training gradient g_{b_{t+1}}(θ_{t+1}) for the next step is computed right after the
 * update, before step t's LCA, so the free estimators can use it; the numbers are the same as if it
 * were computed at the start of step t+1.
 */
public final class Trainer {
    public static final String EXACT = "exact";
    public static final String EXACT_VALIDATION = "exact_val";
    private static final int SAMPLED_PARAMETERS = 512;
    static final long MAX_STEPS = Integer.MAX_VALUE - 1;

    private Trainer() {
    }

    /** Loads the data the config names and runs. */
    public static RunSummary run(TrainConfig cfg, RunListener listener) throws IOException {
        Mlp mlp = Mlp.parse(cfg.model());
        Seeds seeds = new Seeds(cfg.seed());
        DataSources.Splits splits = DataSources.load(cfg.data(), cfg.validationSize(), seeds.stream("validation-split"),
                seeds.stream("synthetic-data"), cfg.syntheticSize(), mlp.inputs(), mlp.classes());
        return run(cfg, mlp, splits, listener);
    }

    /** "exact" and estimator names, with "all" expanded, in a fixed order. */
    public static List<String> resolveEstimators(List<String> names) {
        List<String> out = new ArrayList<>();
        boolean all = names.contains("all");
        if (all || names.contains(EXACT)) out.add(EXACT);
        for (Estimator e : Estimator.values()) if (all || names.contains(e.id())) out.add(e.id());
        for (String n : names) {
            if (!n.equals("all") && !n.equals(EXACT)) Estimator.parse(n);
        }
        if (out.isEmpty()) throw new IllegalArgumentException("--estimators is empty; give exact, all, or names from: " + String.join(", ", Estimator.ids()));
        return out;
    }

    public static RunSummary run(TrainConfig cfg, Mlp mlp, DataSources.Splits data, RunListener listener) {
        List<String> names = resolveEstimators(cfg.estimators());
        List<Estimator> estimators = names.stream().filter(n -> !n.equals(EXACT)).map(Estimator::parse).toList();
        if (cfg.batch() < 2 && estimators.contains(Estimator.DEBIASED_TRAP)) {
            throw new IllegalArgumentException("debiased_trap reads the gradient noise from two half-batches and needs --batch 2 or more, got --batch " + cfg.batch());
        }
        Seeds seeds = new Seeds(cfg.seed());
        LabeledSet train = data.train();
        SetObjective.checkFits(mlp, train); // before any work
        BatchOrder order = new BatchOrder(seeds, train.n(), cfg.batch());
        long total = cfg.steps() > 0 ? cfg.steps() : (long) cfg.epochs() * order.batchesPerEpoch();
        if (total <= 0) throw new IllegalArgumentException("nothing to train: give --steps N or --epochs N (N > 0)");
        // Per-step records (the study's arrays, the trajectory's rows) are indexed by int.
        if (total > MAX_STEPS) throw new IllegalArgumentException("a run of " + total + " steps is more than lca4j records (" + MAX_STEPS + " at most); give fewer --steps or --epochs");
        int dim = mlp.parameterCount();
        float[] theta = mlp.initHeNormal(seeds.stream("init"));
        Optimizer opt = cfg.optimizer().equals("adam") ? new Adam(cfg.lr()) : new Sgd(cfg.lr(), cfg.momentum());

        LabeledSet reference = train;
        String referenceNote = "whole training split (" + train.n() + " rows)";
        if (cfg.referenceSize() > 0 && cfg.referenceSize() < train.n()) {
            int[] pick = Arrays.copyOf(DataSources.permutation(train.n(), seeds.stream("reference-subset")), cfg.referenceSize());
            Arrays.sort(pick);
            reference = train.subset(pick);
            referenceNote = "seeded random subset of " + cfg.referenceSize() + " of the " + train.n() + " training rows (seed " + cfg.seed() + ", stream reference-subset)";
        }

        Lca.Backend backend = Lca.backend(cfg.device());
        Map<String, LcaAccumulator> accumulators = new LinkedHashMap<>();
        names.forEach(n -> accumulators.put(n, backend.create(mlp.layout())));
        // Under the cuda backend every gradient (training's, the estimators', exact LCA's) is computed
        // on the GPU too when cuBLAS is there; the O(D) bookkeeping stays here either way.
        boolean gpu = backend.name().equals("cuda");
        Objective referenceObjective = gpu ? GpuGradients.objective(mlp, reference) : new SetObjective(mlp, reference);
        ExactLca exact = names.contains(EXACT) ? new ExactLca(referenceObjective, accumulators.get(EXACT), cfg.tol(), cfg.maxSplits()) : null;
        ExactLca validation = null;
        Objective validationObjective = null;
        MinibatchGradients batches = null;
        if (cfg.validationLca()) {
            if (data.validation() == null) throw new IllegalArgumentException("validation LCA needs a validation split (--validation-size > 0)");
            LcaAccumulator acc = backend.create(mlp.layout());
            accumulators.put(EXACT_VALIDATION, acc);
            validationObjective = gpu ? GpuGradients.objective(mlp, data.validation()) : new SetObjective(mlp, data.validation());
            validation = new ExactLca(validationObjective, acc, cfg.tol(), cfg.maxSplits());
        }
        Study study = exact != null && !estimators.isEmpty()
                ? new Study(mlp.layout(), estimators.stream().map(Estimator::id).toList(), total, sampleIndices(dim, seeds.stream("study-samples")))
                : null;

        long started = System.nanoTime();
        // Accuracy is a forward pass per set, at the start and the end: the sets LCA is measured on.
        Map<String, LabeledSet> accuracySets = new LinkedHashMap<>();
        if (exact != null) accuracySets.put("reference", reference);
        if (data.validation() != null) accuracySets.put("validation", data.validation());
        Map<String, Double> startAccuracy = new LinkedHashMap<>();
        accuracySets.forEach((k, set) -> startAccuracy.put(k, accuracy(mlp, set, theta)));
        try {
            // run.json names R only where something read it: exact LCA, first_order, or the trajectory (analyze's R).
            boolean referenceRead = exact != null || estimators.contains(Estimator.FIRST_ORDER) || cfg.saveTrajectory();
            listener.started(new RunContext(cfg, mlp.layout(), mlp.widths(), data.source(), train.n(), data.validation() == null ? 0 : data.validation().n(),
                    referenceRead ? reference : reference.rows(0, 0),
                    referenceRead ? referenceNote : "none: no exact LCA, first_order or trajectory reads one", accumulators, total, theta, opt.describe(), study == null ? null : study.sampleIndices()));
            ConservationTracker cons = exact == null ? null : new ConservationTracker(exact.start(theta));
            ConservationTracker valCons = validation == null ? null : new ConservationTracker(validation.start(theta));
            Map<String, HelpedMean> helped = new LinkedHashMap<>();
            accumulators.keySet().forEach(k -> helped.put(k, new HelpedMean()));

            batches = gpu ? GpuGradients.batches(mlp, train, cfg.batch()) : new BatchGradient(mlp, train, cfg.batch());
            TrainingPoints points = new TrainingPoints(batches, referenceObjective, train.n(), cfg.batch(), cfg.estimatorBatches(), seeds, dim, opt);
            // A one-point estimator's ḡ is that point's own array (Estimator.gbar): no buffer, no copy.
            Map<String, float[]> scratch = new LinkedHashMap<>();
            estimators.forEach(e -> scratch.put(e.id(), e.points().size() > 1 ? new float[dim] : null));
            Map<String, float[]> gbars = new LinkedHashMap<>();
            float[] grad = new float[dim];
            float[] nextGrad = new float[dim];
            float[] before = new float[dim];
            long trainNanos = System.nanoTime();
            // debiased_trap reads the batch's noise from training's gradient split into two half-batch
            // sums. Only then is it split: the same value up to float rounding, at some cost (two
            // smaller products), which runs without that estimator should not pay.
            boolean split = estimators.contains(Estimator.DEBIASED_TRAP);
            float[][] halves = split ? new float[2][dim] : null;
            float[][] nextHalves = split ? new float[2][dim] : null;
            double batchLoss = trainingGradient(batches, theta, order.batch(0), grad, halves);
            trainNanos = System.nanoTime() - trainNanos;
            double lastLoss = batchLoss;
            long exactNanos = 0;
            for (long t = 0; t < total; t++) {
                long t0 = System.nanoTime();
                if (!Double.isFinite(batchLoss)) throw diverged(t, batchLoss);
                long u0 = System.nanoTime();
                System.arraycopy(theta, 0, before, 0, dim);
                opt.step(theta, grad);
                int[] next = order.batch(t + 1);
                float[] trainingNext = null;
                double nextLoss = Double.NaN;
                if (t + 1 < total) {
                    nextLoss = trainingGradient(batches, theta, next, nextGrad, nextHalves);
                    trainingNext = nextGrad;
                    // Caught here, not at the next step: step t's free estimators read this gradient,
                    // and a NaN in it would otherwise be reported as a bad input to the accumulator.
                    if (!Double.isFinite(nextLoss)) throw diverged(t + 1, nextLoss);
                }
                trainNanos += System.nanoTime() - u0;
                if (study != null) study.addTrainingTime(trainNanos);

                Map<String, StepLca> lca = new LinkedHashMap<>();
                points.reset(t, before, theta, grad, halves, next, trainingNext,
                        exact == null ? null : exact.gradientAtStart(), exact == null ? 0 : exact.nanosPerEvaluation());
                for (Estimator e : estimators) {
                    long e0 = System.nanoTime();
                    long evaluated = points.totalNanos();
                    float[] g = e.gbar(points, scratch.get(e.id()));
                    gbars.put(e.id(), g);
                    lca.put(e.id(), step(accumulators.get(e.id()), g, before, theta, t));
                    // Its own combining and accumulating, plus every point it used as if it had evaluated them alone.
                    long own = System.nanoTime() - e0 - (points.totalNanos() - evaluated);
                    if (study != null) study.addCost(e.id(), own + pointCost(points, e), pointEvals(points, e));
                }
                ExactLca.Step ex = null;
                ExactLca.Step val = null;
                if (exact != null) {
                    long x0 = System.nanoTime();
                    ex = exact.step(before, theta);
                    exactNanos += System.nanoTime() - x0;
                    cons.add(ex);
                    lca.put(EXACT, ex.lca());
                }
                if (validation != null) {
                    val = validation.step(before, theta);
                    valCons.add(val);
                    lca.put(EXACT_VALIDATION, val.lca());
                }
                Map<String, double[]> samples = study == null ? Map.of()
                        : study.record((int) t, before, theta, exact.pathGradient(), ex.lca(), gbars, lca);
                lca.forEach((k, v) -> helped.get(k).add(v.helpedFraction()));
                listener.stepDone(new StepEvent(t, total, batchLoss, before, theta, ex, val, lca, samples, System.nanoTime() - t0));

                lastLoss = batchLoss;
                float[] swap = grad;
                grad = nextGrad;
                nextGrad = swap;
                float[][] swapHalves = halves;
                halves = nextHalves;
                nextHalves = swapHalves;
                batchLoss = nextLoss;
                trainNanos = 0;
            }
            Map<String, double[]> totals = new LinkedHashMap<>();
            accumulators.forEach((k, v) -> totals.put(k, v.layerTotals()));
            Map<String, Double> helpedMeans = new LinkedHashMap<>();
            helped.forEach((k, v) -> helpedMeans.put(k, v.mean()));
            long refEvals = (exact == null ? 0 : exact.evaluations()) + (validation == null ? 0 : validation.evaluations());
            List<EstimatorReport> rows = List.of();
            Map<Integer, String> best = Map.of();
            if (study != null) {
                Map<String, Integer> declared = new LinkedHashMap<>();
                estimators.forEach(e -> declared.put(e.id(), e.extraEvals(cfg.estimatorBatches())));
                rows = study.finish(accumulators, declared);
                best = Study.bestByCost(rows);
            }
            Map<String, RunSummary.Accuracy> accuracy = new LinkedHashMap<>();
            accuracySets.forEach((k, set) -> accuracy.put(k, new RunSummary.Accuracy(set.n(), startAccuracy.get(k), accuracy(mlp, set, theta))));
            RunSummary summary = new RunSummary(total, cons == null ? null : cons.result(), valCons == null ? null : valCons.result(),
                    totals, helpedMeans, lastLoss, (System.nanoTime() - started) / 1e9, refEvals, batches.evaluations(),
                    study == null ? Double.NaN : study.trainingMsPerStep(), exactNanos / 1e6 / total, rows, best, accuracy);
            listener.finished(summary);
            return summary;
        } catch (RuntimeException | Error e) {
            // An Error too (out of memory): the records must still say the run failed.
            listener.failed(e);
            throw e;
        } finally {
            accumulators.values().forEach(LcaAccumulator::close);
            for (Object o : new Object[] {referenceObjective, validationObjective, batches}) {
                if (o instanceof AutoCloseable c) closeQuietly(c);
            }
        }
    }

    private static double accuracy(Mlp mlp, LabeledSet set, float[] theta) {
        return new SetObjective(mlp, set).evaluate(theta).correct() / (double) set.n();
    }

    private static TrainingDivergedException diverged(long step, double loss) {
        return new TrainingDivergedException("training diverged at step " + step + ": batch loss is " + loss + " (try a smaller --lr)");
    }

    /**
     * The harness's inputs are finite (the data is checked on loading), so a non-finite gradient or
     * θ here is the training blowing up, not a bad input, and is reported as such.
     */
    private static StepLca step(LcaAccumulator acc, float[] g, float[] before, float[] after, long t) {
        try {
            return acc.step(g, before, after);
        } catch (org.lca4j.core.NonFiniteInputException e) {
            throw new TrainingDivergedException("training diverged at step " + t + ": " + e.getMessage() + " (try a smaller --lr)", e);
        }
    }

    /** Releasing device memory at the end must not hide the run's own result or error. */
    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // the process's CUDA context is torn down at exit anyway
        }
    }

    /** Training's gradient, whole or (for debiased_trap) as the sum of its two half-batch sums; one evaluation either way. */
    private static double trainingGradient(MinibatchGradients batches, float[] theta, int[] batch, float[] grad, float[][] halves) {
        return halves == null ? batches.gradient(theta, batch, grad) : batches.halves(theta, batch, halves[0], halves[1], grad);
    }

    /** Time of the points an estimator used this step, as if it had evaluated them alone. */
    private static long pointCost(TrainingPoints p, Estimator e) {
        long n = 0;
        for (Estimator.Point q : e.points()) n += p.nanos(q);
        return n;
    }

    private static int pointEvals(TrainingPoints p, Estimator e) {
        int n = 0;
        for (Estimator.Point q : e.points()) n += Math.max(0, p.evals(q));
        return n;
    }

    /** A seeded, sorted sample of parameter indices for the per-parameter scatter plots. */
    private static int[] sampleIndices(int dim, Random rng) {
        int[] s = Arrays.copyOf(DataSources.permutation(dim, rng), Math.min(SAMPLED_PARAMETERS, dim));
        Arrays.sort(s);
        return s;
    }

    private static final class HelpedMean {
        private double sum;
        private long n;

        void add(double v) {
            sum += v;
            n++;
        }

        double mean() {
            return n == 0 ? Double.NaN : sum / n;
        }
    }
}
