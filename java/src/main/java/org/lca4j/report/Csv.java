package org.lca4j.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The plain CSV lca4j writes: a header line, comma-separated fields, no quoting, empty fields allowed.
 * Rows are streamed ({@link #forEach}), never held: layers.csv has a row per step, estimator and layer.
 */
final class Csv {
    private final Path file;
    private final List<String> header;

    private Csv(Path file, List<String> header) {
        this.file = file;
        this.header = header;
    }

    /** What {@link #forEach} hands over: a row's fields and its line number in the file (the header is line 1; blank lines count). */
    @FunctionalInterface
    interface RowHandler {
        void row(String[] fields, int line) throws IOException;
    }

    /** Reads the header; the rows are read by each {@link #forEach}. */
    static Csv open(Path file) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String head = r.readLine();
            if (head == null || head.isBlank()) throw new IOException(file + ": empty file, expected a CSV header");
            return new Csv(file, List.of(head.strip().split(",", -1)));
        }
    }

    /** One pass over the rows, in file order; a row with the wrong number of fields is an error naming its line. */
    void forEach(RowHandler handler) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            r.readLine();
            String line;
            int n = 1;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) continue;
                String[] f = line.split(",", -1);
                if (f.length != header.size()) {
                    throw new IOException(file + ":" + n + ": expected " + header.size() + " fields, found " + f.length);
                }
                handler.row(f, n);
            }
        }
    }

    Path file() {
        return file;
    }

    /** Index of a column, or -1. */
    int column(String name) {
        return header.indexOf(name);
    }

    int requireColumn(String name) throws IOException {
        int i = column(name);
        if (i < 0) throw new IOException(file + ": no column '" + name + "' in header " + String.join(",", header));
        return i;
    }

    /** A numeric field of the row on {@code line}; empty means NaN. */
    double number(String[] row, int column, int line) throws IOException {
        String s = row[column].strip();
        if (s.isEmpty()) return Double.NaN;
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IOException(file + ":" + line + ": column '" + header.get(column) + "' is not a number: '" + s + "'");
        }
    }
}
