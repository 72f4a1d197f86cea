package org.lca4j.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.io.Npy;
import org.lca4j.nn.GradientCheckTest;

/**
 * A trajectory written by another tool from the README's description alone ("Writing a trajectory"),
 * and the mistakes such a writer plausibly makes: each is one line naming the file and what is wrong.
 */
class ForeignTrajectoryTest {
    /** Input, hidden and output widths: no layer is square, so [in, out] shapes differ from [out, in]. */
    static final int[] WIDTHS = {5, 4, 3};
    static final int D = 4 * 5 + 4 + 3 * 4 + 3;
    static final int ROWS = 40;
    static final int STEPS = 3;

    @TempDir
    Path tmp;

    /** What a numpy writer puts in the four files, before it saves them. */
    static final class Files4 {
        Map<String, Object> model = new LinkedHashMap<>();
        float[][] theta = new float[STEPS + 1][D];
        float[] x = new float[ROWS * WIDTHS[0]];
        int[] y = new int[ROWS];

        Files4() {
            Random r = new Random(3);
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            for (int i = 0; i < ROWS; i++) y[i] = r.nextInt(WIDTHS[2]);
            for (int i = 0; i < D; i++) theta[0][i] = (float) (0.7 * r.nextGaussian());
            for (int t = 1; t <= STEPS; t++) {
                for (int i = 0; i < D; i++) theta[t][i] = theta[t - 1][i] + (float) (0.01 * r.nextGaussian());
            }
            model.put("widths", WIDTHS);
            model.put("activation", "relu");
            model.put("loss", "cross_entropy");
            List<Map<String, Object>> layers = new ArrayList<>();
            for (int l = 0; l + 1 < WIDTHS.length; l++) {
                layers.add(Map.of("name", "fc" + (l + 1) + ".weight", "shape", new int[] {WIDTHS[l + 1], WIDTHS[l]}));
                layers.add(Map.of("name", "fc" + (l + 1) + ".bias", "shape", new int[] {WIDTHS[l + 1]}));
            }
            model.put("layers", layers);
            model.put("initial_loss", loss(theta[0]));
        }

        /** L_R(θ) as the README states the network, from the layout GradientCheckTest checks Mlp against. */
        double loss(float[] th) {
            double[] t = new double[th.length];
            for (int i = 0; i < th.length; i++) t[i] = th[i];
            return GradientCheckTest.referenceLoss(WIDTHS, t, x, y, ROWS);
        }

        Path save(Path dir) throws IOException {
            Files.createDirectories(dir);
            Json.write(dir.resolve(RunFiles.MODEL_JSON), model);
            float[] flat = new float[theta.length * D];
            for (int t = 0; t < theta.length; t++) System.arraycopy(theta[t], 0, flat, t * D, D);
            Npy.write(dir.resolve(RunFiles.THETA_NPY), flat, theta.length, D);
            Npy.write(dir.resolve(RunFiles.REF_X_NPY), x, ROWS, WIDTHS[0]);
            Npy.write(dir.resolve(RunFiles.REF_Y_NPY), y, ROWS);
            return dir;
        }
    }

    private Path written(String name, Consumer<Files4> change) throws IOException {
        Files4 f = new Files4();
        change.accept(f);
        return f.save(tmp.resolve(name));
    }

    /** The refusal's message, which must be one line that names {@code file} and contains every one of {@code says}. */
    private String refused(Path dir, String file, String... says) {
        IOException e = assertThrows(IOException.class, () -> Trajectory.load(dir));
        String m = e.getMessage();
        assertTrue(m.contains(dir.resolve(file).toString()) || m.contains(dir + " has no " + file), m);
        for (String s : says) assertTrue(m.contains(s), "'" + s + "' in: " + m);
        assertEquals(1, m.lines().count(), m);
        return m;
    }

