package org.lca4j.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The plain CSV lca4j writes: a header line, comma-separated fields, no quoting, empty fields allowed. */
final class Csv {
    private final Path file;
    private final List<String> header;
    private final List<String[]> rows;

    private Csv(Path file, List<String> header, List<String[]> rows) {
        this.file = file;
        this.header = header;
        this.rows = rows;
    }

    static Csv read(Path file) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String head = r.readLine();
            if (head == null || head.isBlank()) throw new IOException(file + ": empty file, expected a CSV header");
            List<String> header = List.of(head.strip().split(",", -1));
            List<String[]> rows = new ArrayList<>();
            String line;
            int n = 1;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) continue;
                String[] f = line.split(",", -1);
                if (f.length != header.size()) {
                    throw new IOException(file + ":" + n + ": expected " + header.size() + " fields, found " + f.length);
                }
                rows.add(f);
            }
            return new Csv(file, header, rows);
        }
    }

    Path file() {
        return file;
    }

    List<String[]> rows() {
        return rows;
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

    /** A numeric field; empty means NaN. */
    double number(String[] row, int column, int rowIndex) throws IOException {
        String s = row[column].strip();
        if (s.isEmpty()) return Double.NaN;
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IOException(file + ":" + (rowIndex + 2) + ": column '" + header.get(column) + "' is not a number: '" + s + "'");
        }
    }
}
