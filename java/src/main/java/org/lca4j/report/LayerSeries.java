package org.lca4j.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * layers.csv as dense per-step series: for each (estimator, layer) the LCA at every step that appears in
 * the file, NaN where a row is missing or a field is empty, and the helped fraction likewise for exact
 * and exact_val (the paper's views read no other's). A double per step, layer and series: 24 MB for
 * 50,000 steps of 6 layers and 10 series.
 */
final class LayerSeries {
    /** The estimators whose helped fractions are kept. */
    private static final Set<String> HELPED = Set.of(RunData.EXACT, RunData.EXACT_VAL);
    private final int[] steps;
    private final List<String> estimators;
    private final List<String> layers;
    private final Map<String, double[]> lca;
    private final Map<String, double[]> helped;

    private LayerSeries(int[] steps, List<String> estimators, List<String> layers, Map<String, double[]> lca,
            Map<String, double[]> helped) {
        this.steps = steps;
        this.estimators = estimators;
        this.layers = layers;
        this.lca = lca;
        this.helped = helped;
    }

    /** Two passes over the file, holding no row: the steps, estimators and layers first, then the values. */
    static LayerSeries read(Path file) throws IOException {
        Csv csv = Csv.open(file);
        int cStep = csv.requireColumn("step"), cEst = csv.requireColumn("estimator"), cLayer = csv.requireColumn("layer");
        int cLca = csv.requireColumn("lca"), cHelped = csv.requireColumn("helped_fraction");
        List<String> estimators = new ArrayList<>(), layers = new ArrayList<>();
        IntStream.Builder seen = IntStream.builder();
        int[] previous = {Integer.MIN_VALUE};
        csv.forEach((r, line) -> {
            int step = step(csv, r, cStep, line);
            if (step != previous[0]) seen.add(step); // rows come grouped by step: a step is seen once per group
            previous[0] = step;
            if (!estimators.contains(r[cEst])) estimators.add(r[cEst]);
            if (!layers.contains(r[cLayer])) layers.add(r[cLayer]);
        });
        int[] steps = seen.build().sorted().distinct().toArray();
        Map<String, double[]> lca = new LinkedHashMap<>(), helped = new LinkedHashMap<>();
        csv.forEach((r, line) -> {
            int t = Arrays.binarySearch(steps, step(csv, r, cStep, line));
            String key = key(r[cEst], r[cLayer]);
            lca.computeIfAbsent(key, k -> nanArray(steps.length))[t] = csv.number(r, cLca, line);
            if (HELPED.contains(r[cEst])) helped.computeIfAbsent(key, k -> nanArray(steps.length))[t] = csv.number(r, cHelped, line);
        });
        return new LayerSeries(steps, List.copyOf(estimators), List.copyOf(layers), lca, helped);
    }

    private static int step(Csv csv, String[] r, int column, int line) throws IOException {
        double s = csv.number(r, column, line);
        if (Double.isNaN(s) || s != Math.rint(s)) throw new IOException(csv.file() + ":" + line + ": bad step '" + r[column] + "'");
        return (int) s;
    }

    /** The distinct steps, ascending. */
    int[] steps() {
        return steps.clone();
    }

    double[] stepsAsDoubles() {
        return Arrays.stream(steps).asDoubleStream().toArray();
    }

    int stepCount() {
        return steps.length;
    }

    /** Estimator names in order of first appearance. */
    List<String> estimators() {
        return estimators;
    }

    /** Layer names in order of first appearance. */
    List<String> layers() {
        return layers;
    }

    boolean has(String estimator) {
        return estimators.contains(estimator);
    }

    /** Per-step LCA of one layer; all NaN if the file has no such rows. */
    double[] lca(String estimator, String layer) {
        double[] v = lca.get(key(estimator, layer));
        return v == null ? nanArray(steps.length) : v.clone();
    }

    /** Per-step helped fraction of one layer (exact and exact_val only); all NaN if the file has no such rows. */
    double[] helped(String estimator, String layer) {
        double[] v = helped.get(key(estimator, layer));
        return v == null ? nanArray(steps.length) : v.clone();
    }

    private static String key(String estimator, String layer) {
        return estimator + "\u0000" + layer;
    }

    private static double[] nanArray(int n) {
        double[] a = new double[n];
        Arrays.fill(a, Double.NaN);
        return a;
    }
}
