package org.lca4j.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lca4j.run.Json;
import org.lca4j.run.RunFiles;
import org.lca4j.run.RunProcess;

/**
 * Publishes a finished (or interrupted) run directory to a {@link LiveServer} in the live view's
 * event format, for {@code lca view}: the layout from run.json, the steps from layers.csv and
 * steps.csv as {@link StepPoints} (at most 2,000 events however long the run), and the study's table
 * from run.json's summary. Per-neuron LCA is not in a run directory, so the heatmap stays empty.
 */
public final class FinishedRun {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private FinishedRun() {
    }

    /**
     * What {@link #publish} found: the steps published, run.json's status and, for a run marked
     * running, why its process is known to be gone (empty while it may still be training). One
     * reading of run.json and the process table serves both the page and the caller's message.
     */
    public record Published(int steps, String status, Optional<String> gone) {
        /** run.json says running and nothing says otherwise: the page is a snapshot of a live run. */
        public boolean stillTraining() {
            return status.equals("running") && gone.isEmpty();
        }
    }

    public static Published publish(Path dir, LiveServer server) throws IOException {
        return publish(dir, server, StepPoints.MAX_POINTS);
    }

    /**
     * Streams layers.csv and steps.csv (rows in step order, as lca4j writes them) into at most
     * {@code maxPoints} step events: memory does not grow with the run's length.
     */
    static Published publish(Path dir, LiveServer server, int maxPoints) throws IOException {
        JsonNode run = Json.read(require(dir.resolve(RunFiles.RUN_JSON)));
        List<String> layerNames = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        ArrayNode layers = MAPPER.createArrayNode();
        for (JsonNode l : run.path("layers")) {
            layerNames.add(l.path("name").asText());
            sizes.add(l.path("size").asLong());
            layers.addObject().put("name", l.path("name").asText()).put("size", l.path("size").asLong()).set("shape", l.path("shape"));
        }
        if (layerNames.isEmpty()) throw new IOException(dir.resolve(RunFiles.RUN_JSON) + ": no layers");
        long total = sizes.stream().mapToLong(Long::longValue).sum();
        Path layersCsv = require(dir.resolve(RunFiles.LAYERS_CSV));
        Scan scan = scan(layersCsv);
        StepPoints points = new StepPoints(scan.lastStep + 1, maxPoints, json -> server.publish("step", json));
        ObjectNode meta = MAPPER.createObjectNode();
        meta.put("run", dir.toAbsolutePath().normalize().getFileName().toString());
        meta.put("totalSteps", scan.steps);
        meta.put("stride", points.stride());
        meta.set("layers", layers);
        meta.set("estimators", MAPPER.valueToTree(scan.estimators));
        meta.put("heatEstimator", scan.estimators.contains("exact") ? "exact" : scan.estimators.isEmpty() ? "" : scan.estimators.getFirst());
        meta.set("neuronLayers", MAPPER.createArrayNode());
        server.publish("meta", meta.toString());
        // One step's rows at a time: estimator -> per-layer LCA and helped counts as a share of all parameters.
        Map<String, double[][]> step = new LinkedHashMap<>();
        long current = -1;
        int steps = 0;
        try (BufferedReader r = Files.newBufferedReader(layersCsv, StandardCharsets.UTF_8);
             Losses losses = new Losses(dir.resolve(RunFiles.STEPS_CSV))) {
            r.readLine();
            String line;
            int n = 1;
            while ((line = r.readLine()) != null) {
                n++;
                String[] f = line.split(",");
                if (f.length < 5) throw new IOException(layersCsv + ":" + n + ": expected step,estimator,layer,lca,helped_fraction, got '" + line + "'");
                int l = layerNames.indexOf(f[2]);
                if (l < 0) throw new IOException(layersCsv + ":" + n + ": layer '" + f[2] + "' is not in run.json");
                long t = Long.parseLong(f[0]);
                if (t != current) {
                    if (t < current) throw new IOException(layersCsv + ":" + n + ": step " + t + " after step " + current + " (rows must be in step order)");
                    if (current >= 0) publishStep(points, current, step, losses.at(current));
                    current = t;
                    steps++;
                }
                double[][] v = step.computeIfAbsent(f[1], k -> new double[2][layerNames.size()]);
                v[0][l] = Double.parseDouble(f[3]);
                v[1][l] = Double.parseDouble(f[4]) * sizes.get(l) / total;
            }
            if (current >= 0) publishStep(points, current, step, losses.at(current));
        }
        points.flush(null);
        JsonNode summary = run.path("summary");
        if (!summary.isMissingNode()) {
            ObjectNode done = MAPPER.createObjectNode();
            done.set("estimators", summary.path("estimators"));
            done.set("bestByCost", summary.path("best_by_cost"));
            server.publish("done", done.toString());
        }
        // A run that stopped early says so, rather than looking like one still training.
        String status = run.path("status").asText("");
        Optional<String> gone = RunProcess.gone(run);
        if (status.equals("failed") || status.equals("interrupted") || gone.isPresent()) {
            ObjectNode failed = MAPPER.createObjectNode();
            failed.put("error", "after " + steps + " steps: " + gone.orElse(run.path("error").asText("no reason recorded")));
            server.publish("failed", failed.toString());
        }
        return new Published(steps, status, gone);
    }

