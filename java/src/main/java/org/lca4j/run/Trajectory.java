package org.lca4j.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lca4j.core.Layer;
import org.lca4j.data.LabeledSet;
import org.lca4j.io.Npy;
import org.lca4j.io.NpyArray;
import org.lca4j.io.NpyRowReader;
import org.lca4j.nn.Mlp;
import org.lca4j.nn.SetObjective;
import org.lca4j.train.RunContext;

/**
 * A saved trajectory directory (model.json, theta.npy, ref_x.npy, ref_y.npy), checked for
 * consistency on load. A theta.npy cut short by a killed run is usable up to its last whole row.
 * θ rows are read from theta.npy as they are asked for, never the whole file: a long run's
 * trajectory (11,000 steps of MNIST-FC: 3.7 GB) takes no more memory than a short one's.
 *
 * @param rows        complete θ rows present (T+1 for a finished run of T steps)
 * @param plannedRows the θ rows the run set out to write (model.json's {@code steps} + 1), or the
 *                    rows theta.npy's header counts when model.json does not say
 */
public record Trajectory(Path dir, Mlp model, long rows, LabeledSet reference, String referenceNote, long plannedRows) {

    /** The loss names model.json may give: all mean softmax cross-entropy over the rows (PyTorch's {@code cross_entropy}). */
    static final List<String> LOSSES = List.of("softmax_cross_entropy_mean", "softmax_cross_entropy", "cross_entropy");

    /** How far model.json's optional {@code initial_loss} may be from lca4j's L_R(θ_0), relative (float32 forward passes differ by ~1e-7). */
    static final double INITIAL_LOSS_TOLERANCE = 1e-4;

    /** The flat layout in words, for the errors that a layout written another way runs into. */
    static final String LAYOUT = "lca4j's θ is fc1.weight [out, in] (PyTorch's nn.Linear.weight), fc1.bias [out], fc2.weight, … each row-major (C order)";

    /** Whether run.json names DL4J as the framework (the LcaListener writes it). */
    private static boolean fromDl4j(Path dir) {
        try {
            return Files.isRegularFile(dir.resolve(RunFiles.RUN_JSON))
                    && Json.read(dir.resolve(RunFiles.RUN_JSON)).path("config").path("framework").asText().startsWith("deeplearning4j");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Accepts a run directory or its trajectory/ subdirectory. Every refusal is one line naming the
     * file and what is wrong with it, as the README's "Writing a trajectory" describes the format.
     */
    public static Trajectory load(Path path) throws IOException {
        Path dir = Files.isDirectory(path.resolve(RunFiles.TRAJECTORY_DIR)) ? path.resolve(RunFiles.TRAJECTORY_DIR) : path;
        Path modelFile = dir.resolve(RunFiles.MODEL_JSON);
        if (!Files.isRegularFile(modelFile)) {
            if (fromDl4j(path)) {
                throw new IOException(path + " is a DL4J listener run, which has no trajectory: analyze recomputes lca4j's own MLP"
                        + " (train --save-trajectory); the listener's exact LCA is already in the records (.exact(...)), and ./lca view shows them");
            }
            throw new IOException(path + " has no trajectory: expected " + modelFile + " (train with --save-trajectory)");
        }
        JsonNode model = Json.read(modelFile);
        Mlp mlp = model(modelFile, model);
        int[] widths = mlp.widths();
        Path thetaFile = present(dir, RunFiles.THETA_NPY, "float32 [T+1, parameters]");
        long d = mlp.layout().size();
        long rows;
        long declaredRows;
        try (NpyRowReader theta = new NpyRowReader(thetaFile)) { // only its header and size here: row(t) reads the rows
            if (theta.shape().length != 2) {
                throw new IOException(thetaFile + ": shape " + Arrays.toString(theta.shape()) + " is not 2-D; expected [T+1, " + d
                        + "], one row per θ_t");
            }
            if (theta.shape()[1] != d) {
                throw new IOException(thetaFile + ": rows of " + theta.shape()[1] + " values, but widths " + Arrays.toString(widths)
                        + " have " + d + " parameters");
            }
            requireDtype(thetaFile, theta.descr(), "<f4", "float32: save theta.astype(np.float32)");
            if (theta.rows() < 2) {
                throw new IOException(thetaFile + ": " + theta.rows() + " row; a trajectory needs θ_0 and at least θ_1 (one step)");
            }
            rows = theta.rows();
            declaredRows = theta.declaredRows();
        }
        Path xFile = present(dir, RunFiles.REF_X_NPY, "float32 [rows, " + widths[0] + "]");
        Path yFile = present(dir, RunFiles.REF_Y_NPY, "int32 [rows]");
        NpyArray x = Npy.read(xFile);
        NpyArray y = Npy.read(yFile);
        if (x.shape().length != 2 || x.shape()[1] != widths[0]) {
            throw new IOException(xFile + ": shape " + Arrays.toString(x.shape()) + ", expected [rows, " + widths[0] + "]");
        }
        requireDtype(xFile, x.descr(), "<f4", "float32: save x.astype(np.float32)");
        if (y.shape().length != 1 || y.shape()[0] != x.shape()[0]) {
            throw new IOException(yFile + ": shape " + Arrays.toString(y.shape()) + " does not match " + x.shape()[0] + " rows of " + xFile.getFileName());
        }
        if (!y.descr().equals("<i4") && !y.descr().equals("<i8")) {
            throw new IOException(yFile + ": dtype " + y.descr() + ", expected <i4 (int32; int64 is read too): class indices, not one-hot rows or floats");
        }
        float[] xs = x.asFloats();
        for (int i = 0; i < xs.length; i++) {
            if (!Float.isFinite(xs[i])) throw new IOException(xFile + ": row " + i / widths[0] + ", column " + i % widths[0] + " holds " + xs[i]);
        }
        int[] labels = y.asInts();
        int classes = widths[widths.length - 1];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) throw new IOException(yFile + ": label " + labels[i] + " at row " + i + " is outside [0," + classes + ")");
        }
        LabeledSet ref = LabeledSet.of(xs, labels, widths[0], classes);
        String note = model.path("reference").path("note").asText("reference set saved with the trajectory");
        // theta.npy's header counts the rows written (NpyRowWriter), so only model.json knows the plan.
        long planned = model.path("steps").canConvertToLong() ? model.path("steps").asLong() + 1 : declaredRows;
        Trajectory tr = new Trajectory(dir, mlp, rows, ref, note, planned);
        if (model.has("initial_loss")) tr.checkInitialLoss(modelFile, model.get("initial_loss"));
        return tr;
    }

