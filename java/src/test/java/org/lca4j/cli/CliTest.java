package org.lca4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.lca4j.run.Json;
import org.lca4j.run.LayersCsv;
import org.lca4j.run.RunFiles;
import org.lca4j.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a user drives it: train with a trajectory, analyze it post hoc, bad options. */
class CliTest {
    @TempDir
    Path tmp;

    private record Result(int code, String out, String err) {
    }

    private static Result cli(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            int code = Main.execute(args);
            return new Result(code, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void analyzeRecomputesTheInTrainingExactLcaBitForBit() throws Exception {
        Path run = tmp.resolve("run");
        Result train = cli("train", "--data", "synthetic", "--model", "20,16,8,4", "--synthetic-size", "1000", "--batch", "50",
                "--steps", "25", "--save-trajectory", "--no-progress", "--out", run.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("conservation"), train.out());
        for (String f : new String[]{"model.json", "theta.npy", "ref_x.npy", "ref_y.npy"}) {
            assertTrue(Files.size(run.resolve(RunFiles.TRAJECTORY_DIR).resolve(f)) > 0, f);
        }
        Result analyze = cli("analyze", run.toString(), "--no-progress");
        assertEquals(0, analyze.code(), analyze.err());
        assertTrue(analyze.out().contains("bit-identical"), analyze.out());
        assertTrue(!analyze.out().contains("stopped early"), "theta.npy holds all 26 planned rows: " + analyze.out());
        // The analysis's data entry: the reference set it read, the split sizes the run recorded (not 0).
        JsonNode data = Json.read(run.resolve(RunFiles.ANALYSIS_DIR).resolve(RunFiles.RUN_JSON)).path("data");
        JsonNode trainedData = Json.read(run.resolve(RunFiles.RUN_JSON)).path("data");
        assertEquals("saved trajectory", data.path("source").asText());
        assertTrue(trainedData.path("train_rows").asInt() > 0);
        for (String k : new String[] {"train_rows", "validation_rows", "reference", "reference_rows"}) assertEquals(trainedData.path(k), data.path(k), k);
        Map<String, Double> trained = LayersCsv.read(run.resolve(RunFiles.LAYERS_CSV), Trainer.EXACT);
        Map<String, Double> posthoc = LayersCsv.read(run.resolve(RunFiles.ANALYSIS_DIR).resolve(RunFiles.LAYERS_CSV), Trainer.EXACT);
        assertEquals(25 * 6, trained.size());
        assertEquals(trained, posthoc);
        for (String layer : new String[] {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"}) {
            assertArrayEquals(Files.readAllBytes(RunFiles.cumulative(run, Trainer.EXACT, layer)),
                    Files.readAllBytes(RunFiles.cumulative(run.resolve(RunFiles.ANALYSIS_DIR), Trainer.EXACT, layer)), layer);
        }
    }

    @Test
    void analyzeNamesWhatTheRunDidDifferentlyWhenItsResultIsNotBitIdentical() throws Exception {
        Path run = tmp.resolve("blas");
        assertEquals(0, cli("train", "--data", "synthetic", "--model", "20,8,4", "--synthetic-size", "300", "--batch", "50", "--steps", "3",
                "--estimators", "exact", "--save-trajectory", "--no-progress", "--out", run.toString()).code());
        Result same = cli("analyze", run.toString(), "--no-progress", "--out", tmp.resolve("same").toString());
        assertTrue(same.out().contains("bit-identical") && !same.out().contains("rounded by"), same.out());
        // As if trained where OpenBLAS ran on one thread: run.json says so, and its last bits differ.
        Path runJson = run.resolve(RunFiles.RUN_JSON);
        Files.writeString(runJson, Files.readString(runJson).replaceFirst("\"blas\" : \"[^\"]*\"", "\"blas\" : \"OpenBLAS elsewhere, 1 thread\""));
        Path layers = run.resolve(RunFiles.LAYERS_CSV);
        List<String> rows = new java.util.ArrayList<>(Files.readAllLines(layers));
        String[] f = rows.get(1).split(",");
        f[3] = Double.toString(Math.nextUp(Double.parseDouble(f[3])));
        rows.set(1, String.join(",", f));
        Files.write(layers, rows);
        Result other = cli("analyze", run.toString(), "--no-progress", "--out", tmp.resolve("other").toString());
        assertEquals(0, other.code(), other.err());
        assertTrue(other.out().contains("rounded by OpenBLAS elsewhere, 1 thread, this analysis's by " + org.lca4j.nn.Gemm.implementation()), other.out());
        assertTrue(!other.out().contains("CUDA") && !other.out().contains(" loop"), "a CPU run with this CPU loop: only the BLAS is named: " + other.out());
        // As if trained on a GPU, or with the other CPU loop: both are named too.
        Files.writeString(runJson, Files.readString(runJson).replaceFirst("\"cpu_kernel\" : \"[^\"]*\"", "\"cpu_kernel\" : \"some other\"")
                .replaceFirst("\"lca_device\" : \"[^\"]*\"", "\"lca_device\" : \"cuda (an H100)\""));
        // run.json still says "gradients on the CPU": a --device cuda run without cuBLAS, whose
        // gradients (and so its trajectory) were the CPU's; only its per-layer sums were added on CUDA.
        Result cudaSums = cli("analyze", run.toString(), "--no-progress", "--out", tmp.resolve("cuda-sums").toString());
        assertEquals(0, cudaSums.code(), cudaSums.err());
        assertTrue(cudaSums.out().contains("the run added its LCA on CUDA (per-layer sums in another order; its gradients on the CPU)"), cudaSums.out());
        assertTrue(!cudaSums.out().contains("computed its gradients"), cudaSums.out());
        assertTrue(cudaSums.out().contains("per-layer sums were added by the some other loop, this analysis's by the "
                + org.lca4j.cpu.CpuLcaAccumulator.defaultKernelName() + " one"), cudaSums.out());
        Files.writeString(runJson, Files.readString(runJson).replaceFirst("\"gradients\" : \"[^\"]*\"", "\"gradients\" : \"gradients on the GPU (cuBLAS)\""));
        Result gpu = cli("analyze", run.toString(), "--no-progress", "--out", tmp.resolve("gpu").toString());
        assertEquals(0, gpu.code(), gpu.err());
        assertTrue(gpu.out().contains("the run computed its gradients and LCA on CUDA, this analysis on the CPU"), gpu.out());
    }

    @Test
    void badInputGivesOneLineErrorsNamingTheProblem() {
        Result opt = cli("train", "--optimizer", "rmsprop", "--data", "synthetic", "--no-progress", "--out", tmp.resolve("a").toString());
        assertNotEquals(0, opt.code());
        assertTrue(opt.err().contains("rmsprop") && opt.err().lines().count() == 1, opt.err());
        Result model = cli("train", "--model", "784,abc", "--data", "synthetic", "--no-progress", "--out", tmp.resolve("b").toString());
        assertTrue(model.err().contains("784,abc"), model.err());
        Result dir = cli("train", "--data", tmp.resolve("nowhere").toString(), "--no-progress", "--out", tmp.resolve("c").toString());
        assertTrue(dir.err().contains("nowhere"), dir.err());
        Result missing = cli("analyze", tmp.toString(), "--no-progress");
        assertNotEquals(0, missing.code());
        assertTrue(missing.err().contains("model.json"), missing.err());
    }

    @Test
    void anIoErrorKeepsWhatWasBeingWrittenAndWhere() {
        java.io.IOException disk = new java.io.IOException("No space left on device");
        assertEquals("cannot write step 3 to runs/x: No space left on device (the run's files end at step 2)",
                Main.oneLine(new java.io.UncheckedIOException("cannot write step 3 to runs/x: No space left on device (the run's files end at step 2)", disk)));
        assertEquals("No space left on device", Main.oneLine(new java.io.UncheckedIOException(disk)), "a bare wrapper gives way to its cause");
    }

    @Test
    void trainWithReportWritesTheStudyTableRunJsonAndOneFileReport() throws Exception {
        Path run = tmp.resolve("study");
        Result train = cli("train", "--data", "synthetic", "--model", "20,16,8,4", "--synthetic-size", "1000", "--batch", "50",
                "--steps", "20", "--report", "--no-progress", "--out", run.toString());
        assertEquals(0, train.code(), train.err());
        for (String e : new String[]{"first_order", "same_batch", "next_batch", "next_batch_end", "next_batch_trap", "next_batch_simpson", "free_trap", "debiased_trap"}) {
            assertTrue(train.out().lines().anyMatch(l -> l.startsWith(e + " ")), "terminal table lacks " + e + ":\n" + train.out());
        }
        assertTrue(train.out().contains("best at 0 extra evals/step: "), train.out());
        var summary = new ObjectMapper().readTree(run.resolve(RunFiles.RUN_JSON).toFile()).path("summary");
        assertEquals(org.lca4j.estimate.Estimator.values().length, summary.path("estimators").size());
        assertEquals(3, summary.path("best_by_cost").size());
        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.contains("<section id=\"cost\">") && html.contains("data:image/png;base64,"), "report with embedded figures");
    }

    @Test
    void deviceCudaWithoutAGpuIsOneLineAndWritesNothing() {
        org.junit.jupiter.api.Assumptions.assumeFalse(org.lca4j.cuda.CudaDevice.probe().available(), "a GPU is present");
        Path run = tmp.resolve("gpu");
        Result r = cli("train", "--device", "cuda", "--data", "synthetic", "--steps", "2", "--no-progress", "--out", run.toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("cuda") && r.err().lines().count() == 1, r.err());
        assertTrue(Files.notExists(run));
        Result auto = cli("train", "--data", "synthetic", "--model", "20,8,4", "--synthetic-size", "300", "--batch", "50", "--steps", "2",
                "--no-progress", "--out", tmp.resolve("auto").toString());
        assertEquals(0, auto.code(), auto.err());
        assertTrue(auto.out().lines().anyMatch(l -> l.startsWith("LCA device: cpu (no CUDA: ")), auto.out());
    }

    @Test
    void presetRefusesTheOptionsItFixes() {
        Result lr = cli("train", "--preset", "paper-mnist-fc", "--lr", "0.1", "--data", "synthetic", "--no-progress", "--out", tmp.resolve("p").toString());
        assertNotEquals(0, lr.code());
        assertTrue(lr.err().contains("--lr") && lr.err().contains("paper-mnist-fc") && lr.err().lines().count() == 1, lr.err());
        Result name = cli("train", "--preset", "paper-cifar", "--data", "synthetic", "--no-progress", "--out", tmp.resolve("q").toString());
        assertNotEquals(0, name.code());
        assertTrue(name.err().contains("paper-cifar"), name.err());
        Result dev = cli("train", "--device", "tpu", "--data", "synthetic", "--no-progress", "--out", tmp.resolve("s").toString());
        assertTrue(dev.err().contains("'tpu'") && dev.err().lines().count() == 1, dev.err());
        Result est = cli("train", "--estimators", "exact,median_batch", "--data", "synthetic", "--no-progress", "--out", tmp.resolve("r").toString());
        assertNotEquals(0, est.code());
        assertTrue(est.err().contains("median_batch") && est.err().lines().count() == 1, est.err());
        assertTrue(Files.notExists(tmp.resolve("p")) && Files.notExists(tmp.resolve("r")), "a refused run writes nothing");
    }

    @Test
    void aMistypedOrMisvaluedOptionIsOneLineWithWhereToLookNotTheUsage() {
        for (String[] args : new String[][] {{"train", "--bogus"}, {"train", "--stpes", "3"}, {"train", "--lr", "nan"}, {"analyze", "a", "b"}}) {
            Result r = cli(args);
            assertEquals(2, r.code(), String.join(" ", args));
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("lca " + args[0] + ": error: ") && r.err().contains("see lca " + args[0] + " --help"), r.err());
        }
        assertTrue(cli("train", "--stpes", "3").err().contains("did you mean --steps?"));
        Result top = cli("--bogus");
        assertEquals("lca: error: Unknown option: '--bogus'; see lca --help", top.err().strip());
        Result sub = cli("trian");
        assertTrue(sub.err().startsWith("lca: error: ") && sub.err().lines().count() == 1, sub.err());
    }

    @Test
    void valuesThatMeanNothingAreRefusedNotReadAsDefaults() {
        String[] base = {"train", "--data", "synthetic", "--model", "20,8,4", "--no-progress"};
        Map<String, String[]> cases = Map.of(
                "--steps must be positive", new String[] {"--steps", "0"},
                "--validation-size must be ≥ 0", new String[] {"--validation-size", "-2"},
                "--batch must be positive", new String[] {"--steps", "2", "--batch", "0"},
                "--steps must be positive, got -3", new String[] {"--steps", "-3"},
                "more than lca4j records", new String[] {"--steps", "99999999999"},
                "more values than one Java array holds", new String[] {"--steps", "2", "--synthetic-size", "200000000"},
                "--estimators cannot be combined with --preset", new String[] {"--preset", "paper-mnist-fc", "--estimators", "free_trap"},
                "--tol cannot be combined with --preset", new String[] {"--preset", "paper-mnist-fc", "--tol", "0.5"});
        cases.forEach((expected, extra) -> {
            Path out = tmp.resolve("v" + Math.abs(expected.hashCode()));
            // A preset fixes the model and batch, so those cases leave them out.
            String[] first = extra[0].equals("--preset") ? new String[] {"train", "--data", "synthetic", "--no-progress"} : base;
            String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(first), java.util.stream.Stream.concat(java.util.Arrays.stream(extra),
                    java.util.stream.Stream.of("--out", out.toString()))).toArray(String[]::new);
            Result r = cli(args);
            assertEquals(1, r.code(), expected + ": " + r.out() + r.err());
            assertTrue(r.err().contains(expected) && r.err().lines().count() == 1, expected + ": " + r.err());
            assertTrue(!r.out().contains("run directory") && Files.notExists(out), "no run directory is named or made before the options are found good");
        });
    }

