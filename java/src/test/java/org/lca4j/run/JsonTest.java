package org.lca4j.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSON records come out in the same order in every JVM, so a rerun writes the same bytes. */
class JsonTest {
    @TempDir
    Path tmp;

    private static List<String> keys(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void aMapWithoutAnOrderOfItsOwnIsWrittenSortedAndAnOrderedOneAsItIs() throws Exception {
        // A HashMap's order follows hash buckets and Map.of's a seed chosen at each JVM start: neither
        // may reach a file. These keys iterate out of sorted order in a HashMap.
        Map<String, Object> hashed = new HashMap<>();
        for (String k : List.of("y", "x", "rows", "note", "b", "a")) hashed.put(k, k.length());
        List<String> sorted = List.of("a", "b", "note", "rows", "x", "y");
        assertNotEquals(sorted, new ArrayList<>(hashed.keySet()), "the test needs a HashMap whose order is not the sorted one");
        Map<String, Object> ordered = new LinkedHashMap<>();
        ordered.put("z", 1);
        ordered.put("a", List.of(hashed, Map.of("q", 1, "p", 2)));
        ordered.put("m", hashed);
        Path f = tmp.resolve("t.json");
        Json.write(f, ordered);
        JsonNode back = Json.read(f);
        assertEquals(List.of("z", "a", "m"), keys(back));
        assertEquals(sorted, keys(back.get("m")));
        assertEquals(sorted, keys(back.get("a").get(0)));
        assertEquals(List.of("p", "q"), keys(back.get("a").get(1)));
    }

    @Test
    void aRunsExtraEntriesWithoutAnOrderOfTheirOwnReachRunJsonSorted() throws Exception {
        // run.json's top level is ordered; the entries a caller adds (the DL4J listener's Map.of of
        // config and data) must not bring their map's order into it.
        Map<String, Object> extra = new HashMap<>();
        for (String k : List.of("y", "x", "rows", "note", "b", "a")) extra.put(k, k);
        List<String> sorted = List.of("a", "b", "note", "rows", "x", "y");
        assertNotEquals(sorted, new ArrayList<>(extra.keySet()), "the test needs a HashMap whose order is not the sorted one");
        Path out = tmp.resolve("run");
        org.lca4j.train.Trainer.run(org.lca4j.train.TrainConfig.builder().model("20,16,4").data("synthetic").syntheticSize(600).batch(50).steps(1)
                .device("cpu").out(out).build(), new RunRecorder(out, extra));
        List<String> keys = keys(Json.read(out.resolve(RunFiles.RUN_JSON)));
        assertEquals(sorted, keys.subList(keys.indexOf("started") + 1, keys.indexOf("started") + 1 + sorted.size()), keys.toString());
    }
}
