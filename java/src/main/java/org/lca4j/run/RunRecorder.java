package org.lca4j.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lca4j.core.Layer;
import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.ParamLayout;
import org.lca4j.core.StepLca;
import org.lca4j.exact.ExactLca;
import org.lca4j.io.IoErrors;
import org.lca4j.io.Npy;
import org.lca4j.io.NpyRowWriter;
import org.lca4j.io.Staged;
import org.lca4j.nn.Gemm;
import org.lca4j.study.EstimatorReport;
import org.lca4j.study.Study;
import org.lca4j.train.RunContext;
import org.lca4j.train.RunListener;
import org.lca4j.train.RunSummary;
import org.lca4j.train.StepEvent;
import org.lca4j.train.TrainConfig;

/**
 * Writes a run directory as the run goes: CSV rows and the trajectory row every step, the
 * cumulative .npy files as often as {@link SnapshotPacer} allows and after the last step, and
 * run.json atomically at the start and at the end (or on failure, with the error). A killed run
 * therefore loses at most the step in flight. A step's writes are all-or-nothing: if
 * one fails (a full disk), the step's rows are taken back and its new cumulative files never
 * replace the last step's, so every file ends at the same whole step; space set aside at the start
 * ({@link RunFiles#RESERVE}) is given back first so run.json can still record the failure. A run
 * stopped from outside (Ctrl-C, kill) is closed by {@link #interrupted}, from a shutdown hook.
 * It never writes into a directory that already holds files, so no earlier record is mixed into
 * or written over. File formats: README, "Outputs".
 */
public final class RunRecorder implements RunListener {
    private final Path dir;
    private final Map<String, Object> extra;
    private RunContext context;
    private RowAppender layers;
    private RowAppender steps;
    private NpyRowWriter theta;
    private final Map<String, NpyRowWriter> samples = new LinkedHashMap<>();
    private Map<String, Object> runJson;
    private boolean validationColumns;
    private long stepsWritten;
    private final SnapshotPacer pacer = new SnapshotPacer();
    private long cumulativeSteps;
    /** run.json says how the run ended; nothing more is written. */
    private boolean ended;

