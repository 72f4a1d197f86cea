package org.lca4j.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.lca4j.io.Npy;
import org.lca4j.io.NpyArray;
import org.lca4j.train.RunListener;
import org.lca4j.train.StepEvent;
import org.lca4j.train.TrainConfig;
import org.lca4j.train.Trainer;

/** The disk fills up under a running training: one clear error, and every record before it intact and readable. */
class FullDiskTest {
    private static final int STEPS = 40;
    private static final int BLOCK = 256;

    private static TrainConfig config(Path out) {
        return TrainConfig.builder().model("20,16,8,4").data("synthetic").syntheticSize(1200).batch(50).steps(STEPS).seed(3)
                .estimators(List.of("exact", "free_trap", "next_batch")).saveTrajectory(true).out(out).build();
    }

    private static FileSystem disk(long bytes) {
        return Jimfs.newFileSystem(Configuration.unix().toBuilder().setBlockSize(BLOCK).setMaxSize(bytes).build());
    }

    private static long used(FileSystem fs) throws IOException {
        FileStore store = fs.getFileStores().iterator().next();
        return store.getTotalSpace() - store.getUnallocatedSpace();
    }

    @Test
    void aFullDiskStopsTheRunWithOneLineAndKeepsWholeRecords() throws Exception {
        // The space in use after each step, on a disk with room to spare.
        long[] usedAfter = new long[STEPS];
        try (FileSystem roomy = disk(64L << 20)) {
            Path out = roomy.getPath("/runs/ok");
            RunListener probe = new RunListener() {
                @Override
                public void stepDone(StepEvent e) {
                    try {
                        usedAfter[(int) e.step()] = used(roomy);
                    } catch (IOException ex) {
                        throw new java.io.UncheckedIOException(ex);
                    }
                }
            };
            Trainer.run(config(out), RunListener.all(List.of(new RunRecorder(out, Map.of()), probe)));
        }
        assertTrue(usedAfter[STEPS - 1] > usedAfter[0], "the records should grow step by step");
        // Disks that fill at every block of a few steps' writes (cumulative files, rows, samples).
        int runs = 0;
        for (long size = usedAfter[2]; size <= usedAfter[4]; size += BLOCK, runs++) {
            try (FileSystem small = disk(size)) {
                Path out = small.getPath("/runs/full");
                RuntimeException e = assertThrows(RuntimeException.class, () -> Trainer.run(config(out), new RunRecorder(out, Map.of())),
                        "a disk of " + size + " bytes");
                String message = e.getMessage();
                assertEquals(1, message.lines().count(), message);
                assertTrue(message.contains("/runs/full") && message.contains("out of disk space"), message);
                assertWholeSteps(out, size);
            }
        }
        assertTrue(runs > 20, "only " + runs + " disk sizes tried");
    }

