package org.lca4j.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
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
        return load(explicit, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** As {@link #load(String)}, extracting the jar's copy into {@code tmpDir}. */
    static Loaded load(String explicit, Path tmpDir) {
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            if (!Files.isRegularFile(p)) return new Loaded(null, explicit, "liblca4j not found at " + p + " (from " + PROPERTY + " / " + ENV + ")");
            return open(p, p.toString(), p.toString());
        }
        String resource = "/native/" + platform() + "/liblca4j.so";
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) return new Loaded(null, resource, "this lca4j build has no CUDA library for " + platform() + " (it was built without nvcc)");
            Path tmp = Files.createTempFile(tmpDir, "liblca4j-", ".so");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return open(tmp, "jar:" + resource, "jar:" + resource);
        } catch (IOException e) {
            // An IOException's message is often the bare path (NoSuchFileException, AccessDeniedException): say which.
            return new Loaded(null, resource, "cannot extract " + resource + " to a temporary file in " + tmpDir + " (" + e.getClass().getSimpleName()
                    + ": " + e.getMessage() + "); point java.io.tmpdir at a writable directory, or " + PROPERTY + " / " + ENV + " at the library");
        }
    }

    /**
     * Opens a shared library file, or says why not ("cannot load {@code what}: …"): its ELF header is
     * read first ({@link #loadProblem}), and the dynamic linker's own reason is added to a refusal.
     * liblca4j's loading and cuBLAS's both go through here.
     */
    static Loaded open(Path file, String source, String what) {
        String why = loadProblem(file);
        if (why != null) return new Loaded(null, source, "cannot load " + what + ": " + why);
        try {
            return new Loaded(SymbolLookup.libraryLookup(file, Arena.global()), source, null);
        } catch (IllegalArgumentException | IllegalCallerException e) {
            return new Loaded(null, source, "cannot load " + what + ": " + e.getMessage() + dlerror(file));
        }
    }

    /**
     * Why {@code file} cannot be a shared library for this JVM, or null: read before the dynamic
     * linker sees it, because dlopen maps a truncated library's segments past the end of the file and
     * the first touch kills the JVM with SIGBUS, and for a file that is no ELF library at all the JVM
     * prints a two-line stack-guard warning and the loader says only "Cannot open library".
     */
    static String loadProblem(Path file) {
        try (FileChannel ch = FileChannel.open(file)) {
            long size = ch.size();
            ByteBuffer h = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            while (h.hasRemaining() && ch.read(h, h.position()) > 0) {
                // read the header, or as much as the file has
            }
            if (h.position() < 4 || h.getInt(0) != 0x464c457f) return "not a shared library (no ELF header; " + size + " bytes)";
            if (h.position() < 64) return "truncated ELF file (" + size + " bytes, shorter than its header)";
            if (h.get(4) != 2 || h.get(5) != 1) return "not a 64-bit little-endian ELF library";
            int type = h.getShort(16) & 0xffff, machine = h.getShort(18) & 0xffff;
            if (type != 3) return "not a shared library (ELF type " + type + ", a shared object is 3)";
            int expected = switch (System.getProperty("os.arch", "")) {
                case "amd64", "x86_64" -> 62;
                case "aarch64" -> 183;
                default -> machine;
            };
            if (machine != expected) return "built for another processor (ELF machine " + machine + ", this JVM runs on " + System.getProperty("os.arch") + ")";
            long phoff = h.getLong(32);
            int phentsize = h.getShort(54) & 0xffff, phnum = h.getShort(56) & 0xffff;
            if (phentsize != 56 || phoff < 0 || phoff + (long) phnum * phentsize > size) {
                return "truncated or corrupt ELF file: its program headers end past its " + size + " bytes";
            }
            ByteBuffer ph = ByteBuffer.allocate(phnum * phentsize).order(ByteOrder.LITTLE_ENDIAN);
            while (ph.hasRemaining() && ch.read(ph, phoff + ph.position()) > 0) {
                // all program headers
            }
            for (int i = 0; i < phnum; i++) {
                int at = i * phentsize;
                long offset = ph.getLong(at + 8), fileSize = ph.getLong(at + 32);
                if (ph.getInt(at) == 1 /* PT_LOAD */ && (offset < 0 || fileSize < 0 || offset + fileSize > size)) {
                    return "truncated ELF file: a segment ends at byte " + (offset + fileSize) + " but the file has " + size + " (an interrupted copy?)";
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "cannot read it (" + e.getMessage() + ")";
        }
    }

    /**
     * The dynamic linker's own reason for refusing {@code file} (a missing dependency, say), which the
     * JDK's "Cannot open library" leaves out: asked again through dlopen/dlerror; "" when unavailable.
     */
    static String dlerror(Path file) {
        try (Arena a = Arena.ofConfined()) {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            MethodHandle dlopen = linker.downcallHandle(libc.find("dlopen").orElseThrow(), FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
            MethodHandle dlerror = linker.downcallHandle(libc.find("dlerror").orElseThrow(), FunctionDescriptor.of(ADDRESS));
            MethodHandle dlclose = linker.downcallHandle(libc.find("dlclose").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
            MemorySegment handle = (MemorySegment) dlopen.invokeExact(a.allocateFrom(file.toString()), 1 /* RTLD_LAZY */);
            if (!handle.equals(MemorySegment.NULL)) {
                int ignored = (int) dlclose.invokeExact(handle);
                return "";
            }
            MemorySegment why = (MemorySegment) dlerror.invokeExact();
            return why.equals(MemorySegment.NULL) ? "" : " (" + why.reinterpret(4096).getString(0) + ")";
        } catch (Throwable t) {
            return "";
        }
    }
}
