package org.lca4j.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.train.RunContext;
import org.lca4j.train.RunListener;
import org.lca4j.train.TrainConfig;
import org.lca4j.train.Trainer;

/** The size a run's records will reach, told before the first step, against what the run then wrote. */
class RecordSizesTest {
    @TempDir
    Path tmp;

    private static long sizeOf(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals(RunFiles.RUN_JSON))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private RunContext run(Path out, TrainConfig cfg) throws Exception {
        AtomicReference<RunContext> context = new AtomicReference<>();
        RunListener capture = new RunListener() {
            @Override
            public void started(RunContext c) {
                context.set(c);
            }
        };
        Trainer.run(cfg, RunListener.all(List.of(new RunRecorder(out, Map.of()), capture)));
        return context.get();
    }

    @Test
    void theEstimateCoversWhatTheRunWroteWithoutOverstatingIt() throws Exception {
        for (boolean trajectory : new boolean[] {true, false}) {
            Path out = tmp.resolve("run-" + trajectory);
            RunContext c = run(out, TrainConfig.builder().model("64,32,10").data("synthetic").syntheticSize(600).batch(50).steps(20)
                    .estimators(List.of("all")).validationLca(true).saveTrajectory(trajectory).device("cpu").out(out).build());
            long estimate = RecordSizes.estimate(c), written = sizeOf(out);
            // At least what was written (the transient staged snapshot makes it more), at most a few times that.
            assertTrue(estimate >= written && estimate <= 3 * written, "estimate " + estimate + " for " + written + " bytes written, trajectory " + trajectory);
        }
    }

    @Test
    void theSampleSeriesAreCountedAsWrittenAlsoUnderValidationLca() throws Exception {
        // samples/ holds exact and each approximate estimator, not exact_val: the estimate's share for
        // them is exactly their data bytes.
        Path out = tmp.resolve("samples");
        RunContext c = run(out, TrainConfig.builder().model("64,32,10").data("synthetic").syntheticSize(600).batch(50).steps(20)
                .estimators(List.of("all")).validationLca(true).device("cpu").out(out).build());
        RunContext none = new RunContext(c.config(), c.layout(), c.widths(), c.dataSource(), c.trainRows(), c.validationRows(), c.reference(),
                c.referenceNote(), c.accumulators(), c.totalSteps(), c.theta0(), c.optimizer(), null);
        long data = 0;
        try (Stream<Path> s = Files.list(out.resolve(RunFiles.SAMPLES_DIR))) {
            for (Path p : s.filter(p -> !p.getFileName().toString().equals(RunFiles.SAMPLE_INDICES_NPY)).toList()) {
                long[] shape = org.lca4j.io.Npy.read(p).shape();
                data += shape[0] * shape[1] * Double.BYTES;
            }
        }
        assertTrue(data > 0);
        assertEquals(data, RecordSizes.estimate(c) - RecordSizes.estimate(none));
    }

    @Test
    void theTrajectoryIsCountedAsWritten() throws Exception {
        // trajectory/: theta.npy's T+1 rows of float32 θ and the reference set (float32 x, int32 y): their data bytes exactly.
        Path out = tmp.resolve("trajectory");
        RunContext c = run(out, TrainConfig.builder().model("64,32,10").data("synthetic").syntheticSize(600).batch(50).steps(7).referenceSize(200)
                .estimators(List.of("exact")).saveTrajectory(true).device("cpu").out(out).build());
        RunContext none = new RunContext(c.config().toBuilder().saveTrajectory(false).build(), c.layout(), c.widths(), c.dataSource(), c.trainRows(),
                c.validationRows(), c.reference(), c.referenceNote(), c.accumulators(), c.totalSteps(), c.theta0(), c.optimizer(), c.sampleIndices());
        long data = 0;
        for (String f : List.of(RunFiles.THETA_NPY, RunFiles.REF_X_NPY, RunFiles.REF_Y_NPY)) {
            org.lca4j.io.NpyArray a = org.lca4j.io.Npy.read(out.resolve(RunFiles.TRAJECTORY_DIR).resolve(f));
            data += a.size() * 4;
        }
        assertEquals(8L * c.layout().size() * 4 + 200L * (64 + 1) * 4, data, "θ_0 … θ_7 and 200 rows of 64 inputs and a label");
        assertEquals(data, RecordSizes.estimate(c) - RecordSizes.estimate(none));
    }

    @Test
    void aRunThatCannotFitIsNamedWithBothSizesAndOneThatFitsIsNot() throws Exception {
        Path out = tmp.resolve("small");
        RunContext c = run(out, TrainConfig.builder().model("64,32,10").data("synthetic").syntheticSize(600).batch(50).steps(5)
                .estimators(List.of("free_trap")).saveTrajectory(true).device("cpu").out(out).build());
        long need = RecordSizes.estimate(c);
        assertTrue(RecordSizes.shortfall(c, out, need).isEmpty());
        String w = RecordSizes.shortfall(c, out, need - 1).orElseThrow();
        assertTrue(w.startsWith("warning: this run's records will take about " + RecordSizes.bytes(need)) && w.contains(out.toAbsolutePath().toString())
                && w.contains("keeping every whole step written") && w.contains("trajectory/theta.npy alone: " + RecordSizes.bytes(6L * c.layout().size() * 4)), w);
    }

    @Test
    void sizesReadAsAPersonWouldSayThem() {
        assertEquals("1000 B", RecordSizes.bytes(1000));
        assertEquals("1023 B", RecordSizes.bytes(1023));
        assertEquals("1.0 KiB", RecordSizes.bytes(1024));
        assertEquals("1.0 MiB", RecordSizes.bytes(1 << 20));
        assertEquals("1.5 KiB", RecordSizes.bytes(1536));
        assertEquals("40.2 GiB", RecordSizes.bytes((long) (40.2 * (1L << 30))));
    }
}
