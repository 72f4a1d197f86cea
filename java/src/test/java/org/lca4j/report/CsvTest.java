package org.lca4j.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plain CSV of steps.csv and layers.csv: empty fields are NaN, a malformed line is named by its number in the file. */
class CsvTest {
    @Test
    void stepsCsvColumnsAreNumbersWithNaNForEmptyFieldsEvenTheLast(@TempDir Path dir) throws IOException {
        // A header with trailing blanks; empty fields in the middle, of spaces, and last on a line.
        Path file = Files.writeString(dir.resolve("steps.csv"), """
                step,batch_loss,loss_before,loss_after,val_loss_before,step_ms\t
                0,2.5,2.25,2.0,2.375,1.5
                1,, ,1.75,2.125,

                2,1.5,1.75,1.5,1.875,2.5
                """);
        StepTable t = StepTable.readIfPresent(file).orElseThrow();
        assertArrayEquals(new double[] {0, 1, 2}, t.column("step").orElseThrow());
        assertArrayEquals(new double[] {2.5, Double.NaN, 1.5}, t.column("batch_loss").orElseThrow());
        assertArrayEquals(new double[] {2.25, Double.NaN, 1.75}, t.column("loss_before").orElseThrow(), "a field of spaces is empty");
        assertArrayEquals(new double[] {2.0, 1.75, 1.5}, t.column("loss_after").orElseThrow());
        assertArrayEquals(new double[] {2.375, 2.125, 1.875}, t.column("val_loss_before").orElseThrow(), "the validation loss is read too");
        assertTrue(t.column("loss_change").isEmpty(), "a column steps.csv lacks");
        assertEquals(5, Csv.open(file).column("step_ms"), "the header's last name without its trailing blanks");
        assertTrue(StepTable.readIfPresent(dir.resolve("none.csv")).isEmpty());
    }

    @Test
    void aMalformedLineIsNamedByItsNumberInTheFileBlankLinesCounted(@TempDir Path dir) throws IOException {
        String head = "step,batch_loss,loss_before\n0,1,2\n\n";
        Path extra = Files.writeString(dir.resolve("extra.csv"), head + "1,1,2,3\n");
        IOException e = assertThrows(IOException.class, () -> StepTable.readIfPresent(extra));
        assertTrue(e.getMessage().endsWith("extra.csv:4: expected 3 fields, found 4"), e.getMessage());
        Path word = Files.writeString(dir.resolve("word.csv"), head + "1,one,2\n");
        e = assertThrows(IOException.class, () -> StepTable.readIfPresent(word));
        assertTrue(e.getMessage().endsWith("word.csv:4: column 'batch_loss' is not a number: 'one'"), e.getMessage());
        Path noStep = Files.writeString(dir.resolve("nostep.csv"), "batch_loss,loss_before\n1,2\n");
        e = assertThrows(IOException.class, () -> StepTable.readIfPresent(noStep));
        assertTrue(e.getMessage().endsWith("nostep.csv: no 'step' column"), e.getMessage());
    }
}
