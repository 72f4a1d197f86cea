package org.lca4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.io.Npy;
import org.lca4j.run.RunFiles;

/**
 * The run directory and the trajectory as a numpy user meets them, through the two documented
 * scripts in docs/examples/: one writes a trajectory from plain numpy training for analyze, the
 * other reads a run directory as the README describes it and checks that its files agree. Skipped
 * without python3 and numpy.
 */
class PythonReaderTest {
    static final Path EXAMPLES = Path.of("..", "docs", "examples");

    @TempDir
    Path tmp;

    @BeforeAll
    static void pythonWithNumpy() throws Exception {
        boolean ok;
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            ok = p.waitFor() == 0;
        } catch (IOException e) {
            ok = false;
        }
        Assumptions.assumeTrue(ok, "no python3 with numpy");
    }

    private static String python(String script, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("python3", EXAMPLES.resolve(script).toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), script + " " + String.join(" ", args) + ":\n" + out);
        return out;
    }

    @Test
    void aTrajectoryWrittenByNumpyIsAnalyzedAndConserves() throws Exception {
        Path dir = tmp.resolve("numpy");
        python("numpy_trajectory.py", dir.toString(), "--steps", "8");
        assertEquals(0, Main.execute("analyze", dir.toString(), "--no-progress"));
        Path analysis = dir.resolve(RunFiles.ANALYSIS_DIR);
        assertTrue(python("check_run.py", analysis.toString()).contains("all checks hold"));
        double[] numpyLoss = Npy.read(dir.resolve("numpy_loss.npy")).asDoubles();
        List<String> steps = Files.readAllLines(analysis.resolve(RunFiles.STEPS_CSV));
        assertEquals(8 + 1, steps.size());
        for (int t = 0; t < 8; t++) {
            assertEquals(numpyLoss[t], Double.parseDouble(steps.get(t + 1).split(",")[2]), 1e-6, "L_R(θ_" + t + ")");
        }
    }

    @Test
    void aRunWithEveryRecordAgreesWithItselfAsReadFromNumpy() throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, Main.execute("train", "--data", "synthetic", "--model", "12,10,4", "--synthetic-size", "600", "--batch", "50",
                "--steps", "12", "--estimators", "all", "--validation-lca", "--validation-size", "100", "--reference-size", "200",
                "--save-trajectory", "--no-progress", "--out", run.toString()));
        String out = python("check_run.py", run.toString());
        assertTrue(out.contains("all checks hold") && out.contains("samples/exact.npy") && out.contains("validation_conservation"), out);
    }
}
