package org.lca4j.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * cuBLAS through FFM, found at run time: JCublas 12.x links libcublas.so.12, which CUDA 13 machines
 * lack, so lca4j binds whichever cuBLAS the machine has. Search order: the system property
 * {@code lca4j.cublas.path} or the environment variable {@code LCA4J_CUBLAS_LIB} (a file); else
 * libcublas.so.13, then .12, through the dynamic linker (LD_LIBRARY_PATH, ld.so.cache); else the same
 * names in CUDA's and pip's usual directories (/usr/local/cuda/lib64, site-packages/nvidia/.../lib).
 * Only what the GPU harness needs: a handle on a stream and SGEMM (column-major, as cuBLAS is).
 */
public final class Cublas implements AutoCloseable {
    static final String PROPERTY = "lca4j.cublas.path";
    static final String ENV = "LCA4J_CUBLAS_LIB";
    private static final String[] NAMES = {"libcublas.so.13", "libcublas.so.12"};
    private static final String[] SYMBOLS = {"cublasCreate_v2", "cublasSetStream_v2", "cublasDestroy_v2", "cublasGetStatusString", "cublasSgemm_v2"};
    private static final int OP_N = 0, OP_T = 1;
    private static final Linker LINKER = Linker.nativeLinker();

    private final MethodHandle destroy, sgemm, statusString;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment handle;
    private final MemorySegment scalars;
    private final String source;
    private boolean closed;