    @Test
    void aDirectoryThatHoldsARunIsNeverWrittenOver() throws Exception {
        Path run = tmp.resolve("kept");
        String[] args = {"train", "--data", "synthetic", "--model", "20,8,4", "--synthetic-size", "300", "--batch", "50", "--steps", "3",
                "--estimators", "exact,free_trap", "--no-progress", "--out", run.toString()};
        assertEquals(0, cli(args).code());
        Map<Path, byte[]> before = new java.util.TreeMap<>();
        try (var files = Files.walk(run)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) before.put(f, Files.readAllBytes(f));
        }
        Result again = cli(args);
        assertEquals(1, again.code());
        assertTrue(again.err().contains(run.toString()) && again.err().contains("already holds files") && again.err().lines().count() == 1, again.err());
        try (var files = Files.walk(run)) {
            List<Path> now = files.filter(Files::isRegularFile).sorted().toList();
            assertEquals(List.copyOf(before.keySet()), now);
            for (Path f : now) assertTrue(java.util.Arrays.equals(before.get(f), Files.readAllBytes(f)), f + " changed");
        }
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        Result onFile = cli("train", "--data", "synthetic", "--model", "20,8,4", "--synthetic-size", "300", "--batch", "50", "--steps", "2",
                "--no-progress", "--out", file.toString());
        assertTrue(onFile.err().contains("not a directory"), onFile.err());
        assertEquals("x", Files.readString(file));
        // An empty directory is a new one.
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertEquals(0, cli("train", "--data", "synthetic", "--model", "20,8,4", "--synthetic-size", "300", "--batch", "50", "--steps", "2",
                "--estimators", "free_trap", "--no-progress", "--out", empty.toString()).code());
    }

    @Test
    void runningOutOfMemoryIsOneLine() {
        // 2^31 − 1 one-feature rows: an array the JVM refuses at once, whatever the heap, using no memory.
        Result r = cli("train", "--data", "synthetic", "--model", "1,8,4", "--synthetic-size", "2147483647", "--steps", "2", "--no-progress",
                "--out", tmp.resolve("oom").toString());
        assertEquals(1, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("lca train: error: out of memory") && r.err().contains("LCA_JAVA_OPTS"), r.err());
    }

    @Test
    void aCorruptThetaRowIsNamedByRowAndParameter() throws Exception {
        Path run = tmp.resolve("nan");
        assertEquals(0, cli("train", "--data", "synthetic", "--model", "20,8,4", "--synthetic-size", "300", "--batch", "50", "--steps", "6",
                "--estimators", "exact", "--save-trajectory", "--no-progress", "--out", run.toString()).code());
        Path theta = run.resolve(RunFiles.TRAJECTORY_DIR).resolve(RunFiles.THETA_NPY);
        org.lca4j.io.NpyArray a = org.lca4j.io.Npy.read(theta);
        long d = a.shape()[1];
        long at = Files.size(theta) - (a.shape()[0] - 4) * d * Float.BYTES + 23L * Float.BYTES; // row 4, parameter 23
        try (var ch = java.nio.channels.FileChannel.open(theta, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(0, Float.NaN), at);
        }
        Result r = cli("analyze", run.toString(), "--no-progress");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("theta.npy: row 4 (θ_4) holds NaN at parameter 23 (fc1.weight[1,3])") && r.err().lines().count() == 1, r.err());
    }

    @Test
    void helpListsTheDocumentedTrainOptions() {
        Result help = cli("train", "--help");
        for (String o : new String[]{"--model", "--data", "--optimizer", "--momentum", "--lr", "--batch", "--steps", "--epochs", "--seed",
                "--reference-size", "--tol", "--estimators", "--estimator-batches", "--report", "--preset", "--device", "--save-trajectory", "--out"}) {
            assertTrue(help.out().contains(o), "help lacks " + o);
        }
    }
}
