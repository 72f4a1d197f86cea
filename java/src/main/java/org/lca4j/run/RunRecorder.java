package org.lca4j.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lca4j.core.Layer;
import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.ParamLayout;
import org.lca4j.io.IoErrors;
import org.lca4j.io.Npy;
import org.lca4j.io.NpyRowWriter;
import org.lca4j.io.Staged;
import org.lca4j.train.RunContext;
import org.lca4j.train.RunListener;
import org.lca4j.train.RunSummary;
import org.lca4j.train.StepEvent;

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
 * or written over. What the files say is {@link RunJson}'s (run.json), {@link StepRows}' (the CSV
 * rows) and {@link Trajectory#modelJson}'s (model.json); file formats: README, "Outputs".
 */
public final class RunRecorder implements RunListener {
    private final Path dir;
    private final Map<String, Object> extra;
    private RunContext context;
    private RowAppender layers;
    private RowAppender steps;
    private NpyRowWriter theta;
    private final Map<String, NpyRowWriter> samples = new LinkedHashMap<>();
    private RunJson runJson;
    private StepRows csv;
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
            runJson = RunJson.started(c, extra);
            runJson.write(dir.resolve(RunFiles.RUN_JSON));
            reserve(Files.size(dir.resolve(RunFiles.RUN_JSON)));
            csv = new StepRows(c);
            layers = RowAppender.create(dir.resolve(RunFiles.LAYERS_CSV), StepRows.LAYERS_HEADER);
            steps = RowAppender.create(dir.resolve(RunFiles.STEPS_CSV), csv.stepsHeader());
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
            layers.append(csv.layerRows(e));
            steps.append(csv.stepRow(e));
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

    @Override
    public synchronized void finished(RunSummary s) {
        if (ended) return;
        runJson.complete(s, context.layout());
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
        runJson.stopped("failed", String.valueOf(error.getMessage()), stepsWritten, cumulativeSteps);
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
        runJson.stopped("interrupted", why, stepsWritten, cumulativeSteps);
        close();
        return stepsWritten;
    }

    /** Closes the files, gives back the reserve, then writes run.json; returns what went wrong. */
    private List<String> close() {
        ended = true;
        List<String> problems = new ArrayList<>();
        List<AutoCloseable> open = new ArrayList<>(Arrays.asList(layers, steps, theta));
        open.addAll(samples.values());
        for (AutoCloseable c : open) {
            try {
                if (c != null) c.close();
            } catch (Exception e) {
                problems.add(e.getMessage());
            }
        }
        runJson.ended();
        try {
            Files.deleteIfExists(dir.resolve(RunFiles.RESERVE));
            runJson.write(dir.resolve(RunFiles.RUN_JSON));
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
                staged.add(Npy.stage(p, en.getValue().cumulative(l), Arrays.stream(layer.shape()).asLongStream().toArray()));
            }
        }
        Path count = dir.resolve(RunFiles.CUMULATIVE_DIR).resolve(RunFiles.CUMULATIVE_STEPS);
        Files.createDirectories(count.getParent());
        staged.add(Json.stage(count, Map.of("steps", stepsHeld)));
    }

    private void startTrajectory(RunContext c) throws IOException {
        Path t = dir.resolve(RunFiles.TRAJECTORY_DIR);
        Files.createDirectories(t);
        Json.write(t.resolve(RunFiles.MODEL_JSON), Trajectory.modelJson(c));
        Npy.write(t.resolve(RunFiles.REF_X_NPY), c.reference().x(), c.reference().n(), c.reference().dim());
        Npy.write(t.resolve(RunFiles.REF_Y_NPY), c.reference().y(), c.reference().n());
        theta = NpyRowWriter.open(t.resolve(RunFiles.THETA_NPY), "<f4", c.totalSteps() + 1, c.layout().size());
        theta.appendRow(c.theta0());
        theta.flush();
    }
}
