package org.lca4j.dl4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.lca4j.Lca;
import org.lca4j.OptionNames;
import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.ParamLayout;
import org.lca4j.core.StepLca;
import org.lca4j.data.LabeledSet;
import org.lca4j.exact.ExactLca;
import org.lca4j.report.ReportWriter;
import org.lca4j.study.EstimatorReport;
import org.lca4j.study.Study;
import org.lca4j.run.RunRecorder;
import org.lca4j.train.ConservationTracker;
import org.lca4j.train.RunContext;
import org.lca4j.train.RunSummary;
import org.lca4j.train.StepEvent;
import org.lca4j.train.TrainConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.adapter.MultiDataSetIteratorAdapter;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LCA for a DL4J {@link MultiLayerNetwork} or {@link ComputationGraph}: add it as a listener and
 * every optimizer step's LCA is recorded into the same run directory (and report) as
 * {@code ./lca train} writes. Both kinds of network are read and moved through {@link Dl4jNetwork}
 * only, so they are recorded alike.
 *
 * <p>DL4J's order of calls (1.0.0-M2.1, StochasticGradientDescent.optimize, which both kinds'
 * fit() run through Solver, BaseOptimizer.gradientAndScore and applyConstraints): the gradient is
 * computed, {@code onGradientCalculation} runs, then the updater rewrites the gradient in place into the update,
 * the step is applied, {@code iterationDone} runs, and only then are the layers' weight constraints
 * (max-norm, non-negative, …) applied. So this listener copies the raw gradient g_t and θ_t in
 * {@code onGradientCalculation}, and takes θ_{t+1} as the next step's θ (or the network's θ at
 * {@link #finish()}): the parameters the network really goes on from.
 * DL4J's raw gradient is a sum over the batch; the listener divides it by the batch size, in
 * either minibatch mode, so that every estimator uses g_b, the gradient of the batch's mean loss,
 * and exact LCA L_R, the mean data loss over R without DL4J's regularization score (docs/LCA.md).
 *
 * <p>Estimators (docs/LCA.md): {@code same_batch} (g_t·Δθ_t), {@code next_batch_end}
 * (g_{t+1}·Δθ_t, with the next step's raw gradient), {@code next_batch} (g_{b_{t+1}}(θ_t): one extra
 * backward pass per step), and {@code exact} on a reference {@link DataSetIterator} or
 * {@link MultiDataSetIterator} through DL4J's own backward pass. Step t is computed and recorded
 * for every estimator when step t+1's gradient arrives (or at {@link #finish()}). With a next-batch estimator on, the last step, which has no
 * b_{t+1}, is dropped from every estimator alike (docs/LCA.md), so all of them cover the same steps.
 * Exact LCA evaluates on a copy of the network (each reference batch with its own masks);
 * next_batch moves the training network's parameters, gradient buffer and score while it evaluates
 * and puts them back before training continues, so training is bit-identical with and without the
 * listener (tested).
 * Extra passes would change a network whose forward pass has state (dropout's and weight noise's
 * random stream, batch-norm statistics), so exact and next_batch refuse such networks. Layerwise
 * pretraining is not recorded. Call {@link #finish()} after training: it
 * writes the summary (and report.html) and returns it; {@link #close()} does the same for a run
 * that saw steps and nothing otherwise, for try-with-resources. A fit() that threw elsewhere (a step
 * or epoch DL4J began and never ended) is recorded as failed by either.
 */
public final class LcaListener extends BaseTrainingListener implements AutoCloseable {
    public static final String SAME_BATCH = "same_batch";
    public static final String NEXT_BATCH_END = "next_batch_end";
    public static final String NEXT_BATCH = "next_batch";
    public static final String EXACT = "exact";

    private final Builder cfg;
    private Dl4jNetwork net;
    private ParamLayout layout;
    /** Per layer: moved by an update, not the loss gradient (batch norm's running statistics); A = 0. */
    private boolean[] updates;
    private final Map<String, LcaAccumulator> accumulators = new LinkedHashMap<>();
    private final Map<String, double[]> helped = new LinkedHashMap<>(); // per estimator: sum of helped fractions, steps
    private RunRecorder recorder;
    private ExactLca exact;
    private ConservationTracker conservation;
    private float[] gradient;
    private float[] before;
    /** The mean data loss of the batch at θ_t, as L_R is (no regularization term). */
    private double batchLoss;
    private Pending pending;
    private long step;
    /** Steps recorded (emitted): all of them, or all but the last with a next-batch estimator on. */
    private long recorded;
    private double lastLoss = Double.NaN;
    private long started;
    private long exactNanos;
    private boolean closed;
    /** fit(DataSetIterator) began an epoch (onEpochStart) that has not ended (onEpochEnd). */
    private boolean epochOpen;
    /** Why the run stopped inside fit(), once it has. */
    private String failure;
    private Study study;
    private long lastExit;
    private long gradientExit;

    /**
     * An optimizer step: g_{b_t}(θ_t) (mean), θ_t and, once known, θ_{t+1}. DL4J applies weight
     * constraints after iterationDone, so θ_{t+1} is read when the next step starts (or at finish()).
     */
    private record Pending(long step, double batchLoss, float[] gradient, float[] before, float[] after) {
        Pending ending(float[] theta) {
            return new Pending(step, batchLoss, gradient, before, theta);
        }
    }

    private LcaListener(Builder b) {
        this.cfg = b;
    }

    /** A listener writing its run directory to {@code out}. */
    public static Builder builder(Path out) {
        return new Builder(out);
    }

    public static final class Builder {
        private final Path out;
        private List<String> estimators = List.of(SAME_BATCH, NEXT_BATCH_END);
        /** Null: no exact LCA. */
        private MultiDataSetIterator reference;
        /** The reference iterator's kind as the user gave it, for run.json and messages. */
        private String referenceKind;
        /** Read by build(). */
        private List<MultiDataSet> referenceBatches;
        private Lca.Backend backend;
        private double tol = 1e-3;
        private int maxSplits = 32;
        private boolean report = true;
        private String device = "auto";
        /** Null: "DL4J MultiLayerNetwork" or "DL4J ComputationGraph", as the network is. */
        private String description;
        private long expectedSteps;
        private java.util.function.BiConsumer<Long, Map<String, StepLca>> onStep = (t, lca) -> { };

        private Builder(Path out) {
            this.out = out;
        }

        /** Any of same_batch, next_batch_end (both free; the default) and next_batch (one extra gradient per step). */
        public Builder estimators(String... names) {
            for (String n : names) {
                if (!n.equals(SAME_BATCH) && !n.equals(NEXT_BATCH_END) && !n.equals(NEXT_BATCH)) {
                    throw new IllegalArgumentException("LcaListener estimators are same_batch, next_batch_end and next_batch (exact: .exact(reference)); got '" + n + "'");
                }
            }
            estimators = List.of(names);
            return this;
        }

        /**
         * Exact LCA on this reference set (e.g. the training set, even the very iterator passed to
         * fit), at n ≥ 2 of its gradients per step. {@link #build()} reads it once and resets it.
         */
        public Builder exact(DataSetIterator reference) {
            // As ComputationGraph.fit(DataSetIterator) itself adapts it.
            return exact(new MultiDataSetIteratorAdapter(reference), "DataSetIterator");
        }

        /** As {@link #exact(DataSetIterator)}, for a ComputationGraph of several inputs or outputs (or any network, one array each). */
        public Builder exact(MultiDataSetIterator reference) {
            return exact(reference, "MultiDataSetIterator");
        }

        private Builder exact(MultiDataSetIterator reference, String kind) {
            this.reference = reference;
            referenceKind = kind;
            return this;
        }

        public Builder tol(double v) {
            tol = v;
            return this;
        }

        public Builder maxSplits(int v) {
            maxSplits = v;
            return this;
        }

        /** Write report.html on close (default: yes). */
        public Builder report(boolean v) {
            report = v;
            return this;
        }

        /** Where LCA is accumulated: auto, cpu or cuda. */
        public Builder device(String v) {
            device = v;
            return this;
        }

        /**
         * The number of optimizer steps the training will take. With exact LCA and an estimator on,
         * it enables the study (each estimator judged against exact, early vs late, in run.json and
         * the report), which sizes its tables and phases by it; steps beyond it are not studied.
         */
        public Builder expectedSteps(long v) {
            if (v < 0) throw new IllegalArgumentException("expectedSteps must be ≥ 0, got " + v);
            expectedSteps = v;
            return this;
        }

        /** Called with each recorded step's LCA by estimator (per-layer sums and helped/hurt counts), e.g. for live monitoring. */
        public Builder onStep(java.util.function.BiConsumer<Long, Map<String, StepLca>> callback) {
            onStep = java.util.Objects.requireNonNull(callback, "onStep callback");
            return this;
        }

        /** How run.json describes the training (model, updater), free text. */
        public Builder description(String v) {
            description = v;
            return this;
        }

        /**
         * Refuses a run directory that already holds files, a device, tolerance or split limit here,
         * rather than in the middle of fit(), and reads the exact-LCA reference set now: the iterator
         * may be the one training runs on, which reading it inside fit() would exhaust.
         */
        public LcaListener build() {
            org.lca4j.run.RunRecorder.checkNew(out);
            // Named as the user set them, by this builder's methods, not by the command line's flags.
            OptionNames names = OptionNames.builder("LcaListener.Builder");
            backend = Lca.backend(device, names);
            ExactLca.checkOptions(tol, maxSplits, names);
            if (reference != null) referenceBatches = Dl4jObjective.read(reference, referenceKind);
            return new LcaListener(this);
        }
    }

    @Override
    public void onGradientCalculation(Model model) {
        if (closed) return;
        if (Dl4jNetwork.isLayerFitAlone(model)) {
            pretrainingStep((org.deeplearning4j.nn.api.Layer) model);
            return;
        }
        if (net != null && model != net.model()) {
            // Refused before anything is recorded: the run of the first network stays whole.
            throw new IllegalStateException("LcaListener records the network it first saw (" + name(net.model()) + "); " + name(model)
                    + " called it too: give each network its own listener");
        }
        try {
            gradientCalculated(model);
        } catch (RuntimeException e) {
            throw stopped(e);
        }
    }

    /**
     * LCA is of the supervised training that fit() runs. Pretraining before its first step is left
     * out: θ_0 is then the pretrained θ. Pretraining after it would move θ between two recorded steps
     * outside any of them, so the run stops there, saying why.
     */
    private void pretrainingStep(org.deeplearning4j.nn.api.Layer layer) {
        if (net == null) return;
        throw stopped(new IllegalStateException("LcaListener does not record layerwise pretraining (pretrain() or pretrainLayer(), here of "
                + layer.conf().getLayer().getLayerName() + ", a " + layer.getClass().getSimpleName() + "), and pretraining after recorded steps would move θ"
                + " between them: pretrain before the first fit(), or record the fit() after it with a new listener"));
    }

    @Override
    public void onEpochStart(Model model) {
        if (net == null || model == net.model()) epochOpen = true;
    }

    @Override
    public void onEpochEnd(Model model) {
        if (net == null || model == net.model()) epochOpen = false;
    }

    /**
     * Why fit() did not return normally, as far as DL4J's calls tell (an exception thrown by DL4J or
     * another listener, an early-stopping iteration condition), or null: a step whose update never
     * came, or an epoch of fit(DataSetIterator) that began and never ended.
     */
    private String unfinishedFit() {
        String where = net == null ? "before its first step" : gradient != null ? "inside step " + step + ", between its gradient and its update"
                : "inside epoch " + net.epochCount() + " after " + step + " steps";
        return gradient != null || epochOpen ? "fit() did not return normally: it stopped " + where + " (an exception inside fit()?)" : null;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        if (closed || gradient == null || model != net.model()) return;
        try {
            stepDone();
        } catch (RuntimeException e) {
            throw stopped(e);
        }
    }

    /**
     * An error inside fit() (a NaN gradient the accumulators refuse, a full disk) ends the run there:
     * run.json says failed with the error and the accumulators are released, so the directory is
     * whole whatever the caller does next.
     */
    private RuntimeException stopped(RuntimeException e) {
        closed = true;
        failure = String.valueOf(e.getMessage());
        try {
            if (recorder != null) recorder.failed(e);
        } finally {
            accumulators.values().forEach(LcaAccumulator::close);
        }
        return e;
    }

    private void gradientCalculated(Model model) {
        long entry = System.nanoTime();
        if (net == null) start(model);
        else if (study != null) study.addTrainingTime(entry - lastExit); // DL4J's forward and backward pass
        gradient = meanGradient(Dl4jParams.lossGradient(net, layout, updates));
        before = net.params().toFloatVector();
        batchLoss = Dl4jParams.meanDataLoss(net); // at θ_t: the regularization term is of θ_t
        if (pending != null) {
            // Step t is complete now that θ_{t+1} (after DL4J's constraints) and g_{b_{t+1}}(θ_{t+1}) are here.
            Pending p = pending;
            pending = null;
            record(p.ending(before), nextBatchEstimators() ? gradient : null);
        }
        gradientExit = System.nanoTime();
    }

    private void stepDone() {
        long t0 = System.nanoTime();
        if (study != null) study.addTrainingTime(t0 - gradientExit); // the updater and the step
        pending = new Pending(step++, batchLoss, gradient, before, null);
        lastLoss = pending.batchLoss();
        gradient = null;
        lastExit = System.nanoTime();
    }

    private boolean nextBatchEstimators() {
        return cfg.estimators.contains(NEXT_BATCH_END) || cfg.estimators.contains(NEXT_BATCH);
    }

    /**
     * Every chosen LCA of step p, then the records. {@code next} is g_{b_{t+1}}(θ_{t+1}) when a
     * next-batch estimator is on (called from the next step's onGradientCalculation, so the network
     * holds b_{t+1} and its raw gradient, about to be used by the updater), null otherwise.
     */
    private void record(Pending p, float[] next) {
        Map<String, StepLca> lca = new LinkedHashMap<>();
        Map<String, float[]> gbars = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        if (cfg.estimators.contains(SAME_BATCH)) {
            long e0 = System.nanoTime();
            lca.put(SAME_BATCH, accumulators.get(SAME_BATCH).step(p.gradient(), p.before(), p.after()));
            gbars.put(SAME_BATCH, p.gradient());
            if (study != null) study.addCost(SAME_BATCH, System.nanoTime() - e0, 0);
        }
        if (next != null && cfg.estimators.contains(NEXT_BATCH_END)) {
            long e0 = System.nanoTime();
            lca.put(NEXT_BATCH_END, accumulators.get(NEXT_BATCH_END).step(next, p.before(), p.after()));
            gbars.put(NEXT_BATCH_END, next);
            if (study != null) study.addCost(NEXT_BATCH_END, System.nanoTime() - e0, 0);
        }
        if (next != null && cfg.estimators.contains(NEXT_BATCH)) {
            long e0 = System.nanoTime();
            float[] gStart = meanGradient(heldBatchGradient(p.before()));
            lca.put(NEXT_BATCH, accumulators.get(NEXT_BATCH).step(gStart, p.before(), p.after()));
            gbars.put(NEXT_BATCH, gStart);
            if (study != null) study.addCost(NEXT_BATCH, System.nanoTime() - e0, 1);
        }
        ExactLca.Step ex = null;
        if (exact != null) {
            long x0 = System.nanoTime();
            if (conservation == null) conservation = new ConservationTracker(exact.start(p.before()));
            ex = exact.step(p.before(), p.after());
            exactNanos += System.nanoTime() - x0;
            conservation.add(ex);
            lca.put(EXACT, ex.lca());
        }
        emit(p, lca, gbars, ex, System.nanoTime() - t0);
    }

    /**
     * The raw gradient at θ of the batch the network holds (b_{t+1}: next_batch's g_{b_{t+1}}(θ_t)),
     * by one more pass on the network in training. The pass leaves its batch and masks as they were;
     * θ, the score and the raw gradient, which the updater has yet to read, are put back, so training
     * and what other listeners read go on exactly as without it.
     */
    private float[] heldBatchGradient(float[] theta) {
        INDArray params = net.params().dup();
        INDArray raw = net.gradient().dup();
        double score = net.score();
        try {
            net.params().assign(Nd4j.createFromArray(theta));
            net.computeGradientAndScore();
            return Dl4jParams.lossGradient(net, layout, updates);
        } finally {
            net.params().assign(params);
            net.gradient().assign(raw);
            net.setScore(score);
        }
    }

    private void start(Model model) {
        net = Dl4jNetwork.of(model);
        layout = Dl4jParams.layout(model);
        updates = Dl4jParams.updatesNotGradients(net, layout);
        if (cfg.reference != null || cfg.estimators.contains(NEXT_BATCH)) Dl4jParams.requireStatelessForward(net);
        Lca.Backend backend = cfg.backend;
        for (String e : cfg.estimators) accumulators.put(e, backend.create(layout));
        Dl4jObjective objective = null;
        if (cfg.reference != null) {
            objective = new Dl4jObjective(net, cfg.referenceBatches, layout, updates);
            LcaAccumulator acc = backend.create(layout);
            accumulators.put(EXACT, acc);
            exact = new ExactLca(objective, acc, cfg.tol, cfg.maxSplits);
        }
        accumulators.keySet().forEach(k -> helped.put(k, new double[2]));
        if (exact != null && cfg.expectedSteps > 0 && !cfg.estimators.isEmpty()) {
            int[] sampled = java.util.Arrays.copyOf(org.lca4j.data.DataSources.permutation((int) layout.size(), new java.util.Random(1)),
                    (int) Math.min(512, layout.size()));
            java.util.Arrays.sort(sampled);
            study = new Study(layout, cfg.estimators, cfg.expectedSteps, sampled);
        }
        TrainConfig tc = TrainConfig.builder().model("dl4j").data("dl4j").tol(cfg.tol).maxSplits(cfg.maxSplits)
                .estimators(List.copyOf(accumulators.keySet())).device(cfg.device).out(cfg.out).build();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", cfg.description != null ? cfg.description : "DL4J " + model.getClass().getSimpleName());
        config.put("framework", "deeplearning4j " + dl4jVersion());
        config.put("layers", net.layerCount());
        config.put("parameters", layout.size());
        config.put("estimators", List.copyOf(accumulators.keySet()));
        config.put("reference_size", objective == null ? 0 : objective.size());
        config.put("tol", cfg.tol);
        config.put("max_splits", cfg.maxSplits);
        config.put("device", cfg.device);
        String referenceNote = objective == null ? "no exact LCA" : "reference " + cfg.referenceKind + " (" + objective.size() + " rows)";
        // R's rows come from the reference iterator, not a LabeledSet the harness holds; training's rows are DL4J's to know.
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("source", "DL4J training loop");
        data.put("reference", referenceNote);
        data.put("reference_rows", objective == null ? 0 : objective.size());
        recorder = new RunRecorder(cfg.out, Map.of("config", config, "data", data));
        // Only a trajectory, which a listener run has none of, is written from this set's shape.
        LabeledSet none = new LabeledSet(new float[0], new int[0], 0, 1, 0);
        recorder.started(new RunContext(tc, layout, null, "DL4J training loop", 0, 0, none, referenceNote, accumulators, cfg.expectedSteps,
                net.params().toFloatVector(), "DL4J updater (see config.model)", study == null ? null : study.sampleIndices()));
        started = System.nanoTime();
    }

    /** From deeplearning4j-nn's Maven properties: its manifest has no Implementation-Version. */
    private static String dl4jVersion() {
        java.util.Properties p = new java.util.Properties();
        try (java.io.InputStream in = MultiLayerNetwork.class.getResourceAsStream("/META-INF/maven/org.deeplearning4j/deeplearning4j-nn/pom.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // the version stays unknown
        }
        return p.getProperty("version", "(version unknown)");
    }

    private static String name(Model m) {
        return m.getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(m));
    }

    /**
     * DL4J's backward pass sums over the batch's rows (its updater divides by the batch size in
     * minibatch mode only); LCA uses g_b, the gradient of the batch's mean loss (docs/LCA.md), in
     * either mode, as exact LCA uses the mean loss over R.
     */
    private float[] meanGradient(float[] raw) {
        float rows = net.batchSize();
        for (int i = 0; i < raw.length; i++) raw[i] /= rows;
        return raw;
    }

    private void emit(Pending p, Map<String, StepLca> lca, Map<String, float[]> gbars, ExactLca.Step ex, long nanos) {
        recorded++;
        lca.forEach((k, v) -> {
            double[] h = helped.get(k);
            h[0] += v.helpedFraction();
            h[1]++;
        });
        Map<String, double[]> samples = study != null && p.step() < cfg.expectedSteps
                ? study.record((int) p.step(), p.before(), p.after(), exact.pathGradient(), ex.lca(), gbars, lca) : Map.of();
        recorder.stepDone(new StepEvent(p.step(), step, p.batchLoss(), p.before(), p.after(), ex, null, lca, samples, nanos));
        cfg.onStep.accept(p.step(), Map.copyOf(lca));
    }

    /** The run's layout (null before the first step). */
    public ParamLayout layout() {
        return layout;
    }

    /**
     * An estimator's accumulator ("same_batch", "next_batch_end" or "exact"), e.g. for per-parameter
     * cumulative LCA during training. Step t is added when step t+1 begins, the last step (when it is
     * recorded) in {@link #finish()}, whose onStep callback may still read them: between fit() and
     * finish() they lack that step. finish() then releases them; after it the run directory's
     * {@code cumulative/*.npy} hold the sums.
     */
    public LcaAccumulator accumulator(String name) {
        if (closed) {
            throw new IllegalStateException("the listener has finished and released its accumulators; read " + cfg.out.resolve("cumulative")
                    + " (per-parameter sums as .npy), or call accumulator(...) before finish()");
        }
        LcaAccumulator a = accumulators.get(name);
        if (a == null) throw new IllegalArgumentException("no LCA named '" + name + "' in this listener; it has " + accumulators.keySet());
        return a;
    }

    /**
     * Ends the run: writes run.json's summary and report.html, and frees the accumulators. Returns the
     * summary. With a next-batch estimator on, the last step has no b_{t+1} and is left out of every
     * estimator alike (docs/LCA.md): the summary counts the steps recorded.
     */
    public RunSummary finish() {
        if (!closed && unfinishedFit() != null) stopped(new IllegalStateException(unfinishedFit()));
        if (failure != null) {
            // A network refused at the first step (dropout with exact LCA, float64) fails before the run directory is written.
            throw new IllegalStateException("the run failed during fit() and " + (recorder != null ? "is recorded as failed in " + cfg.out
                    : "stopped before anything was recorded (" + cfg.out + " holds no run.json)") + ": " + failure);
        }
        if (closed) throw new IllegalStateException("LcaListener already finished");
        if (net == null) {
            closed = true;
            throw new IllegalStateException("LcaListener saw no training step: was it added with net.setListeners(...) before fit?");
        }
        // The last step: θ_T is the network's θ now that fit() has returned (constraints applied).
        // With a next-batch estimator on it has no b_{t+1}, so no estimator records it. Recorded
        // before the listener closes, so its onStep callback may read accumulator(...) as every other step's may.
        Pending last = pending;
        pending = null;
        if (last != null && !nextBatchEstimators()) {
            try {
                record(last.ending(net.params().toFloatVector()), null);
            } catch (RuntimeException e) {
                throw stopped(e);
            }
        }
        closed = true;
        try {
            Map<String, double[]> totals = new LinkedHashMap<>();
            accumulators.forEach((k, v) -> totals.put(k, v.layerTotals()));
            Map<String, Double> means = new LinkedHashMap<>();
            helped.forEach((k, h) -> means.put(k, h[1] == 0 ? Double.NaN : h[0] / h[1]));
            List<EstimatorReport> rows = List.of();
            Map<Integer, String> best = Map.of();
            if (study != null) {
                Map<String, Integer> declared = new LinkedHashMap<>();
                cfg.estimators.forEach(e -> declared.put(e, e.equals(NEXT_BATCH) ? 1 : 0));
                rows = study.finish(accumulators, declared);
                best = Study.bestByCost(rows);
            }
            RunSummary s = new RunSummary(recorded, conservation == null ? null : conservation.result(), null, totals, means, lastLoss,
                    (System.nanoTime() - started) / 1e9, exact == null ? 0 : exact.evaluations(), step,
                    study == null ? Double.NaN : study.trainingMsPerStep(), recorded == 0 ? Double.NaN : exactNanos / 1e6 / recorded, rows, best, Map.of());
            recorder.finished(s);
            if (cfg.report) ReportWriter.write(cfg.out);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report in " + cfg.out + ": " + e.getMessage(), e);
        } finally {
            accumulators.values().forEach(LcaAccumulator::close);
        }
    }

    @Override
    public void close() {
        if (closed) return;
        // In try-with-resources around a fit() that threw, that exception is on its way: record, do not throw.
        if (unfinishedFit() != null) stopped(new IllegalStateException(unfinishedFit()));
        else if (net != null) finish();
    }
}
