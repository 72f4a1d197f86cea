package org.lca4j.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.TreeMap;
import org.lca4j.io.Staged;

/**
 * run.json and model.json: pretty, atomically replaced, NaN written as null so any JSON reader
 * accepts it. Keys come out in a fixed order, so the same run writes the same bytes in every JVM: a
 * map with an order of its own (LinkedHashMap, TreeMap) keeps it, any other (Map.of, HashMap, whose
 * order can change from one JVM to the next) is written sorted by key.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    public static void write(Path file, Object tree) throws IOException {
        stage(file, tree).commitOrDiscard();
    }

    /** Writes the file beside {@code file} without replacing it yet (see {@link Staged}). */
    public static Staged stage(Path file, Object tree) throws IOException {
        return Staged.write(file, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                MAPPER.writeValue(out, fixedOrder(tree));
            }
        });
    }

    public static JsonNode read(Path file) throws IOException {
        try {
            try (InputStream in = Files.newInputStream(file)) {
                return MAPPER.readTree(in);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
    }

    /** The tree with every map that has no order of its own replaced by a copy sorted by key. */
    static Object fixedOrder(Object node) {
        if (node instanceof Map<?, ?> m) {
            Map<Object, Object> out = m instanceof SequencedMap<?, ?> || m.size() < 2
                    ? new LinkedHashMap<>() : new TreeMap<>(Comparator.comparing(String::valueOf));
            m.forEach((k, v) -> out.put(k, fixedOrder(v)));
            return out;
        }
        if (node instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>(c.size());
            for (Object v : c) out.add(fixedOrder(v));
            return out;
        }
        return node;
    }

    /** JSON has no NaN or infinity. */
    public static Double num(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
