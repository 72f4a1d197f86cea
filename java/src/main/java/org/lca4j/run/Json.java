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
import org.lca4j.io.Staged;

/** run.json and model.json: pretty, atomically replaced, NaN written as null so any JSON reader accepts it. */
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
                MAPPER.writeValue(out, tree);
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

    /** JSON has no NaN or infinity. */
    public static Double num(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
