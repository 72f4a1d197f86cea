package org.lca4j.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.train.TrainConfig;
import org.lca4j.train.Trainer;

/** The trajectory directory training writes for {@code lca analyze}. */
class TrajectoryTest {
    @TempDir
    Path tmp;

    @Test
    void modelJsonIsWrittenInOneOrderSoTheSameRunGivesTheSameBytes() throws Exception {
        Path out = tmp.resolve("run");
        TrainConfig cfg = TrainConfig.builder().model("20,16,4").data("synthetic").syntheticSize(600).batch(50).steps(3).seed(5)
                .estimators(List.of("exact")).saveTrajectory(true).out(out).build();
        Trainer.run(cfg, new RunRecorder(out, Map.of()));
        JsonNode reference = Json.read(out.resolve(RunFiles.TRAJECTORY_DIR).resolve(RunFiles.MODEL_JSON)).path("reference");
        List<String> keys = new ArrayList<>();
        reference.fieldNames().forEachRemaining(keys::add);
        // Map.of iterates in an order drawn afresh by every JVM, so each run wrote these keys differently.
        assertEquals(List.of("note", "rows", "x", "y"), keys);
        assertEquals(3 + 1, Trajectory.load(out).rows(), "θ_0 … θ_3");
        assertEquals(3 + 1, Trajectory.load(out).plannedRows());
    }

    /** A 3-step run of an 8,4 network with its trajectory, in tmp/name. */
    private Path threeSteps(String name) throws Exception {
        Path out = tmp.resolve(name);
        Trainer.run(TrainConfig.builder().model("8,4").data("synthetic").syntheticSize(200).batch(50).steps(3)
                .estimators(List.of("exact")).saveTrajectory(true).out(out).build(), new RunRecorder(out, Map.of()));
        return out;
    }

    @Test
    void thePlannedRowsComeFromModelJsonAsTheHeaderCountsOnlyTheRowsWritten() throws Exception {
        Path out = threeSteps("cut");
        Path model = out.resolve(RunFiles.TRAJECTORY_DIR).resolve(RunFiles.MODEL_JSON);
        String text = java.nio.file.Files.readString(model);
        // As a run of 10 steps killed after its third leaves it.
        String planned10 = text.replaceFirst("\"steps\" ?: ?3", "\"steps\": 10");
        java.nio.file.Files.writeString(model, planned10);
        Trajectory cut = Trajectory.load(out);
        assertEquals(4, cut.rows());
        assertEquals(11, cut.plannedRows());
        // A model.json from another tool that does not say: the header's count stands.
        java.nio.file.Files.writeString(model, planned10.replaceFirst("\"steps\": 10,", ""));
        assertEquals(4, Trajectory.load(out).plannedRows());
    }

    @Test
    void aThetaFileLargerThanAWholeReadCanHoldIsReadRowByRow() throws Exception {
        // A long run's theta.npy (11,000 steps of MNIST-FC: 3.7 GB) was loaded whole, which stops at 2 GiB
        // and needs a heap as large. Here a 3-step run's file is made to count 40 million rows of 8,4's 36
        // parameters (5.8 GB, sparse on disk): it loads, and a row far past 2 GiB reads as written (zeros).
        Path out = threeSteps("long");
        Path theta = out.resolve(RunFiles.TRAJECTORY_DIR).resolve(RunFiles.THETA_NPY);
        float[] row1 = Trajectory.load(out).row(1);
        long rows = 40_000_000L;
        byte[] file = java.nio.file.Files.readAllBytes(theta);
        int length = 10 + (file[8] & 0xff | (file[9] & 0xff) << 8);
        String old = new String(file, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1), shape = "(" + rows + ", 36)";
        // The same header with the new row count, shorter by as much padding: the data stays where it is.
        String grown = old.replace("(4, 36)", shape).replaceFirst(" {" + (shape.length() - "(4, 36)".length()) + "}\n$", "\n");
        assertEquals(length, grown.length());
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(theta, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(grown.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)), 0);
            ch.write(java.nio.ByteBuffer.allocate(1), length + rows * 36 * 4 - 1); // the last byte: the rest is a hole
        }
        Trajectory big = Trajectory.load(out);
        assertEquals(rows, big.rows());
        org.junit.jupiter.api.Assertions.assertArrayEquals(row1, big.row(1));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[36], big.row(rows - 1));
    }
}
