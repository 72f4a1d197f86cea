package org.lca4j.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.DoubleStream;

/** steps.csv as numeric columns (NaN for empty fields). */
final class StepTable {
    private final Map<String, double[]> columns;

    private StepTable(Map<String, double[]> columns) {
        this.columns = columns;
    }

    /** The table, or empty if the run directory has no steps.csv. */
    static Optional<StepTable> readIfPresent(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return Optional.empty();
        Csv csv = Csv.open(file);
        Map<String, Integer> wanted = new LinkedHashMap<>();
        for (String name : List.of("step", "batch_loss", "loss_before", "loss_after", "val_loss_before")) {
            if (csv.column(name) >= 0) wanted.put(name, csv.column(name));
        }
        if (!wanted.containsKey("step")) throw new IOException(file + ": no 'step' column");
        Map<String, DoubleStream.Builder> built = new LinkedHashMap<>();
        wanted.keySet().forEach(name -> built.put(name, DoubleStream.builder()));
        csv.forEach((row, line) -> {
            for (Map.Entry<String, Integer> c : wanted.entrySet()) built.get(c.getKey()).add(csv.number(row, c.getValue(), line));
        });
        Map<String, double[]> columns = new LinkedHashMap<>();
        built.forEach((name, b) -> columns.put(name, b.build().toArray()));
        return Optional.of(new StepTable(columns));
    }

    /** A column, if steps.csv has it. */
    Optional<double[]> column(String name) {
        double[] v = columns.get(name);
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }
}