    /** run.json says how the run ended, and every file holds exactly its recorded steps, whole. */
    private static void assertWholeSteps(Path out, long size) throws IOException {
        String where = "(disk of " + size + " bytes)";
        JsonNode run = Json.read(out.resolve(RunFiles.RUN_JSON));
        assertEquals("failed", run.get("status").asText(), "run.json must say the run failed " + where);
        assertTrue(run.get("error").asText().contains("out of disk space"), run.toString());
        long recorded = run.get("steps_recorded").asLong();
        assertTrue(recorded >= 1 && recorded < STEPS, "the disk should fill mid-run, recorded " + recorded + " " + where);

        List<String> steps = Files.readAllLines(out.resolve(RunFiles.STEPS_CSV));
        assertEquals(recorded + 1, steps.size(), "header plus one row per recorded step " + where);
        int fields = steps.get(0).split(",", -1).length;
        for (String row : steps) assertEquals(fields, row.split(",", -1).length, row);
        assertTrue(Files.readString(out.resolve(RunFiles.STEPS_CSV)).endsWith("\n"));
        List<String> layers = Files.readAllLines(out.resolve(RunFiles.LAYERS_CSV));
        assertEquals(recorded * 3 * 6 + 1, layers.size(), "three estimators × six layers per recorded step " + where);
        for (String row : layers) assertEquals(5, row.split(",", -1).length, row);
        assertEquals(String.valueOf(recorded - 1), layers.getLast().split(",")[0]);
        assertEquals(recorded * 6, LayersCsv.read(out.resolve(RunFiles.LAYERS_CSV), Trainer.EXACT).size());

        // Every .npy is whole; the sample series hold the recorded steps; no temporary file or reserve is left.
        try (Stream<Path> files = Files.walk(out)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                String name = p.getFileName().toString();
                assertTrue(!name.endsWith(".tmp") && !name.equals(RunFiles.RESERVE), "left behind: " + p + " " + where);
                if (!name.endsWith(".npy")) continue;
                NpyArray a = Npy.read(p);
                if (p.getParent().getFileName().toString().equals(RunFiles.SAMPLES_DIR) && !name.equals(RunFiles.SAMPLE_INDICES_NPY)) {
                    assertEquals(recorded, a.shape()[0], p + " " + where);
                }
                if (name.equals(RunFiles.THETA_NPY)) assertEquals(recorded + 1, a.shape()[0], "θ_0 and one row per recorded step " + where);
            }
        }
        // The cumulative files hold the steps their count says, a whole snapshot: exact's per-parameter sums add
        // up to its per-layer LCA of those steps in layers.csv.
        long held = Json.read(out.resolve(RunFiles.CUMULATIVE_DIR).resolve(RunFiles.CUMULATIVE_STEPS)).get("steps").asLong();
        assertTrue(held >= 1 && held <= recorded, held + " of " + recorded + " " + where);
        assertEquals(held, run.get("cumulative_steps").asLong(), where);
        Map<String, Double> exactRows = LayersCsv.read(out.resolve(RunFiles.LAYERS_CSV), Trainer.EXACT);
        double sum = 0;
        for (long t = 0; t < held; t++) sum += exactRows.get(t + "/fc3.bias");
        double[] cum = Npy.read(RunFiles.cumulative(out, Trainer.EXACT, "fc3.bias")).asDoubles();
        double fromFile = 0;
        for (double v : cum) fromFile += v;
        assertEquals(sum, fromFile, 1e-12 * Math.max(1, Math.abs(sum)), "cumulative fc3.bias after " + held + " steps " + where);
    }

    @Test
    void aReportThatDoesNotFitNamesItsFileAndLeavesNoHalfPage() throws Exception {
        try (FileSystem fs = disk(16L << 20)) {
            Path out = fs.getPath("/runs/done");
            Trainer.run(config(out).toBuilder().steps(5).build(), new RunRecorder(out, Map.of()));
            fill(fs.getPath("/filler"));
            IOException e = assertThrows(IOException.class, () -> org.lca4j.report.ReportWriter.write(out));
            assertTrue(e.getMessage().contains("/runs/done/" + RunFiles.REPORT_HTML) && e.getMessage().contains("out of disk space"), e.getMessage());
            try (Stream<Path> files = Files.list(out)) {
                assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.contains("report")).toList());
            }
        }
    }

    /** Writes zeros until the disk refuses. */
    private static void fill(Path p) throws IOException {
        byte[] block = new byte[BLOCK];
        try (var out = Files.newOutputStream(p)) {
            while (true) out.write(block);
        } catch (IOException full) {
            assertTrue(full.getMessage().contains("out of disk space"), full.getMessage());
        }
    }

    @Test
    void aDiskTooFullToStartSaysSoAndLeavesNoRun() throws Exception {
        try (FileSystem tiny = disk(1024)) {
            Path out = tiny.getPath("/runs/none");
            RuntimeException e = assertThrows(RuntimeException.class, () -> Trainer.run(config(out), RunListener.all(List.of(new RunRecorder(out, Map.of())))));
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertTrue(e.getMessage().contains("/runs/none") && e.getMessage().contains("out of disk space"), e.getMessage());
        }
    }
}
