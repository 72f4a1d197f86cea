package org.lca4j.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** layers.csv as dense series: indexed by the ascending distinct steps, NaN wherever the file has no number. */
class LayerSeriesTest {
    @Test
    void seriesAreIndexedByAscendingStepsWithNaNForWhatTheFileLacks(@TempDir Path dir) throws IOException {
        // Steps out of order (a file appended by two writers), one row missing and one empty field.
        Path csv = Files.writeString(dir.resolve("layers.csv"), """
                step,estimator,layer,lca,helped_fraction
                20,exact,w,-2.0,0.25
                20,exact,b,-0.2,0.5
                20,same,w,-1.5,0.75
                20,same,b,-0.1,1.0

                0,exact,w,-4.0,0.125
                0,exact,b,,0.375
                0,same,w,-3.5,0.625
                0,same,b,-0.3,0.875
                10,exact,w,-3.0,0.0625
                10,exact,b,-0.25,0.1875
                10,same,w,-2.5,0.3125
                """);
        LayerSeries s = LayerSeries.read(csv);
        assertArrayEquals(new int[] {0, 10, 20}, s.steps());
        assertArrayEquals(new double[] {0, 10, 20}, s.stepsAsDoubles());
        assertEquals(3, s.stepCount());
        assertEquals(List.of("exact", "same"), s.estimators(), "in order of first appearance");
        assertEquals(List.of("w", "b"), s.layers(), "in order of first appearance");
        assertArrayEquals(new double[] {-4.0, -3.0, -2.0}, s.lca("exact", "w"));
        assertArrayEquals(new double[] {Double.NaN, -0.25, -0.2}, s.lca("exact", "b"), "an empty field is NaN");
        assertArrayEquals(new double[] {-0.3, Double.NaN, -0.1}, s.lca("same", "b"), "a missing row is NaN");
        assertArrayEquals(new double[] {0.125, 0.0625, 0.25}, s.helped("exact", "w"));
        assertArrayEquals(new double[] {Double.NaN, Double.NaN, Double.NaN}, s.helped("same", "w"), "helped fractions of exact and exact_val only");
        assertArrayEquals(new double[] {Double.NaN, Double.NaN, Double.NaN}, s.lca("other", "w"), "no such rows: no numbers, not zeros");
        assertTrue(s.has("same") && !s.has("other"));
    }

    @Test
    void aStepThatIsNotAWholeNumberIsNamedWithItsLine(@TempDir Path dir) throws IOException {
        Path csv = Files.writeString(dir.resolve("layers.csv"), "step,estimator,layer,lca,helped_fraction\n0,exact,w,1,0.5\n\n1.5,exact,w,1,0.5\n");
        IOException e = assertThrows(IOException.class, () -> LayerSeries.read(csv));
        assertTrue(e.getMessage().endsWith("layers.csv:4: bad step '1.5'"), e.getMessage() + ": line 4, the blank line 3 counted");
    }
}
