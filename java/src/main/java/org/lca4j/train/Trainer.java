package org.lca4j.train;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lca4j.Lca;
import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.StepLca;
import org.lca4j.data.DataSources;
import org.lca4j.data.LabeledSet;
import org.lca4j.exact.ExactLca;
import org.lca4j.nn.Adam;
import org.lca4j.nn.BatchGradient;
import org.lca4j.nn.Mlp;
import org.lca4j.nn.Optimizer;
import org.lca4j.nn.SetObjective;
import org.lca4j.nn.Sgd;

/**
 * The thin training harness: trains an MLP with minibatches and computes LCA for every step as it
 * goes. The training trajectory depends only on the seed and the training options: LCA work reads
 * θ and gradients but never touches the optimizer, the batch order or their random streams.
 */
public final class Trainer {
    public static final String EXACT = "exact";
    public static final String EXACT_VALIDATION = "exact_val";

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

    public static RunSummary run(TrainConfig cfg, Mlp mlp, DataSources.Splits data, RunListener listener) {
        for (String e : cfg.estimators()) {
            if (!e.equals(EXACT)) throw new IllegalArgumentException("unknown estimator '" + e + "'; available: " + EXACT);
        }
        Seeds seeds = new Seeds(cfg.seed());
        LabeledSet train = data.train();
        new SetObjective(mlp, train); // checks data against the model before any work
        BatchOrder order = new BatchOrder(seeds, train.n(), cfg.batch());
        long total = cfg.steps() > 0 ? cfg.steps() : (long) cfg.epochs() * order.batchesPerEpoch();
        if (total <= 0) throw new IllegalArgumentException("nothing to train: give --steps N or --epochs N (N > 0)");
        float[] theta = mlp.initHeNormal(seeds.stream("init"));
        Optimizer opt = cfg.optimizer().equals("adam") ? new Adam(cfg.lr()) : new Sgd(cfg.lr(), cfg.momentum());

        LabeledSet reference = train;
        String referenceNote = "whole training split (" + train.n() + " rows)";
        if (cfg.referenceSize() > 0 && cfg.referenceSize() < train.n()) {
            int[] pick = java.util.Arrays.copyOf(DataSources.permutation(train.n(), seeds.stream("reference-subset")), cfg.referenceSize());
            java.util.Arrays.sort(pick);
            reference = train.subset(pick);
            referenceNote = "seeded random subset of " + cfg.referenceSize() + " of the " + train.n() + " training rows (seed " + cfg.seed() + ", stream reference-subset)";
        }

        Map<String, LcaAccumulator> accumulators = new LinkedHashMap<>();
        ExactLca exact = null;
        ExactLca validation = null;
        if (cfg.estimators().contains(EXACT)) {
            LcaAccumulator acc = Lca.cpu(mlp.layout());
            accumulators.put(EXACT, acc);
            exact = new ExactLca(new SetObjective(mlp, reference), acc, cfg.tol(), cfg.maxSplits());
        }
        if (cfg.validationLca()) {
            if (data.validation() == null) throw new IllegalArgumentException("validation LCA needs a validation split (--validation-size > 0)");
            LcaAccumulator acc = Lca.cpu(mlp.layout());
            accumulators.put(EXACT_VALIDATION, acc);
            validation = new ExactLca(new SetObjective(mlp, data.validation()), acc, cfg.tol(), cfg.maxSplits());
        }

        long started = System.nanoTime();
        try {
            listener.started(new RunContext(cfg, mlp, data.source(), train.n(), data.validation() == null ? 0 : data.validation().n(),
                    reference, referenceNote, accumulators, total, theta, opt.describe()));
            ConservationTracker cons = exact == null ? null : new ConservationTracker(exact.start(theta));
            ConservationTracker valCons = validation == null ? null : new ConservationTracker(validation.start(theta));
            Map<String, HelpedMean> helped = new LinkedHashMap<>();
            accumulators.keySet().forEach(k -> helped.put(k, new HelpedMean()));

            BatchGradient batches = new BatchGradient(mlp, train, cfg.batch());
            float[] grad = new float[theta.length];
            float[] before = new float[theta.length];
            double batchLoss = Double.NaN;
            for (long t = 0; t < total; t++) {
                long t0 = System.nanoTime();
                batchLoss = batches.gradient(theta, order.batch(t), grad);
                if (!Double.isFinite(batchLoss)) {
                    throw new TrainingDivergedException("training diverged at step " + t + ": batch loss is " + batchLoss + " (try a smaller --lr)");
                }
                System.arraycopy(theta, 0, before, 0, theta.length);
                opt.step(theta, grad);
                Map<String, StepLca> lca = new LinkedHashMap<>();
                ExactLca.Step ex = null;
                ExactLca.Step val = null;
                if (exact != null) {
                    ex = exact.step(before, theta);
                    cons.add(ex);
                    lca.put(EXACT, ex.lca());
                }
                if (validation != null) {
                    val = validation.step(before, theta);
                    valCons.add(val);
                    lca.put(EXACT_VALIDATION, val.lca());
                }
                lca.forEach((k, v) -> helped.get(k).add(v.helpedFraction()));
                listener.stepDone(new StepEvent(t, total, batchLoss, before, theta, ex, val, lca, System.nanoTime() - t0));
            }
            Map<String, double[]> totals = new LinkedHashMap<>();
            accumulators.forEach((k, v) -> totals.put(k, v.layerTotals()));
            Map<String, Double> helpedMeans = new LinkedHashMap<>();
            helped.forEach((k, v) -> helpedMeans.put(k, v.mean()));
            long refEvals = (exact == null ? 0 : exact.evaluations()) + (validation == null ? 0 : validation.evaluations());
            RunSummary summary = new RunSummary(total, cons == null ? null : cons.result(), valCons == null ? null : valCons.result(),
                    totals, helpedMeans, batchLoss, (System.nanoTime() - started) / 1e9, refEvals, batches.evaluations());
            listener.finished(summary);
            return summary;
        } catch (RuntimeException e) {
            listener.failed(e);
            throw e;
        } finally {
            accumulators.values().forEach(LcaAccumulator::close);
        }
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

    /** Compile-time list of what {@code --estimators} accepts in this version. */
    public static List<String> knownEstimators() {
        return List.of(EXACT);
    }
}
