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
import java.util.TreeMap;
import org.lca4j.run.Json;
import org.lca4j.run.RunFiles;
import org.lca4j.run.RunProcess;

/**
 * Publishes a finished (or interrupted) run directory to a {@link LiveServer} in the live view's
 * event format, for {@code lca view}: the layout from run.json, every step from layers.csv and
 * steps.csv, and the study's table from run.json's summary. Per-neuron LCA is not in a run
 * directory, so the heatmap stays empty.
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
        // step -> estimator -> per-layer LCA and helped counts
        Map<Long, Map<String, double[][]>> steps = new TreeMap<>();
        List<String> estimators = new ArrayList<>();
        Path layersCsv = require(dir.resolve(RunFiles.LAYERS_CSV));
        try (BufferedReader r = Files.newBufferedReader(layersCsv, StandardCharsets.UTF_8)) {
            r.readLine();
            String line;
            int n = 1;
            while ((line = r.readLine()) != null) {
                n++;
                String[] f = line.split(",");
                if (f.length < 5) throw new IOException(layersCsv + ":" + n + ": expected step,estimator,layer,lca,helped_fraction, got '" + line + "'");
                int l = layerNames.indexOf(f[2]);
                if (l < 0) throw new IOException(layersCsv + ":" + n + ": layer '" + f[2] + "' is not in run.json");
                if (!estimators.contains(f[1])) estimators.add(f[1]);
                double[][] v = steps.computeIfAbsent(Long.parseLong(f[0]), k -> new LinkedHashMap<>())
                        .computeIfAbsent(f[1], k -> new double[2][layerNames.size()]);
                v[0][l] = Double.parseDouble(f[3]);
                v[1][l] = Double.parseDouble(f[4]) * sizes.get(l) / total;
            }
        }
        Map<Long, double[]> losses = readLosses(dir.resolve(RunFiles.STEPS_CSV));
        ObjectNode meta = MAPPER.createObjectNode();
        meta.put("run", dir.toAbsolutePath().normalize().getFileName().toString());
        meta.put("totalSteps", steps.size());
        meta.set("layers", layers);
        meta.set("estimators", MAPPER.valueToTree(estimators));
        meta.put("heatEstimator", estimators.contains("exact") ? "exact" : estimators.isEmpty() ? "" : estimators.getFirst());
        meta.set("neuronLayers", MAPPER.createArrayNode());
        server.publish("meta", meta.toString());
        for (Map.Entry<Long, Map<String, double[][]>> s : steps.entrySet()) {
            ObjectNode e = MAPPER.createObjectNode();
            e.put("step", s.getKey());
            double[] loss = losses.get(s.getKey());
            if (loss != null) {
                e.put("batchLoss", loss[0]);
                if (!Double.isNaN(loss[1])) e.put("lossBefore", loss[1]);
            }
            ObjectNode lca = e.putObject("lca"), helped = e.putObject("helped");
            s.getValue().forEach((est, v) -> {
                lca.set(est, MAPPER.valueToTree(v[0]));
                double h = 0;
                for (double x : v[1]) h += x;
                helped.put(est, h);
            });
            server.publish("step", e.toString());
        }
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
            failed.put("error", "after " + steps.size() + " steps: " + gone.orElse(run.path("error").asText("no reason recorded")));
            server.publish("failed", failed.toString());
        }
        return new Published(steps.size(), status, gone);
    }

    private static Path require(Path p) throws IOException {
        if (!Files.isRegularFile(p)) throw new IOException(p + " not found: is " + p.getParent() + " an lca4j run directory?");
        return p;
    }

    /** step -> {batch loss, L_R before} (NaN where absent). */
    private static Map<Long, double[]> readLosses(Path stepsCsv) throws IOException {
        Map<Long, double[]> out = new TreeMap<>();
        if (!Files.isRegularFile(stepsCsv)) return out;
        try (BufferedReader r = Files.newBufferedReader(stepsCsv, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null) return out;
            List<String> cols = List.of(header.split(","));
            int bl = cols.indexOf("batch_loss"), lb = cols.indexOf("loss_before");
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.split(",", -1);
                out.put(Long.parseLong(f[0]), new double[] {parse(f, bl), parse(f, lb)});
            }
        }
        return out;
    }

    private static double parse(String[] f, int i) {
        return i < 0 || i >= f.length || f[i].isEmpty() ? Double.NaN : Double.parseDouble(f[i]);
    }
}
