package org.lca4j.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** steps.csv as numeric columns (NaN for empty fields). */
final class StepTable {
    private final Map<String, double[]> columns;

    private StepTable(Map<String, double[]> columns) {
        this.columns = columns;
    }

    /** The table, or empty if the run directory has no steps.csv. */
    static Optional<StepTable> readIfPresent(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return Optional.empty();
        Csv csv = Csv.read(file);
        List<String[]> rows = csv.rows();
        Map<String, double[]> columns = new LinkedHashMap<>();
        for (String name : List.of("step", "batch_loss", "loss_before", "loss_after", "val_loss_before")) {
            int c = csv.column(name);
            if (c < 0) continue;
            double[] v = new double[rows.size()];
            for (int i = 0; i < v.length; i++) v[i] = csv.number(rows.get(i), c, i);
            columns.put(name, v);
        }
        if (!columns.containsKey("step")) throw new IOException(file + ": no 'step' column");
        return Optional.of(new StepTable(columns));
    }

    /** A column, if steps.csv has it. */
    Optional<double[]> column(String name) {
        double[] v = columns.get(name);
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }
}