    /** @param extra additional top-level run.json entries (e.g. what an analysis was made from) */
    public RunRecorder(Path dir, Map<String, Object> extra) {
        this.dir = dir;
        this.extra = extra;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public synchronized void started(RunContext c) {
        this.context = c;
        try {
            requireNew(dir);
            Files.createDirectories(dir);
            runJson = new LinkedHashMap<>();
            runJson.put("format", "lca4j-run/1");
            runJson.put("status", "running");
            runJson.put("started", Instant.now().toString());
            runJson.putAll(extra);
            // A caller that is not lca4j's harness (the DL4J listener) describes its own training.
            if (!extra.containsKey("config")) runJson.put("config", config(c));
            runJson.put("environment", environment(c));
            runJson.put("process", RunProcess.current());
            runJson.put("data", data(c));
            runJson.put("layers", layers(c.layout()));
            Json.write(dir.resolve(RunFiles.RUN_JSON), runJson);
            reserve(Files.size(dir.resolve(RunFiles.RUN_JSON)));
            layers = RowAppender.create(dir.resolve(RunFiles.LAYERS_CSV), "step,estimator,layer,lca,helped_fraction\n");
            validationColumns = c.accumulators().containsKey(org.lca4j.train.Trainer.EXACT_VALIDATION);
            steps = RowAppender.create(dir.resolve(RunFiles.STEPS_CSV), "step,batch_loss,loss_before,loss_after,loss_change,lca,splits,error"
                    + (validationColumns ? ",val_loss_before,val_loss_after,val_loss_change,val_lca,val_splits,val_error" : "") + ",step_ms\n");
            if (c.config().saveTrajectory()) startTrajectory(c);
            if (c.sampleIndices() != null) {
                Path sd = dir.resolve(RunFiles.SAMPLES_DIR);
                Files.createDirectories(sd);
                Npy.write(sd.resolve(RunFiles.SAMPLE_INDICES_NPY), c.sampleIndices(), c.sampleIndices().length);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write run directory " + dir + ": " + IoErrors.reason(e), e);
        }
    }

    /**
     * Fails now, with the reason, if {@code dir} cannot become a run directory (it holds files, or is
     * a file): for callers that build a recorder long before their run starts.
     */
    public static void checkNew(Path dir) {
        try {
            requireNew(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write run directory " + dir + ": " + IoErrors.reason(e), e);
        }
    }

    /** Refuses a directory with anything in it: a second run there would leave a mix of two runs' files. */
    private static void requireNew(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        if (!Files.isDirectory(dir)) throw new IOException("not a directory");
        List<String> names;
        try (var list = Files.list(dir)) {
            names = list.map(p -> p.getFileName().toString()).sorted().limit(4).toList();
        }
        if (!names.isEmpty()) {
            throw new IOException("it already holds files (" + String.join(", ", names.subList(0, Math.min(3, names.size())))
                    + (names.size() > 3 ? ", …" : "") + "); earlier records are never written over: choose a new directory or remove that one");
        }
    }

    @Override
    public synchronized void stepDone(StepEvent e) {
        if (ended) return;
        long layersMark = layers.mark(), stepsMark = steps.mark();
        long thetaRows = theta == null ? 0 : theta.rowsWritten();
        Map<NpyRowWriter, Long> sampleRows = new LinkedHashMap<>();
        samples.values().forEach(w -> sampleRows.put(w, w.rowsWritten()));
        List<Staged> staged = new ArrayList<>();
        long s0 = System.nanoTime();
        boolean snapshot = e.step() == context.totalSteps() - 1 || pacer.due(s0);
        try {
            if (snapshot) stageCumulative(staged, stepsWritten + 1);
            long s1 = System.nanoTime();
            layers.append(layerRows(e));
            steps.append(stepRow(e));
            if (theta != null) {
                theta.appendRow(e.thetaAfter());
                theta.flush();
            }
            for (Map.Entry<String, double[]> en : e.samples().entrySet()) {
                NpyRowWriter w = samples.get(en.getKey());
                if (w == null) {
                    w = NpyRowWriter.open(dir.resolve(RunFiles.SAMPLES_DIR).resolve(en.getKey() + ".npy"), "<f8", context.totalSteps(), en.getValue().length);
                    samples.put(en.getKey(), w);
                    sampleRows.put(w, 0L);
                }
                w.appendRow(en.getValue());
                w.flush();
            }
            // Renames take no space: once every file of the step is written, none of this can fail for lack of it.
            long s2 = System.nanoTime();
            for (Staged f : staged) f.commit();
            stepsWritten++;
            if (snapshot) {
                cumulativeSteps = stepsWritten;
                long end = System.nanoTime();
                pacer.wrote((s1 - s0) + (end - s2), end); // staging and renaming, not the rows between
            }
        } catch (IOException ex) {
            takeBack(ex, staged, layersMark, stepsMark, thetaRows, sampleRows);
            throw new UncheckedIOException("cannot write step " + e.step() + " to " + dir + ": " + IoErrors.reason(ex)
                    + (e.step() == 0 ? " (no step was recorded)" : " (the run's files end at step " + (e.step() - 1) + ")"), ex);
        } catch (RuntimeException ex) {
            // Not the disk (e.g. an accumulator that refused a step): the step is taken back all the same.
            takeBack(ex, staged, layersMark, stepsMark, thetaRows, sampleRows);
            throw ex;
        }
    }

    /** Leaves every file as it was after the last whole step. */
    private void takeBack(Exception failure, List<Staged> staged, long layersMark, long stepsMark, long thetaRows,
                          Map<NpyRowWriter, Long> sampleRows) {
        discardAll(staged, failure);
        List<IoAction> undo = new ArrayList<>();
        undo.add(() -> layers.rollback(layersMark));
        undo.add(() -> steps.rollback(stepsMark));
        if (theta != null) undo.add(() -> theta.truncateRows(thetaRows));
        sampleRows.forEach((w, rows) -> undo.add(() -> w.truncateRows(rows)));
        for (IoAction a : undo) {
            try {
                a.run();
            } catch (IOException | RuntimeException again) {
                failure.addSuppressed(again);
            }
        }
    }

    private static void discardAll(List<Staged> staged, Exception failure) {
        for (Staged f : staged) {
            try {
                f.discard();
            } catch (IOException again) {
                failure.addSuppressed(again);
            }
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    private String layerRows(StepEvent e) {
        ParamLayout layout = context.layout();
        StringBuilder rows = new StringBuilder();
        for (Map.Entry<String, StepLca> en : e.lca().entrySet()) {
            StepLca s = en.getValue();
            for (int l = 0; l < layout.layerCount(); l++) {
                rows.append(e.step()).append(',').append(en.getKey()).append(',').append(layout.layer(l).name()).append(',')
                        .append(s.lca(l)).append(',').append(s.helpedFraction(l)).append('\n');
            }
        }
        return rows.toString();
    }

    private String stepRow(StepEvent e) {
        StringBuilder row = new StringBuilder().append(e.step()).append(',').append(csv(e.batchLoss()));
        appendExact(row, e.exact());
        if (validationColumns) appendExact(row, e.validation());
        return row.append(',').append(e.nanos() / 1_000_000.0).append('\n').toString();
    }

    @Override
    public synchronized void finished(RunSummary s) {
        if (ended) return;
        runJson.put("status", "complete");
        runJson.put("summary", summary(s));
        List<String> problems = new ArrayList<>();
        if (cumulativeSteps != stepsWritten) {
            // A caller that did not say how many steps it would run (the DL4J listener) gets its last snapshot here.
            List<Staged> staged = new ArrayList<>();
            try {
                stageCumulative(staged, stepsWritten);
                for (Staged f : staged) f.commit();
                cumulativeSteps = stepsWritten;
            } catch (IOException | RuntimeException e) {
                discardAll(staged, e);
                problems.add("cumulative files after step " + (stepsWritten - 1) + ": " + e.getMessage());
            }
        }
        problems.addAll(close());
        if (!problems.isEmpty()) throw new UncheckedIOException(new IOException("closing " + dir + ": " + String.join("; ", problems)));
    }

    /** Records the failure; a problem doing so is attached to {@code error}, which stays the one reported. */
    @Override
    public synchronized void failed(Throwable error) {
        if (runJson == null || ended) return;
        runJson.put("status", "failed");
        runJson.put("error", String.valueOf(error.getMessage()));
        runJson.put("steps_recorded", stepsWritten);
        runJson.put("cumulative_steps", cumulativeSteps);
        for (String p : close()) error.addSuppressed(new IOException("closing " + dir + ": " + p));
    }

    /**
     * The process is being stopped from outside (Ctrl-C, kill) while the run is going: closes the
     * files at the last whole step, with run.json saying so. Meant for a shutdown hook; the training
     * thread may still be running, so the cumulative files stay at their last snapshot (an
     * accumulator may be half-way through the next step) and later calls write nothing.
     *
     * @return the number of steps recorded, or -1 when the run had not started or had already ended
     */
    public synchronized long interrupted(String why) {
        if (runJson == null || ended) return -1;
        runJson.put("status", "interrupted");
        runJson.put("error", why);
        runJson.put("steps_recorded", stepsWritten);
        runJson.put("cumulative_steps", cumulativeSteps);
        close();
        return stepsWritten;
    }

    /** Closes the files, gives back the reserve, then writes run.json; returns what went wrong. */
    private List<String> close() {
        ended = true;
        List<String> problems = new ArrayList<>();
        List<AutoCloseable> open = new ArrayList<>(java.util.Arrays.asList(layers, steps, theta));
        open.addAll(samples.values());
        for (AutoCloseable c : open) {
            try {
                if (c != null) c.close();
            } catch (Exception e) {
                problems.add(e.getMessage());
            }
        }
        runJson.put("finished", Instant.now().toString());
        try {
            Files.deleteIfExists(dir.resolve(RunFiles.RESERVE));
            Json.write(dir.resolve(RunFiles.RUN_JSON), runJson);
        } catch (IOException e) {
            problems.add(e.getMessage());
        }
        return problems;
    }

    /**
     * Sets aside room for the last run.json: eight times the first one (the summary grows with the
     * layers and estimators, as the first one's layer list does), at least 256 KiB.
     */
    private void reserve(long runJsonBytes) throws IOException {
        long bytes = Math.max(256 << 10, 8 * runJsonBytes);
        try (FileChannel ch = FileChannel.open(dir.resolve(RunFiles.RESERVE), StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate(64 << 10);
            for (long left = bytes; left > 0; left -= zeros.limit()) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), left));
                while (zeros.hasRemaining()) ch.write(zeros);
            }
        }
    }

    private void appendExact(StringBuilder row, ExactLca.Step s) {
        if (s == null) {
            row.append(",,,,,,");
            return;
        }
        row.append(',').append(s.lossBefore()).append(',').append(s.lossAfter()).append(',').append(s.lossChange())
                .append(',').append(s.lca().total()).append(',').append(s.splits()).append(',').append(s.error());
    }

    private static String csv(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    /**
     * Writes every cumulative file beside its last version, and the count of steps they hold last,
     * to be committed once the whole step is written.
     */
    private void stageCumulative(List<Staged> staged, long stepsHeld) throws IOException {
        ParamLayout layout = context.layout();
        for (Map.Entry<String, LcaAccumulator> en : context.accumulators().entrySet()) {
            for (int l = 0; l < layout.layerCount(); l++) {
                Layer layer = layout.layer(l);
                Path p = RunFiles.cumulative(dir, en.getKey(), layer.name());
                Files.createDirectories(p.getParent());
                staged.add(Npy.stage(p, en.getValue().cumulative(l), toLongs(layer.shape())));
            }
        }
        Path count = dir.resolve(RunFiles.CUMULATIVE_DIR).resolve(RunFiles.CUMULATIVE_STEPS);
        Files.createDirectories(count.getParent());
        staged.add(Json.stage(count, Map.of("steps", stepsHeld)));
    }

    private void startTrajectory(RunContext c) throws IOException {
        Path t = dir.resolve(RunFiles.TRAJECTORY_DIR);
        Files.createDirectories(t);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("format", "lca4j-trajectory/1");
        model.put("architecture", "mlp");
        model.put("widths", c.widths());
        model.put("activation", "relu");
        model.put("loss", "softmax_cross_entropy_mean");
        model.put("parameter_order", "flat vector: layers in the order below, each row-major");
        model.put("layers", layers(c.layout()));
        model.put("steps", c.totalSteps());
        model.put("theta", "theta.npy float32 [steps+1, parameters]: θ before each step, then the final θ");
        // Not Map.of: its order changes from one JVM to the next, and so would the file's bytes.
        Map<String, Object> reference = new LinkedHashMap<>();
        reference.put("note", c.referenceNote());
        reference.put("rows", c.reference().n());
        reference.put("x", RunFiles.REF_X_NPY);
        reference.put("y", RunFiles.REF_Y_NPY);
        model.put("reference", reference);
        Json.write(t.resolve(RunFiles.MODEL_JSON), model);
        Npy.write(t.resolve(RunFiles.REF_X_NPY), c.reference().x(), c.reference().n(), c.reference().dim());
        Npy.write(t.resolve(RunFiles.REF_Y_NPY), c.reference().y(), c.reference().n());
        theta = NpyRowWriter.open(t.resolve(RunFiles.THETA_NPY), "<f4", c.totalSteps() + 1, c.layout().size());
        theta.appendRow(c.theta0());
        theta.flush();
    }

    static List<Map<String, Object>> layers(ParamLayout layout) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Layer l : layout.layers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.name());
            m.put("shape", l.shape());
            m.put("offset", l.offset());
            m.put("size", l.size());
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> config(RunContext c) {
        TrainConfig k = c.config();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", k.model());
        m.put("widths", c.widths());
        m.put("data", k.data());
        m.put("optimizer", c.optimizer());
        m.put("lr", k.lr());
        m.put("momentum", k.momentum());
        m.put("batch", k.batch());
        m.put("steps", c.totalSteps());
        m.put("seed", k.seed());
        m.put("reference_size", c.reference().n());
        m.put("tol", k.tol());
        m.put("max_splits", k.maxSplits());
        m.put("estimators", new ArrayList<>(c.accumulators().keySet()));
        m.put("estimator_batches", k.estimatorBatches());
        m.put("save_trajectory", k.saveTrajectory());
        m.put("device", k.device());
        return m;
    }

    private static Map<String, Object> data(RunContext c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", c.dataSource());
        m.put("train_rows", c.trainRows());
        m.put("validation_rows", c.validationRows());
        m.put("reference", c.referenceNote());
        m.put("reference_rows", c.reference().n());
        return m;
    }

    private static Map<String, Object> environment(RunContext c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lca4j", RunRecorder.class.getPackage().getImplementationVersion() == null ? "dev" : RunRecorder.class.getPackage().getImplementationVersion());
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("blas", Gemm.implementation());
        // --device chooses where LCA is accumulated and, for cuda, where gradients are computed; the
        // optimizer and the O(D) bookkeeping run on the host either way.
        org.lca4j.Lca.Backend backend = org.lca4j.Lca.backend(c.config().device());
        m.put("lca_device", backend.description());
        m.put("gradients", backend.name().equals("cuda") ? org.lca4j.cuda.GpuGradients.where() : "gradients on the CPU");
        return m;
    }

    private Map<String, Object> summary(RunSummary s) {
        ParamLayout layout = context.layout();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", s.steps());
        if (s.conservation() != null) m.put("conservation", conservation(s.conservation()));
        if (s.validationConservation() != null) m.put("validation_conservation", conservation(s.validationConservation()));
        Map<String, Object> helped = new LinkedHashMap<>();
        s.meanHelpedFraction().forEach((k, v) -> helped.put(k, Json.num(v)));
        m.put("mean_helped_fraction", helped);
        Map<String, Object> totals = new LinkedHashMap<>();
        s.layerTotals().forEach((k, v) -> {
            Map<String, Object> byLayer = new LinkedHashMap<>();
            for (int l = 0; l < v.length; l++) byLayer.put(layout.layer(l).name(), v[l]);
            totals.put(k, byLayer);
        });
        m.put("layer_totals", totals);
        if (!s.estimators().isEmpty()) {
            Map<String, Object> est = new LinkedHashMap<>();
            for (EstimatorReport r : s.estimators()) est.put(r.name(), EstimatorJson.of(r));
            m.put("estimators", est);
            Map<String, Object> best = new LinkedHashMap<>();
            s.bestByCost().forEach((k, v) -> best.put(String.valueOf(k), v));
            m.put("best_by_cost", best);
            m.put("best_criterion", Study.BEST_CRITERION);
        }
        m.put("training_ms_per_step", Json.num(s.trainingMsPerStep()));
        m.put("exact_ms_per_step", Json.num(s.exactMsPerStep()));
        if (s.conservation() != null && Double.isFinite(s.trainingMsPerStep()) && s.trainingMsPerStep() > 0) {
            m.put("exact_relative_time", (s.trainingMsPerStep() + s.exactMsPerStep()) / s.trainingMsPerStep());
        }
        m.put("helped_fraction_paper", "Lan et al. 2019 (MNIST-FC on MNIST): 50.3%–51.6% of parameters help at a step");
        m.put("final_batch_loss", Json.num(s.finalBatchLoss()));
        // Jackson writes the Accuracy records as they are: {rows, start, end}, all finite.
        if (!s.accuracy().isEmpty()) m.put("accuracy", s.accuracy());
        m.put("seconds", s.seconds());
        m.put("reference_gradient_evaluations", s.referenceEvaluations());
        m.put("batch_gradient_evaluations", s.batchEvaluations());
        return m;
    }

    private static Map<String, Object> conservation(RunSummary.Conservation c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total_lca", c.totalLca());
        m.put("total_loss_change", c.totalLossChange());
        m.put("rel_error", Json.num(c.relError()));
        m.put("max_step_abs_error", c.maxStepAbsError());
        m.put("sum_abs_error", c.sumAbsError());
        m.put("initial_loss", c.initialLoss());
        m.put("final_loss", c.finalLoss());
        m.put("mean_splits", c.meanSplits());
        m.put("max_splits_used", c.maxSplitsUsed());
        m.put("steps_over_tolerance", c.stepsOverTolerance());
        return m;
    }

    private static long[] toLongs(int[] v) {
        long[] o = new long[v.length];
        for (int i = 0; i < v.length; i++) o[i] = v[i];
        return o;
    }
}
