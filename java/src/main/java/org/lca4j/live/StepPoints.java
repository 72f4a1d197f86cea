package org.lca4j.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.lca4j.run.Json;

/**
 * The live view's step events, at most {@link #MAX_POINTS} of them per run however long it is, so
 * the server's history, a late browser's download and its charts stay bounded. A run of T steps is
 * cut into points of {@code stride = ⌈T / MAX_POINTS⌉} consecutive steps (1 up to MAX_POINTS steps:
 * every step its own point). A point is one {@code step} event: {@code step} is its first step and
 * {@code steps} how many it holds; {@code batchLoss}, per-layer {@code lca}, {@code helped} and
 * {@code neurons} are means per step over those steps (so Σ lca × steps is the exact sum),
 * {@code lossBefore} is L_R before its first step and {@code lossAfter} after its last.
 */
final class StepPoints {
    static final int MAX_POINTS = 2_000;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final long stride;
    private final Consumer<String> out;
    private long bucket = -1;
    private long first;
    private int count;
    private double batchLoss;
    private int batchLosses;
    private double lossBefore;
    private double lossAfter;
    private final Map<String, double[]> lca = new LinkedHashMap<>();
    private final Map<String, double[]> helped = new LinkedHashMap<>(); // {sum, steps}
    private final Map<String, Integer> lcaSteps = new LinkedHashMap<>();

    /** @param out receives each point's JSON, in step order */
    StepPoints(long totalSteps, Consumer<String> out) {
        this(totalSteps, MAX_POINTS, out);
    }

    StepPoints(long totalSteps, int maxPoints, Consumer<String> out) {
        this.stride = stride(totalSteps, maxPoints);
        this.out = out;
    }

    /** Steps per point for a run of {@code totalSteps} (1 when unknown, ≤ 0). */
    static long stride(long totalSteps, int maxPoints) {
        return Math.max(1, Math.ceilDiv(Math.max(totalSteps, 0), maxPoints));
    }

    long stride() {
        return stride;
    }

    /**
     * Adds one step. A step of another point than the one being filled ends that one first; the
     * point ends when its last step arrives, asking {@code neurons} (may be null) for its per-neuron
     * LCA summed over its steps.
     */
    void add(long step, double stepBatchLoss, double stepLossBefore, double stepLossAfter, Map<String, double[]> stepLca,
             Map<String, Double> stepHelped, Supplier<Map<String, double[]>> neurons) {
        if (bucket >= 0 && step / stride != bucket) flush(null);
        if (bucket < 0) {
            bucket = step / stride;
            first = step;
            lossBefore = stepLossBefore;
        }
        count++;
        if (!Double.isNaN(stepBatchLoss)) {
            batchLoss += stepBatchLoss;
            batchLosses++;
        }
        lossAfter = stepLossAfter;
        stepLca.forEach((e, v) -> {
            double[] s = lca.computeIfAbsent(e, k -> new double[v.length]);
            for (int l = 0; l < v.length; l++) s[l] += v[l];
            lcaSteps.merge(e, 1, Integer::sum);
        });
        stepHelped.forEach((e, h) -> {
            double[] s = helped.computeIfAbsent(e, k -> new double[2]);
            s[0] += h;
            s[1]++;
        });
        if ((step + 1) % stride == 0) flush(neurons);
    }

    /** Sends the point being filled, if any (the run ended or stopped within it). */
    void flush(Supplier<Map<String, double[]>> neurons) {
        if (bucket < 0) return;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", first);
        m.put("steps", count);
        m.put("batchLoss", Json.num(batchLosses == 0 ? Double.NaN : batchLoss / batchLosses));
        if (!Double.isNaN(lossBefore)) m.put("lossBefore", Json.num(lossBefore));
        if (!Double.isNaN(lossAfter)) m.put("lossAfter", Json.num(lossAfter));
        Map<String, Object> l = new LinkedHashMap<>(), h = new LinkedHashMap<>();
        lca.forEach((e, s) -> l.put(e, means(s, lcaSteps.get(e))));
        helped.forEach((e, s) -> h.put(e, Json.num(s[0] / s[1])));
        m.put("lca", l);
        m.put("helped", h);
        Map<String, double[]> n = neurons == null ? null : neurons.get();
        if (n != null) {
            Map<String, Object> nm = new LinkedHashMap<>();
            n.forEach((layer, v) -> nm.put(layer, means(v, count)));
            m.put("neurons", nm);
        }
        bucket = -1;
        count = 0;
        batchLoss = 0;
        batchLosses = 0;
        lca.clear();
        helped.clear();
        lcaSteps.clear();
        out.accept(json(m));
    }

    private static List<Double> means(double[] sums, int steps) {
        List<Double> row = new ArrayList<>(sums.length);
        for (double x : sums) row.add(Json.num(x / steps));
        return row;
    }

    static String json(Object o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("live view: cannot encode an event: " + e.getMessage(), e);
        }
    }
}
