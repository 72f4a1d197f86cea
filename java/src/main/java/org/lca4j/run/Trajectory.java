package org.lca4j.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lca4j.data.LabeledSet;
import org.lca4j.io.Npy;
import org.lca4j.io.NpyArray;
import org.lca4j.nn.Mlp;
import org.lca4j.train.RunContext;

/**
 * A saved trajectory directory (model.json, theta.npy, ref_x.npy, ref_y.npy), checked for
 * consistency on load. A theta.npy cut short by a killed run is usable up to its last whole row.
 *
 * @param plannedRows the θ rows the run set out to write (model.json's {@code steps} + 1), or the
 *                    rows theta.npy's header counts when model.json does not say
 */
public record Trajectory(Path dir, Mlp model, NpyArray theta, LabeledSet reference, String referenceNote, long plannedRows) {

    /** Accepts a run directory or its trajectory/ subdirectory. */
    public static Trajectory load(Path path) throws IOException {
        Path dir = Files.isDirectory(path.resolve(RunFiles.TRAJECTORY_DIR)) ? path.resolve(RunFiles.TRAJECTORY_DIR) : path;
        Path modelFile = dir.resolve(RunFiles.MODEL_JSON);
        if (!Files.isRegularFile(modelFile)) {
            throw new IOException(path + " has no trajectory: expected " + modelFile + " (train with --save-trajectory)");
        }
        JsonNode model = Json.read(modelFile);
        JsonNode widthsNode = model.get("widths");
        if (widthsNode == null || !widthsNode.isArray()) throw new IOException(modelFile + ": missing \"widths\" array");
        if (model.has("activation") && !model.get("activation").asText().equals("relu")) {
            throw new IOException(modelFile + ": activation " + model.get("activation") + " is not supported (relu only)");
        }
        int[] widths = new int[widthsNode.size()];
        for (int i = 0; i < widths.length; i++) widths[i] = widthsNode.get(i).asInt();
        Mlp mlp;
        try {
            mlp = new Mlp(widths);
        } catch (IllegalArgumentException e) {
            throw new IOException(modelFile + ": " + e.getMessage());
        }
        Path thetaFile = dir.resolve(RunFiles.THETA_NPY);
        NpyArray theta = Npy.readRows(thetaFile);
        long d = mlp.layout().size();
        if (theta.shape().length != 2 || theta.shape()[1] != d) {
            throw new IOException(thetaFile + ": shape " + java.util.Arrays.toString(theta.shape()) + " does not match the model's " + d + " parameters (rows of length " + d + " expected)");
        }
        if (!theta.descr().equals("<f4")) throw new IOException(thetaFile + ": dtype " + theta.descr() + ", expected <f4");
        Path xFile = dir.resolve(RunFiles.REF_X_NPY);
        Path yFile = dir.resolve(RunFiles.REF_Y_NPY);
        NpyArray x = Npy.read(xFile);
        NpyArray y = Npy.read(yFile);
        if (x.shape().length != 2 || x.shape()[1] != widths[0]) {
            throw new IOException(xFile + ": shape " + java.util.Arrays.toString(x.shape()) + ", expected [rows, " + widths[0] + "]");
        }
        if (y.shape().length != 1 || y.shape()[0] != x.shape()[0]) {
            throw new IOException(yFile + ": shape " + java.util.Arrays.toString(y.shape()) + " does not match " + x.shape()[0] + " rows of " + xFile.getFileName());
        }
        int[] labels = y.asInts();
        int classes = widths[widths.length - 1];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) throw new IOException(yFile + ": label " + labels[i] + " at row " + i + " is outside [0," + classes + ")");
        }
        LabeledSet ref = LabeledSet.of(x.asFloats(), labels, widths[0], classes);
        String note = model.path("reference").path("note").asText("reference set saved with the trajectory");
        // theta.npy's header counts the rows written (NpyRowWriter), so only model.json knows the plan.
        long planned = model.path("steps").canConvertToLong() ? model.path("steps").asLong() + 1 : theta.declaredRows();
        return new Trajectory(dir, mlp, theta, ref, note, planned);
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
        // Not Map.of: its order changes from one JVM to the next, and so would the file's bytes.
        Map<String, Object> reference = new LinkedHashMap<>();
        reference.put("note", c.referenceNote());
        reference.put("rows", c.reference().n());
        reference.put("x", RunFiles.REF_X_NPY);
        reference.put("y", RunFiles.REF_Y_NPY);
        model.put("reference", reference);
        return model;
    }

    /** Complete θ rows present (T+1 for a finished run of T steps). */
    public long rows() {
        return theta.rows();
    }

    /** θ_t; a NaN or infinite value is refused with its row and parameter (a corrupt file, or a run saved as it diverged). */
    public float[] row(long t) {
        float[] r = theta.floatRow(t);
        for (int i = 0; i < r.length; i++) {
            if (!Float.isFinite(r[i])) {
                throw new IllegalArgumentException(dir.resolve(RunFiles.THETA_NPY) + ": row " + t + " (θ_" + t + ") holds " + r[i] + " at parameter "
                        + i + " (" + model.layout().describe(i) + ")");
            }
        }
        return r;
    }
}
