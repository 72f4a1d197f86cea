package org.lca4j.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.lca4j.run.Json;

/** Everything the report reads from a run directory, loaded once. */
final class RunData {
    /** The reference estimator. */
    static final String EXACT = "exact";
    /** Validation LCA: shown in the paper's views, never compared as an estimator. */
    static final String EXACT_VAL = "exact_val";

    private final Path dir;
    private final JsonNode run;
    private final List<LayerMeta> layers;
    private final List<String> estimators;
    private final LayerSeries series;
    private final Optional<StepTable> steps;
    private final Optional<Samples> samples;

    private RunData(Path dir, JsonNode run, List<LayerMeta> layers, List<String> estimators, LayerSeries series,
            Optional<StepTable> steps, Optional<Samples> samples) {
        this.dir = dir;
        this.run = run;
        this.layers = layers;
        this.estimators = estimators;
        this.series = series;
        this.steps = steps;
        this.samples = samples;
    }

    static RunData load(Path dir) throws IOException {
        JsonNode run = Json.read(require(dir.resolve("run.json")));
        if (!run.isObject()) throw new IOException(dir.resolve("run.json") + ": expected a JSON object");
        LayerSeries series = LayerSeries.read(require(dir.resolve("layers.csv")));
        List<LayerMeta> layers = layers(run, series);
        List<String> estimators = estimators(run, series);
        return new RunData(dir, run, layers, estimators, series, StepTable.readIfPresent(dir.resolve("steps.csv")),
                Samples.readIfPresent(dir.resolve("samples"), estimators));
    }

    private static Path require(Path file) throws NoSuchFileException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "missing: not an lca4j run directory?");
        return file;
    }

    /** run.json's layers in its order, then any layer only layers.csv names (size unknown: 0). */
    private static List<LayerMeta> layers(JsonNode run, LayerSeries series) {
        List<LayerMeta> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (JsonNode l : run.path("layers")) {
            String name = l.path("name").asText();
            if (seen.add(name)) out.add(new LayerMeta(name, l.path("size").asLong(0)));
        }
        for (String name : series.layers()) {
            if (seen.add(name)) out.add(new LayerMeta(name, 0));
        }
        return List.copyOf(out);
    }

    /** The compared estimators: config order, then summary.estimators, then layers.csv; never exact or exact_val. */
    private static List<String> estimators(JsonNode run, LayerSeries series) {
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode e : run.path("config").path("estimators")) names.add(e.asText());
        names.addAll(fieldNames(run.path("summary").path("estimators")));
        names.addAll(series.estimators());
        names.remove(EXACT);
        names.remove(EXACT_VAL);
        return List.copyOf(names);
    }

    static List<String> fieldNames(JsonNode object) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) out.add(it.next());
        return out;
    }

    Path dir() {
        return dir;
    }

    JsonNode config() {
        return run.path("config");
    }

    JsonNode summary() {
        return run.path("summary");
    }

    /** The whole run.json. */
    JsonNode runJson() {
        return run;
    }

    /** A top-level run.json field, or a missing node. */
    JsonNode field(String name) {
        JsonNode n = run.get(name);
        return n == null ? MissingNode.getInstance() : n;
    }

    List<LayerMeta> layers() {
        return layers;
    }

    /** The compared estimators (not exact, not exact_val). */
    List<String> estimators() {
        return estimators;
    }

    /** Compared estimators that layers.csv has rows for. */
    List<String> estimatorsWithSeries() {
        return estimators.stream().filter(series::has).toList();
    }

    LayerSeries series() {
        return series;
    }

    Optional<StepTable> steps() {
        return steps;
    }

    Optional<Samples> samples() {
        return samples;
    }
}