    /** The network model.json describes: {@code widths}, and {@code activation}, {@code loss} and {@code layers} checked when given. */
    private static Mlp model(Path modelFile, JsonNode model) throws IOException {
        JsonNode widthsNode = model.get("widths");
        if (widthsNode == null || !widthsNode.isArray()) throw new IOException(modelFile + ": missing \"widths\" array");
        if (model.has("activation") && !model.get("activation").asText().equals("relu")) {
            throw new IOException(modelFile + ": activation " + model.get("activation") + " is not supported (relu only)");
        }
        if (model.has("loss") && !LOSSES.contains(model.get("loss").asText())) {
            throw new IOException(modelFile + ": loss " + model.get("loss") + " is not supported (mean softmax cross-entropy only: "
                    + String.join(", ", LOSSES) + ")");
        }
        int[] widths = new int[widthsNode.size()];
        for (int i = 0; i < widths.length; i++) {
            JsonNode w = widthsNode.get(i);
            if (!w.isIntegralNumber() || !w.canConvertToInt()) throw new IOException(modelFile + ": \"widths\" must be whole numbers like [784, 100, 10], got " + widthsNode);
            widths[i] = w.asInt();
        }
        Mlp mlp;
        try {
            mlp = new Mlp(widths);
        } catch (IllegalArgumentException e) {
            throw new IOException(modelFile + ": " + e.getMessage());
        }
        if (model.has("layers")) checkLayers(modelFile, model.get("layers"), mlp);
        return mlp;
    }

