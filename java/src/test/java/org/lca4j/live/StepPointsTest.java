package org.lca4j.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The live view's points, fed by hand: each point's values are means over its own steps (each
 * estimator's over the steps that hold it), nothing carries over from one point to the next, and a
 * point never holds steps from two strides.
 */
class StepPointsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> parse(List<String> events) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String e : events) out.add(JSON.readTree(e));
        return out;
    }

    private static double batchLoss(int t) {
        return t == 4 ? Double.NaN : t + 1; // step 4 has no batch loss (a replayed step)
    }

    private static double[] exactLca(int t) {
        return new double[] {t, 2.0 * t};
    }

    private static double[] otherLca(int t) {
        return new double[] {-t, 1};
    }

    private static boolean hasOther(int t) {
        return t != 5; // step 5's rows of "other" are missing (a layers.csv cut within the step)
    }

    @Test
    void eachPointHoldsMeansOverItsOwnStepsOnly() throws Exception {
        List<String> events = new ArrayList<>();
        StepPoints p = new StepPoints(7, 3, events::add);
        assertEquals(3, p.stride(), "7 steps in at most 3 points");
        double[] neuronSums = {6, -3};
        for (int t = 0; t < 7; t++) {
            Map<String, double[]> lca = new LinkedHashMap<>();
            Map<String, Double> helped = new LinkedHashMap<>();
            lca.put("exact", exactLca(t));
            helped.put("exact", 0.1 * t);
            if (hasOther(t)) {
                lca.put("other", otherLca(t));
                helped.put("other", 1 - 0.1 * t);
            }
            p.add(t, batchLoss(t), 100 - t, 99 - t, lca, helped, () -> Map.of("fc1.weight", neuronSums.clone()));
        }
        p.flush(() -> Map.of("fc1.weight", neuronSums.clone()));
        List<JsonNode> points = parse(events);
        assertEquals(3, points.size());
        int[][] steps = {{0, 1, 2}, {3, 4, 5}, {6}};
        for (int k = 0; k < 3; k++) {
            JsonNode point = points.get(k);
            int[] s = steps[k];
            assertEquals(s[0], point.path("step").asInt());
            assertEquals(s.length, point.path("steps").asInt());
            assertEquals(100 - s[0], point.path("lossBefore").asDouble(), 0, "L_R before the point's first step");
            assertEquals(99 - s[s.length - 1], point.path("lossAfter").asDouble(), 0, "L_R after its last step");
            double loss = 0, exactHelped = 0, otherHelped = 0;
            int losses = 0, others = 0;
            double[] exact = new double[2], other = new double[2];
            for (int t : s) {
                if (!Double.isNaN(batchLoss(t))) {
                    loss += batchLoss(t);
                    losses++;
                }
                exactHelped += 0.1 * t;
                for (int l = 0; l < 2; l++) exact[l] += exactLca(t)[l];
                if (hasOther(t)) {
                    others++;
                    otherHelped += 1 - 0.1 * t;
                    for (int l = 0; l < 2; l++) other[l] += otherLca(t)[l];
                }
            }
            assertEquals(loss / losses, point.path("batchLoss").asDouble(), 1e-12, "point " + k + ": mean of the batch losses present");
            assertEquals(exactHelped / s.length, point.path("helped").path("exact").asDouble(), 1e-12, "point " + k);
            assertEquals(otherHelped / others, point.path("helped").path("other").asDouble(), 1e-12, "point " + k + ": over the steps that hold it");
            for (int l = 0; l < 2; l++) {
                assertEquals(exact[l] / s.length, point.path("lca").path("exact").get(l).asDouble(), 1e-12, "point " + k + " layer " + l);
                assertEquals(other[l] / others, point.path("lca").path("other").get(l).asDouble(), 1e-12, "point " + k + " layer " + l);
                assertEquals(neuronSums[l] / s.length, point.path("neurons").path("fc1.weight").get(l).asDouble(), 1e-12, "point " + k);
            }
        }
        p.flush(null);
        assertEquals(3, events.size(), "nothing left to send");
    }

    @Test
    void aStepOfTheNextStrideEndsAPointItsMissingStepsLeftOpen() throws Exception {
        // Stride 2: steps 0-1, 2-3. Step 1 is missing, so the point of step 0 ends when step 3 arrives.
        List<String> events = new ArrayList<>();
        StepPoints p = new StepPoints(4, 2, events::add);
        p.add(0, 1.0, 10, 9, Map.of("exact", new double[] {-1}), Map.of("exact", 0.5), null);
        assertTrue(events.isEmpty(), "step 0's point is still open");
        p.add(3, 3.0, 8, 7, Map.of("exact", new double[] {-3}), Map.of("exact", 0.25), null);
        List<JsonNode> points = parse(events);
        assertEquals(2, points.size());
        assertEquals(0, points.get(0).path("step").asInt());
        assertEquals(1, points.get(0).path("steps").asInt());
        assertEquals(9, points.get(0).path("lossAfter").asDouble(), 0);
        assertEquals(-1, points.get(0).path("lca").path("exact").get(0).asDouble(), 0);
        assertEquals(3, points.get(1).path("step").asInt());
        assertEquals(1, points.get(1).path("steps").asInt());
        assertEquals(8, points.get(1).path("lossBefore").asDouble(), 0);
        assertEquals(3.0, points.get(1).path("batchLoss").asDouble(), 0);
    }
}
