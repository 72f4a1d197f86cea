package org.lca4j.nn;

import dev.ludovic.netlib.blas.BLAS;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Row-major SGEMM on top of netlib's column-major BLAS (OpenBLAS through JNI when the system has
 * libblas.so.3, else netlib's Java fallback). A row-major C = op(A)·op(B) is the column-major
 * Cᵀ = op(B)ᵀ·op(A)ᵀ, so the operands are swapped rather than copied.
 */
public final class Gemm {
    private static final BLAS BLAS_INSTANCE = load();
    /** The library netlib's JNI part opens, by the same properties it reads. */
    private static final String NATIVE_LIB = System.getProperty("dev.ludovic.netlib.blas.nativeLibPath",
            System.getProperty("dev.ludovic.netlib.blas.nativeLib", "libblas.so.3"));

    private Gemm() {
    }

    private static BLAS load() {
        // netlib logs a warning for every implementation it skips on the way to the one it uses.
        Logger.getLogger("dev.ludovic.netlib.blas").setLevel(Level.SEVERE);
        return BLAS.getInstance();
    }

    /**
     * Which BLAS implementation runs the products, for run.json's environment; for OpenBLAS also its
     * build, CPU kernels and threads, which decide the products' last bits (README, "Which runs give
     * the same bits").
     */
    public static String implementation() {
        String n = BLAS_INSTANCE.getClass().getSimpleName();
        if (!n.startsWith("JNI")) return "netlib " + n + " (pure Java; install libopenblas0 for speed)";
        String openBlas = openBlas();
        return "native BLAS (" + NATIVE_LIB + " via netlib JNI" + (openBlas == null ? "" : ": " + openBlas) + ")";
    }

    /** "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64, 2 threads" when the native BLAS is OpenBLAS, else null. */
    static String openBlas() {
        try {
            SymbolLookup lib = SymbolLookup.libraryLookup(NATIVE_LIB, Arena.global());
            Linker linker = Linker.nativeLinker();
            MemorySegment config = (MemorySegment) linker.downcallHandle(lib.find("openblas_get_config").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS)).invokeExact();
            int threads = (int) linker.downcallHandle(lib.find("openblas_get_num_threads").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT)).invokeExact();
            return config.reinterpret(Integer.MAX_VALUE).getString(0).trim() + ", " + threads + (threads == 1 ? " thread" : " threads");
        } catch (Throwable e) {
            return null; // another BLAS, or none to ask: the plain description says enough
        }
    }

    /** C[m,n] = alpha·op(A)[m,k]·op(B)[k,n] + beta·C, all row-major with leading dimensions as stored. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int offA, int lda, float[] b, int offB, int ldb,
                             float beta, float[] c, int offC, int ldc) {
        BLAS_INSTANCE.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, offB, ldb, a, offA, lda, beta, c, offC, ldc);
    }
}