    @Test
    void aTrajectoryWrittenAsTheReadmeSaysLoadsAndItsStatedLossMatches() throws IOException {
        Files4 f = new Files4();
        Trajectory tr = Trajectory.load(f.save(tmp.resolve("ok")));
        assertEquals(STEPS + 1, tr.rows());
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), tr.model().layout().names());
        // int64 labels, as numpy's default integer, are read too.
        Path i8 = written("int64", g -> { });
        long[] wide = new long[ROWS];
        for (int i = 0; i < ROWS; i++) wide[i] = f.y[i];
        Npy.write(i8.resolve(RunFiles.REF_Y_NPY), wide, ROWS);
        assertEquals(ROWS, Trajectory.load(i8).reference().n());
    }

    @Test
    void analyzeConservesOnItAndItsRunJsonClaimsNoTrainingSettings() throws IOException {
        Files4 f = new Files4();
        Path dir = f.save(tmp.resolve("analyzed"));
        assertEquals(0, org.lca4j.cli.Main.execute("analyze", dir.toString(), "--no-progress", "--tol", "1e-6"));
        com.fasterxml.jackson.databind.JsonNode run = Json.read(dir.resolve(RunFiles.ANALYSIS_DIR).resolve(RunFiles.RUN_JSON));
        com.fasterxml.jackson.databind.JsonNode c = run.path("summary").path("conservation");
        assertEquals(f.loss(f.theta[0]), c.path("initial_loss").asDouble(), 1e-6);
        assertEquals(f.loss(f.theta[STEPS]), c.path("final_loss").asDouble(), 1e-6);
        assertTrue(Math.abs(c.path("total_lca").asDouble() - c.path("total_loss_change").asDouble()) <= c.path("sum_abs_error").asDouble() + 1e-12, c.toString());
        assertTrue(c.path("rel_error").asDouble() < 1e-3, c.toString());
        // A trajectory holds no optimizer, learning rate, batch or seed: the analysis must not invent TrainConfig's defaults.
        com.fasterxml.jackson.databind.JsonNode config = run.path("config");
        for (String absent : List.of("optimizer", "lr", "momentum", "batch", "seed", "save_trajectory")) assertTrue(config.path(absent).isMissingNode(), config.toString());
        assertEquals("cpu", config.path("device").asText(), "replay runs on the CPU");
        assertEquals(1e-6, config.path("tol").asDouble());
        assertEquals(STEPS, config.path("steps").asInt(), "T steps from T+1 θ rows");
        // No run.json beside the trajectory: the training split's sizes are unknown, so left out (not 0).
        com.fasterxml.jackson.databind.JsonNode data = run.path("data");
        assertTrue(data.path("train_rows").isMissingNode() && data.path("validation_rows").isMissingNode(), data.toString());
        assertEquals(ROWS, data.path("reference_rows").asInt());
        // A trajectory has no batch losses: steps.csv's batch_loss cells are empty, not "NaN".
        List<String> steps = Files.readAllLines(dir.resolve(RunFiles.ANALYSIS_DIR).resolve(RunFiles.STEPS_CSV));
        assertEquals("batch_loss", steps.getFirst().split(",")[1]);
        assertEquals(STEPS + 1, steps.size());
        for (String row : steps.subList(1, steps.size())) assertEquals("", row.split(",", -1)[1], row);
    }

    @Test
    void weightsWrittenInOutOrLayersInAnotherOrderAreRefusedByTheirShapes() throws IOException {
        // numpy's x @ W convention: W [in, out], flattened as it stands, and model.json saying so.
        Path inOut = written("in-out", f -> {
            @SuppressWarnings("unchecked") List<Map<String, Object>> l = (List<Map<String, Object>>) f.model.get("layers");
            l.set(0, Map.of("name", "fc1.weight", "shape", new int[] {5, 4}));
        });
        refused(inOut, RunFiles.MODEL_JSON, "layers[0] (fc1.weight) has shape [5, 4]", "fc1.weight with shape [4, 5]", "[out, in]", "row-major");
        // All weights first, then all biases.
        Path order = written("order", f -> {
            @SuppressWarnings("unchecked") List<Map<String, Object>> l = (List<Map<String, Object>>) f.model.get("layers");
            f.model.put("layers", List.of(l.get(0), l.get(2), l.get(1), l.get(3)));
        });
        refused(order, RunFiles.MODEL_JSON, "layers[1] (fc2.weight) has shape [3, 4]", "fc1.bias with shape [4]");
        Path count = written("count", f -> f.model.put("layers", List.of(Map.of("name", "w", "shape", new int[] {4, 5}))));
        refused(count, RunFiles.MODEL_JSON, "lists 1 entries", "give 4");
    }

    @Test
    void aLayoutTheShapesCannotShowIsCaughtByTheStatedInitialLoss() throws IOException {
        // fc1.weight flattened column-major (W.ravel(order='F')): same shapes, same sizes, another network.
        Path colMajor = written("col-major", f -> {
            for (float[] row : f.theta) {
                float[] w = java.util.Arrays.copyOf(row, 20);
                for (int j = 0; j < 4; j++) for (int k = 0; k < 5; k++) row[k * 4 + j] = w[j * 5 + k];
            }
        });
        refused(colMajor, RunFiles.MODEL_JSON, "initial_loss", "lca4j computes L_R(θ_0) =", "row-major");
        refused(written("not-a-number", f -> f.model.put("initial_loss", "1.2")), RunFiles.MODEL_JSON, "\"initial_loss\" must be a number");
    }

    @Test
    void eachFileWrittenWronglyIsNamedWithWhatIsWrong() throws IOException {
        Path f8 = written("f8", f -> { });
        Npy.write(f8.resolve(RunFiles.THETA_NPY), new double[(STEPS + 1) * D], STEPS + 1, D);
        refused(f8, RunFiles.THETA_NPY, "dtype <f8, expected <f4", "float32");

        Path oneD = written("1d", f -> { });
        Npy.write(oneD.resolve(RunFiles.THETA_NPY), new float[D], D);
        refused(oneD, RunFiles.THETA_NPY, "shape [" + D + "] is not 2-D", "expected [T+1, " + D + "]");

        Path oneRow = written("one-row", f -> f.theta = new float[][] {f.theta[0]});
        refused(oneRow, RunFiles.THETA_NPY, "1 row", "at least θ_1");

        refused(written("widths", f -> {
            f.model.put("widths", new int[] {5, 3, 3});
            f.model.remove("layers");
        }), RunFiles.THETA_NPY,
                "rows of " + D + " values, but widths [5, 3, 3] have 30 parameters");

        Path x8 = written("x8", f -> { });
        Npy.write(x8.resolve(RunFiles.REF_X_NPY), new double[ROWS * WIDTHS[0]], ROWS, WIDTHS[0]);
        refused(x8, RunFiles.REF_X_NPY, "dtype <f8, expected <f4");

        refused(written("x-nan", f -> f.x[2 * WIDTHS[0] + 3] = Float.NaN), RunFiles.REF_X_NPY, "row 2, column 3 holds NaN");

        Path yf = written("y-float", f -> { });
        Npy.write(yf.resolve(RunFiles.REF_Y_NPY), new float[ROWS], ROWS);
        refused(yf, RunFiles.REF_Y_NPY, "dtype <f4, expected <i4", "class indices");

        refused(written("y-range", f -> f.y[7] = 3), RunFiles.REF_Y_NPY, "label 3 at row 7 is outside [0,3)");

        Path noY = written("no-y", f -> { });
        Files.delete(noY.resolve(RunFiles.REF_Y_NPY));
        refused(noY, RunFiles.REF_Y_NPY, "int32 [rows]");
    }

    @Test
    void aThetaFileCutShortIsUsableUpToItsLastWholeRow() throws IOException {
        // A writer that states its planned rows up front (6), killed after 4 rows and half of the fifth.
        Files4 f = new Files4();
        f.theta = java.util.Arrays.copyOf(f.theta, 6);
        for (int t = STEPS + 1; t < 6; t++) f.theta[t] = f.theta[STEPS].clone();
        Path dir = f.save(tmp.resolve("cut"));
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve(RunFiles.THETA_NPY), java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - (long) D * Float.BYTES * 3 / 2);
        }
        Trajectory tr = Trajectory.load(dir);
        assertEquals(4, tr.rows(), "the whole rows present");
        assertEquals(6, tr.plannedRows(), "model.json gives no steps: the header's count");
        org.junit.jupiter.api.Assertions.assertArrayEquals(f.theta[3], tr.row(3));
    }

    @Test
    void nonFiniteValuesAreRefusedWhereTheyAreRead() throws IOException {
        refused(written("x-inf", f -> f.x[3] = Float.POSITIVE_INFINITY), RunFiles.REF_X_NPY, "row 0, column 3 holds Infinity");
        // θ rows are read as they are asked for: an infinite value is refused there, named by step and parameter.
        Trajectory tr = Trajectory.load(written("theta-inf", f -> f.theta[2][5] = Float.NEGATIVE_INFINITY));
        assertEquals(D, tr.row(1).length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tr.row(2));
        assertTrue(e.getMessage().contains("row 2 (θ_2) holds -Infinity at parameter 5 (" + tr.model().layout().describe(5) + ")"), e.getMessage());
        // A finite θ_0 whose forward pass overflows float32 gives no loss to match the stated one.
        refused(written("overflow", f -> java.util.Arrays.fill(f.theta[0], 1e30f)), RunFiles.MODEL_JSON, "initial_loss", "L_R(θ_0) = NaN");
    }

    @Test
    void modelJsonKeysThatWouldBeReadAsSomethingElseAreRefused() throws IOException {
        refused(written("loss", f -> f.model.put("loss", "mse")), RunFiles.MODEL_JSON, "loss \"mse\" is not supported", "softmax_cross_entropy_mean");
        refused(written("fraction", f -> f.model.put("widths", new double[] {5.5, 4, 3})), RunFiles.MODEL_JSON, "whole numbers");
        refused(written("text", f -> f.model.put("widths", new String[] {"5", "4", "3"})), RunFiles.MODEL_JSON, "whole numbers");
        refused(written("no-widths", f -> f.model.remove("widths")), RunFiles.MODEL_JSON, "missing \"widths\"");
    }
}
