package org.lca4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.io.Npy;

/** samples/ read a row at a time: every series cut to the whole rows all files hold, each estimator's row its own. */
class SamplesTest {
    private static final int S = 3;

    /** Value of sample j at step t in the file whose values start at {@code base}. */
    private static double value(int base, int t, int j) {
        return base + 10 * t + j;
    }

    private static void write(Path dir, String name, int base, int rows) throws IOException {
        double[] v = new double[rows * S];
        for (int t = 0; t < rows; t++) for (int j = 0; j < S; j++) v[t * S + j] = value(base, t, j);
        Npy.write(dir.resolve(name + ".npy"), v, rows, S);
    }

    @Test
    void seriesAreCutToTheWholeRowsEveryFileHoldsAndEachEstimatorGetsItsOwnRow(@TempDir Path dir) throws IOException {
        Npy.write(dir.resolve("indices.npy"), new int[] {0, 5, 9}, S);
        write(dir, "exact", 0, 6);
        write(dir, "a", 1000, 6);
        write(dir, "b", 2000, 6);
        // b was cut short by a kill: its header still counts 6 rows, 4 whole ones and half a row remain.
        Path b = dir.resolve("b.npy");
        try (FileChannel ch = FileChannel.open(b, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 8 * S - 8);
        }
        Samples s = Samples.readIfPresent(dir, List.of("b", "missing", "a")).orElseThrow();
        assertEquals(4, s.steps(), "the whole rows b holds");
        assertEquals(S, s.parameterCount());
        assertTrue(s.has("a") && s.has("b") && s.has("exact"));
        assertFalse(s.has("missing"), "no samples/missing.npy");
        List<Integer> seen = new ArrayList<>();
        s.scan(List.of("b", "a"), (t, exact, est) -> {
            seen.add(t);
            for (int j = 0; j < S; j++) {
                assertEquals(value(0, t, j), exact[j], "exact, step " + t);
                assertEquals(value(2000, t, j), est[0][j], "b, the first asked, step " + t);
                assertEquals(value(1000, t, j), est[1][j], "a, step " + t);
            }
        });
        assertEquals(List.of(0, 1, 2, 3), seen);
    }

    @Test
    void aFileOfAnotherWidthThanIndicesIsNamed(@TempDir Path dir) throws IOException {
        Npy.write(dir.resolve("indices.npy"), new int[] {0, 5}, 2);
        write(dir, "exact", 0, 4);
        IOException e = assertThrows(IOException.class, () -> Samples.readIfPresent(dir, List.of()));
        assertTrue(e.getMessage().contains("exact.npy") && e.getMessage().contains("expected shape [T, 2]"), e.getMessage());
        Files.delete(dir.resolve("exact.npy"));
        assertTrue(Samples.readIfPresent(dir, List.of()).isEmpty(), "no exact.npy: no per-parameter views");
    }
}