    /**
     * model.json's {@code layers}, when another tool writes them, must describe lca4j's layout: a
     * shape, size or offset that differs is the mark of weights written [in, out] or layers in another order.
     */
    private static void checkLayers(Path modelFile, JsonNode layers, Mlp mlp) throws IOException {
        List<Layer> ours = mlp.layout().layers();
        String widths = Arrays.toString(mlp.widths());
        if (!layers.isArray() || layers.size() != ours.size()) {
            throw new IOException(modelFile + ": \"layers\" lists " + (layers.isArray() ? layers.size() : 0) + " entries, but widths " + widths
                    + " give " + ours.size() + " (" + LAYOUT + ")");
        }
        for (int i = 0; i < ours.size(); i++) {
            Layer l = ours.get(i);
            JsonNode e = layers.get(i);
            String expected = Arrays.toString(l.shape());
            boolean shapeOff = e.has("shape") && !sameShape(e.get("shape"), l.shape());
            boolean sizeOff = e.has("size") && e.get("size").asLong(-1) != l.size();
            boolean offsetOff = e.has("offset") && e.get("offset").asLong(-1) != l.offset();
            if (shapeOff || sizeOff || offsetOff) {
                String what = shapeOff ? "shape " + e.get("shape").toString().replace(",", ", ") : sizeOff ? "size " + e.get("size") : "offset " + e.get("offset");
                throw new IOException(modelFile + ": layers[" + i + "]" + (e.has("name") ? " (" + e.get("name").asText() + ")" : "") + " has " + what
                        + ", but widths " + widths + " make it " + l.name() + " with shape " + expected + ", size " + l.size() + ", offset " + l.offset()
                        + ": " + LAYOUT);
            }
        }
    }

    private static boolean sameShape(JsonNode given, int[] shape) {
        if (!given.isArray() || given.size() != shape.length) return false;
        for (int k = 0; k < shape.length; k++) {
            if (!given.get(k).isIntegralNumber() || given.get(k).asLong() != shape[k]) return false;
        }
        return true;
    }

    /** A file the trajectory must hold, with what it should be when it is missing. */
    private static Path present(Path dir, String name, String what) throws IOException {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) throw new IOException(dir + " has no " + name + " (" + what + ")");
        return p;
    }

    private static void requireDtype(Path file, String found, String descr, String hint) throws IOException {
        if (!found.equals(descr)) throw new IOException(file + ": dtype " + found + ", expected " + descr + " (" + hint + ")");
    }

    /**
     * model.json's optional {@code initial_loss}, the writer's own L_R(θ_0), against lca4j's: a
     * layout the shapes cannot tell apart (column-major weights, a square layer transposed) gives another loss.
     */
    private void checkInitialLoss(Path modelFile, JsonNode given) throws IOException {
        if (!given.isNumber()) throw new IOException(modelFile + ": \"initial_loss\" must be a number, got " + given);
        double ours = new SetObjective(model, reference).evaluate(row(0)).lossSum() / reference.n();
        double theirs = given.asDouble();
        if (!(Math.abs(ours - theirs) <= INITIAL_LOSS_TOLERANCE * Math.max(1, Math.abs(theirs)))) {
            throw new IOException(modelFile + ": initial_loss " + theirs + ", but lca4j computes L_R(θ_0) = " + ours + " from theta.npy's row 0 and "
                    + RunFiles.REF_X_NPY + "/" + RunFiles.REF_Y_NPY + ": " + LAYOUT + "; the loss the mean softmax cross-entropy");
        }
    }

    /** model.json as training writes it: what {@link #load} reads back, and what a reader outside lca4j needs. */
    static Map<String, Object> modelJson(RunContext c) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("format", "lca4j-trajectory/1");
        model.put("architecture", "mlp");
        model.put("widths", c.widths());
        model.put("activation", "relu");
        model.put("loss", "softmax_cross_entropy_mean");
        model.put("parameter_order", "flat vector: layers in the order below, each row-major");
        model.put("layers", RunJson.layers(c.layout()));
        model.put("steps", c.totalSteps());
        model.put("theta", "theta.npy float32 [steps+1, parameters]: θ before each step, then the final θ");
        // In the order a reader meets them (Json would sort a Map.of, whose own order changes from one JVM to the next).
        Map<String, Object> reference = new LinkedHashMap<>();
        reference.put("note", c.referenceNote());
        reference.put("rows", c.reference().n());
        reference.put("x", RunFiles.REF_X_NPY);
        reference.put("y", RunFiles.REF_Y_NPY);
        model.put("reference", reference);
        return model;
    }

    /** θ_t; a NaN or infinite value is refused with its row and parameter (a corrupt file, or a run saved as it diverged). */
    public float[] row(long t) {
        float[] r;
        try (NpyRowReader theta = new NpyRowReader(dir.resolve(RunFiles.THETA_NPY))) {
            r = theta.floatRow(t);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(dir.resolve(RunFiles.THETA_NPY) + ": cannot read row " + t + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < r.length; i++) {
            if (!Float.isFinite(r[i])) {
                throw new IllegalArgumentException(dir.resolve(RunFiles.THETA_NPY) + ": row " + t + " (θ_" + t + ") holds " + r[i] + " at parameter "
                        + i + " (" + model.layout().describe(i) + ")");
            }
        }
        return r;
    }
}
