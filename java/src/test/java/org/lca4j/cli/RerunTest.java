package org.lca4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.run.RunFiles;

/**
 * The same command in two fresh JVMs writes the same records, byte for byte apart from timings and
 * the process: one JVM sees one processor (every pass on the calling thread), the other two with a
 * common pool of three threads (the LCA sums and the estimators' pass spread over the cores, as the
 * model is past their 2^18-parameter threshold). Only separate JVMs show what changes from one JVM
 * start to the next, such as the iteration order of Map.of.
 */
class RerunTest {
    /** run.json entries that are the run's timings, process and machine, not its numbers. */
    private static final Set<String> NOT_NUMBERS = Set.of("started", "finished", "process", "environment", "seconds",
            "training_ms_per_step", "exact_ms_per_step", "exact_relative_time", "time_per_step_ms", "relative_time");

    @TempDir
    Path tmp;

    private Path train(String name, String... jvmOptions) throws Exception {
        Path out = tmp.resolve(name);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "train", "--data", "synthetic",
                "--synthetic-size", "400", "--model", "784,330,10", "--batch", "50", "--steps", "3", "--estimators", "all",
                "--validation-lca", "--save-trajectory", "--device", "cpu", "--no-progress", "--out", out.toString()));
        Path log = tmp.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the run did not end in 3 minutes");
        assertEquals(0, p.exitValue(), Files.readString(log));
        return out;
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(dir::relativize).sorted().toList();
        }
    }

    private static JsonNode numbers(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.remove(NOT_NUMBERS);
            o.forEach(RerunTest::numbers);
        } else {
            node.forEach(RerunTest::numbers);
        }
        return node;
    }

    private static List<String> withoutStepMs(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        if (!lines.getFirst().endsWith(",step_ms")) return lines;
        return lines.stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    @Test
    void theSameCommandInAnotherJvmWithOtherThreadCountsWritesTheSameRecords() throws Exception {
        Path one = train("one", "-XX:ActiveProcessorCount=1");
        Path two = train("two", "-XX:ActiveProcessorCount=2", "-Djava.util.concurrent.ForkJoinPool.common.parallelism=3");
        List<Path> names = files(one);
        assertEquals(names, files(two));
        assertTrue(names.contains(Path.of(RunFiles.TRAJECTORY_DIR, RunFiles.MODEL_JSON)) && names.size() > 30, names.toString());
        ObjectMapper json = new ObjectMapper();
        for (Path f : names) {
            Path a = one.resolve(f), b = two.resolve(f);
            if (f.toString().equals(RunFiles.RUN_JSON)) {
                // Compared as text, so the order of the keys counts too.
                assertEquals(numbers(json.readTree(a.toFile())).toString(), numbers(json.readTree(b.toFile())).toString(), f.toString());
            } else if (f.toString().endsWith(".csv")) {
                assertEquals(withoutStepMs(a), withoutStepMs(b), f.toString());
            } else {
                assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), f.toString());
            }
        }
    }
}
