package org.lca4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a JMH JSON result of {@link LcaStepBenchmark} into the table the README quotes: per size and
 * layer count, each way's time, parameters/s and GB/s (the bytes one step must move, over its time),
 * lca4j's speed-up over the ND4J path and its share of the copy bandwidth measured in the same run.
 *
 * <p>Usage: {@code BenchTable jmh.json [out.md]}
 */
public final class BenchTable {
    /** One size: mean ms per step of each way (NaN when it did not run). */
    record Row(long params, int layers, double lca4j, double nd4j, double plain, double copy) {
        double gbPerS(double ms) {
            return Model.lcaBytes(params) / (ms * 1e-3) / 1e9;
        }

        double paramsPerS(double ms) {
            return params / (ms * 1e-3);
        }
    }

    private BenchTable() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: BenchTable jmh.json [out.md]");
            System.exit(2);
        }
        String md = markdown(read(Path.of(args[0])));
        System.out.print(md);
        if (args.length > 1) Files.writeString(Path.of(args[1]), md);
    }

    static List<Row> read(Path json) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json.toFile());
        } catch (IOException e) {
            throw new IOException(json + ": not a JMH JSON result (" + e.getMessage() + ")", e);
        }
        Map<String, double[]> bySize = new TreeMap<>((x, y) -> {
            String[] a = x.split("/"), b = y.split("/");
            int c = Long.compare(Long.parseLong(a[0]), Long.parseLong(b[0]));
            return c != 0 ? c : Integer.compare(Integer.parseInt(a[1]), Integer.parseInt(b[1]));
        });
        List<String> ways = List.of("lca4j", "nd4j", "plainLoop", "copy");
        for (JsonNode r : root) {
            String bench = r.path("benchmark").asText();
            String way = bench.substring(bench.lastIndexOf('.') + 1);
            int w = ways.indexOf(way);
            if (w < 0 || !r.path("primaryMetric").path("scoreUnit").asText().equals("ms/op")) continue;
            String key = r.path("params").path("params").asText() + "/" + r.path("params").path("layers").asText();
            double[] t = bySize.computeIfAbsent(key, k -> new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN});
            t[w] = r.path("primaryMetric").path("score").asDouble();
        }
        if (bySize.isEmpty()) throw new IOException(json + ": no LcaStepBenchmark results in ms/op");
        List<Row> rows = new ArrayList<>();
        bySize.forEach((k, t) -> {
            String[] p = k.split("/");
            rows.add(new Row(Long.parseLong(p[0]), Integer.parseInt(p[1]), t[0], t[1], t[2], t[3]));
        });
        return rows;
    }

    static String markdown(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append("| parameters | layers | lca4j ms (GB/s) | ND4J ms (GB/s) | plain loop ms (GB/s) | copy ms (GB/s) | lca4j params/s | lca4j ÷ ND4J | lca4j % of copy |\n");
        b.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            b.append(String.format("| %,d | %d | %s | %s | %s | %s | %s | %s | %s |%n", r.params(), r.layers(), cell(r, r.lca4j()), cell(r, r.nd4j()),
                    cell(r, r.plain()), cell(r, r.copy()), Double.isNaN(r.lca4j()) ? "–" : String.format("%.2e", r.paramsPerS(r.lca4j())),
                    ratio(r.nd4j() / r.lca4j(), "×"), ratio(100 * r.copy() / r.lca4j(), "%")));
        }
        return b.toString();
    }

    private static String cell(Row r, double ms) {
        return Double.isNaN(ms) ? "–" : String.format("%.3f (%.1f)", ms, r.gbPerS(ms));
    }

    private static String ratio(double v, String unit) {
        return Double.isNaN(v) ? "–" : unit.equals("%") ? String.format("%.0f%%", v) : String.format("%.1f×", v);
    }
}
