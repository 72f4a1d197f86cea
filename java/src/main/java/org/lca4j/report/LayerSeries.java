package org.lca4j.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * layers.csv as dense per-step series: for each (estimator, layer) the LCA and helped fraction at every
 * step that appears in the file, NaN where a row is missing or a field is empty.
 */
final class LayerSeries {
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

    static LayerSeries read(Path file) throws IOException {
        Csv csv = Csv.read(file);
        int cStep = csv.requireColumn("step"), cEst = csv.requireColumn("estimator"), cLayer = csv.requireColumn("layer");
        int cLca = csv.requireColumn("lca"), cHelped = csv.requireColumn("helped_fraction");
        TreeSet<Integer> stepSet = new TreeSet<>();
        List<String> estimators = new ArrayList<>(), layers = new ArrayList<>();
        List<String[]> rows = csv.rows();
        int[] rowStep = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            String[] r = rows.get(i);
            double s = csv.number(r, cStep, i);
            if (Double.isNaN(s) || s != Math.rint(s)) throw new IOException(file + ":" + (i + 2) + ": bad step '" + r[cStep] + "'");
            rowStep[i] = (int) s;
            stepSet.add(rowStep[i]);
            if (!estimators.contains(r[cEst])) estimators.add(r[cEst]);
            if (!layers.contains(r[cLayer])) layers.add(r[cLayer]);
        }
        int[] steps = stepSet.stream().mapToInt(Integer::intValue).toArray();
        Map<String, double[]> lca = new LinkedHashMap<>(), helped = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            String[] r = rows.get(i);
            int t = Arrays.binarySearch(steps, rowStep[i]);
            String key = key(r[cEst], r[cLayer]);
            lca.computeIfAbsent(key, k -> nanArray(steps.length))[t] = csv.number(r, cLca, i);
            helped.computeIfAbsent(key, k -> nanArray(steps.length))[t] = csv.number(r, cHelped, i);
        }
        return new LayerSeries(steps, List.copyOf(estimators), List.copyOf(layers), lca, helped);
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

    /** Per-step helped fraction of one layer; all NaN if the file has no such rows. */
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