    private Cublas(SymbolLookup lookup, String source, long stream) {
        this.source = source;
        MethodHandle create = bind(lookup, "cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MethodHandle setStream = bind(lookup, "cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        destroy = bind(lookup, "cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        statusString = bind(lookup, "cublasGetStatusString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        sgemm = bind(lookup, "cublasSgemm_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        scalars = arena.allocate(JAVA_FLOAT, 2);
        MemorySegment out = arena.allocate(ADDRESS);
        try {
            check("cublasCreate_v2", (int) create.invokeExact(out));
            handle = out.get(ADDRESS, 0);
            check("cublasSetStream_v2", (int) setStream.invokeExact(handle, MemorySegment.ofAddress(stream)));
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        } catch (Throwable t) {
            arena.close();
            throw new IllegalStateException(t);
        }
    }

    private static NativeLibrary.Loaded located;

    /** A handle on {@code stream} (0: the default stream); throws with every place looked when there is no cuBLAS. */
    public static Cublas open(long stream) {
        NativeLibrary.Loaded found = located();
        if (found.lookup() == null) throw new IllegalStateException(found.reason());
        return new Cublas(found.lookup(), found.source(), stream);
    }

    /** This process's cuBLAS, or why there is none: searched once (property, environment, then the search). */
    static synchronized NativeLibrary.Loaded located() {
        if (located == null) located = find(System.getProperty(PROPERTY, System.getenv(ENV)));
        return located;
    }

    /** Where cuBLAS is, or why none was found: {@code explicit} (a file) when given, else the search. */
    static NativeLibrary.Loaded find(String explicit) {
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            if (!Files.isRegularFile(p)) return new NativeLibrary.Loaded(null, explicit, "no cuBLAS at " + p + " (from " + PROPERTY + " / " + ENV + ")");
            return openFile(p);
        }
        for (String name : NAMES) {
            try {
                return complete(SymbolLookup.libraryLookup(name, Arena.global()), name);
            } catch (IllegalArgumentException notOnPath) {
                // next name, then the usual directories
            }
        }
        for (Path dir : usualDirectories()) {
            for (String name : NAMES) {
                Path p = dir.resolve(name);
                if (Files.isRegularFile(p)) return openFile(p);
            }
        }
        return new NativeLibrary.Loaded(null, null, "no cuBLAS: looked for " + String.join(" and ", NAMES)
                + " on the library path, in /usr/local/cuda/lib64 and pip's nvidia packages; set " + PROPERTY + " or " + ENV + " to the file");
    }

    private static NativeLibrary.Loaded openFile(Path p) {
        NativeLibrary.Loaded opened = NativeLibrary.open(p, p.toString(), "cuBLAS from " + p);
        return opened.lookup() == null ? opened : complete(opened.lookup(), opened.source());
    }

    /**
     * {@code lookup} if it has every function bound here, else why not: a library that loads but is
     * not cuBLAS (or one older than CUDA 11.4, without cublasGetStatusString) must leave the
     * gradients on the CPU with the reason, not fail a run that already chose the GPU.
     */
    private static NativeLibrary.Loaded complete(SymbolLookup lookup, String source) {
        for (String name : SYMBOLS) {
            if (lookup.find(name).isEmpty()) {
                return new NativeLibrary.Loaded(null, source, "the cuBLAS at " + source + " has no " + name + " (not cuBLAS, or older than CUDA 11.4); set "
                        + PROPERTY + " or " + ENV + " to libcublas.so.12 or .13");
            }
        }
        return new NativeLibrary.Loaded(lookup, source, null);
    }

    /** CUDA's lib64 and the lib folders of pip's nvidia wheels (cu13 bundles cuBLAS; older wheels have nvidia/cublas). */
    static List<Path> usualDirectories() {
        List<Path> dirs = new ArrayList<>(List.of(Path.of("/usr/local/cuda/lib64")));
        List<Path> sitePackages = new ArrayList<>();
        for (String root : List.of("/usr/local/lib", "/usr/lib", System.getProperty("user.home") + "/.local/lib", "/opt/conda/lib")) {
            try (DirectoryStream<Path> pythons = Files.newDirectoryStream(Path.of(root), "python3*")) {
                for (Path py : pythons) {
                    sitePackages.add(py.resolve("site-packages"));
                    sitePackages.add(py.resolve("dist-packages"));
                }
            } catch (IOException | RuntimeException absent) {
                // no such root on this machine
            }
        }
        for (Path sp : sitePackages) {
            dirs.add(sp.resolve("nvidia/cu13/lib"));
            dirs.add(sp.resolve("nvidia/cublas/lib"));
        }
        return dirs;
    }

    private static MethodHandle bind(SymbolLookup lookup, String name, FunctionDescriptor fd) {
        MemorySegment symbol = lookup.find(name).orElseThrow(() -> new IllegalStateException("cuBLAS library has no symbol " + name));
        return LINKER.downcallHandle(symbol, fd);
    }

    /** Where this handle's cuBLAS came from. */
    public String source() {
        return source;
    }

    /**
     * C = α·op(A)·op(B) + β·C on device memory, column-major with leading dimensions, as cublasSgemm
     * (op = transpose when the flag is set); asynchronous on the handle's stream.
     */
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb,
                      float beta, long c, int ldc) {
        if (closed) throw new IllegalStateException("cuBLAS handle is closed");
        // cuBLAS does not look at its pointers: a null matrix faults on the device (on a GPU that ends
        // the CUDA context), so name it here. Empty products read nothing.
        if (m > 0 && n > 0) {
            if (c == 0) throw new IllegalArgumentException("cuBLAS sgemm: C device address is null");
            if (k > 0 && a == 0) throw new IllegalArgumentException("cuBLAS sgemm: A device address is null");
            if (k > 0 && b == 0) throw new IllegalArgumentException("cuBLAS sgemm: B device address is null");
        }
        scalars.setAtIndex(JAVA_FLOAT, 0, alpha);
        scalars.setAtIndex(JAVA_FLOAT, 1, beta);
        try {
            check("cublasSgemm_v2", (int) sgemm.invokeExact(handle, transA ? OP_T : OP_N, transB ? OP_T : OP_N, m, n, k,
                    scalars, MemorySegment.ofAddress(a), lda, MemorySegment.ofAddress(b), ldb,
                    scalars.asSlice(JAVA_FLOAT.byteSize()), MemorySegment.ofAddress(c), ldc));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private void check(String call, int status) {
        if (status == 0) return;
        String message;
        try {
            message = ((MemorySegment) statusString.invokeExact(status)).reinterpret(256).getString(0);
        } catch (Throwable t) {
            message = "cuBLAS status " + status;
        }
        throw new CudaException(call, status, message, "");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            check("cublasDestroy_v2", (int) destroy.invokeExact(handle));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            arena.close();
        }
    }
}
