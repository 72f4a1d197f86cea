package org.lca4j.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            MAPPER.writeValue(out, tree);
        } catch (IOException e) {
            // A full disk leaves the previous version in place; the half-written copy goes.
            Files.deleteIfExists(tmp);
            throw e;
        }
        return new Staged(tmp, file);
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