    /** Hands one step's rows to the points and empties {@code step} for the next. */
    private static void publishStep(StepPoints points, long t, Map<String, double[][]> step, double[] loss) {
        Map<String, double[]> lca = new LinkedHashMap<>();
        Map<String, Double> helped = new LinkedHashMap<>();
        step.forEach((est, v) -> {
            lca.put(est, v[0]);
            double h = 0;
            for (double x : v[1]) h += x;
            helped.put(est, h);
        });
        points.add(t, loss[0], loss[1], loss[2], lca, helped, null);
        step.clear();
    }

    /** layers.csv's step count, last step and estimators (in order of appearance), read before its steps are sent. */
    private record Scan(int steps, long lastStep, List<String> estimators) {
    }

    private static Scan scan(Path layersCsv) throws IOException {
        List<String> estimators = new ArrayList<>();
        long last = -1;
        int steps = 0;
        try (BufferedReader r = Files.newBufferedReader(layersCsv, StandardCharsets.UTF_8)) {
            r.readLine();
            String line, previous = null;
            while ((line = r.readLine()) != null) {
                int a = line.indexOf(','), b = a < 0 ? -1 : line.indexOf(',', a + 1);
                if (b < 0) continue; // named with its line number by the pass that reads the rows
                String est = line.substring(a + 1, b);
                if (!estimators.contains(est)) estimators.add(est);
                if (previous == null || !line.regionMatches(0, previous, 0, a + 1)) {
                    steps++;
                    try {
                        last = Math.max(last, Long.parseLong(line, 0, a, 10));
                    } catch (NumberFormatException e) {
                        // the same
                    }
                    previous = line.substring(0, a + 1);
                }
            }
        }
        return new Scan(steps, last, estimators);
    }

    private static Path require(Path p) throws IOException {
        if (!Files.isRegularFile(p)) throw new IOException(p + " not found: is " + p.getParent() + " an lca4j run directory?");
        return p;
    }

    /** steps.csv read alongside layers.csv: {batch loss, L_R before, L_R after} of a step, NaN where absent. */
    private static final class Losses implements AutoCloseable {
        private final BufferedReader r;
        private int batchLoss = -1, before = -1, after = -1;
        private String[] row;

        Losses(Path stepsCsv) throws IOException {
            r = Files.isRegularFile(stepsCsv) ? Files.newBufferedReader(stepsCsv, StandardCharsets.UTF_8) : null;
            String header = r == null ? null : r.readLine();
            if (header != null) {
                List<String> cols = List.of(header.split(","));
                batchLoss = cols.indexOf("batch_loss");
                before = cols.indexOf("loss_before");
                after = cols.indexOf("loss_after");
            }
        }

        /** The row of step {@code t}, reading on while the rows are of earlier steps (steps only grow). */
        double[] at(long t) throws IOException {
            while (r != null && (row == null || Long.parseLong(row[0]) < t)) {
                String line = r.readLine();
                if (line == null) break;
                row = line.split(",", -1);
            }
            if (row == null || Long.parseLong(row[0]) != t) return new double[] {Double.NaN, Double.NaN, Double.NaN};
            return new double[] {parse(row, batchLoss), parse(row, before), parse(row, after)};
        }

        @Override
        public void close() throws IOException {
            if (r != null) r.close();
        }
    }

    private static double parse(String[] f, int i) {
        return i < 0 || i >= f.length || f[i].isEmpty() ? Double.NaN : Double.parseDouble(f[i]);
    }
}
