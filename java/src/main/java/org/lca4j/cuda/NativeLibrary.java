package org.lca4j.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Finds and loads liblca4j (cuda/, built by native-build/). In order: the system property
 * {@code lca4j.native.path} or the environment variable {@code LCA4J_NATIVE_LIB} (a file), else the
 * copy packed in the jar under {@code /native/<os>-<arch>/}, extracted to a temporary file (JCuda
 * style). The result, a lookup or the reason there is none, is computed once.
 */
final class NativeLibrary {
    static final String PROPERTY = "lca4j.native.path";
    static final String ENV = "LCA4J_NATIVE_LIB";

    /** A loaded library, or why it could not be loaded (lookup null). */
    record Loaded(SymbolLookup lookup, String source, String reason) {
    }

    private static Loaded loaded;

    private NativeLibrary() {
    }

    static synchronized Loaded get() {
        if (loaded == null) loaded = load();
        return loaded;
    }

    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux") ? "linux" : System.getProperty("os.name");
        String arch = System.getProperty("os.arch", "");
        return os + "-" + (arch.equals("amd64") ? "x86_64" : arch);
    }

    private static Loaded load() {
        return load(System.getProperty(PROPERTY, System.getenv(ENV)));
    }

    /** Loads from {@code explicit} when given, else from the jar. */
    static Loaded load(String explicit) {
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            if (!Files.isRegularFile(p)) return new Loaded(null, explicit, "liblca4j not found at " + p + " (from " + PROPERTY + " / " + ENV + ")");
            return open(p, p.toString());
        }
        String resource = "/native/" + platform() + "/liblca4j.so";
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) return new Loaded(null, resource, "this lca4j build has no CUDA library for " + platform() + " (it was built without nvcc)");
            Path tmp = Files.createTempFile("liblca4j-", ".so");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return open(tmp, "jar:" + resource);
        } catch (IOException e) {
            return new Loaded(null, resource, "cannot extract " + resource + " to a temporary file: " + e.getMessage());
        }
    }

    private static Loaded open(Path file, String source) {
        try {
            return new Loaded(SymbolLookup.libraryLookup(file, Arena.global()), source, null);
        } catch (IllegalArgumentException | IllegalCallerException e) {
            return new Loaded(null, source, "cannot load " + source + ": " + e.getMessage());
        }
    }
}
