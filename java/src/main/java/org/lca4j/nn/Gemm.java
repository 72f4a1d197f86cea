package org.lca4j.nn;

import dev.ludovic.netlib.blas.BLAS;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Row-major SGEMM on top of netlib's column-major BLAS (OpenBLAS through JNI when the system has
 * libblas.so.3, else netlib's Java fallback). A row-major C = op(A)·op(B) is the column-major
 * Cᵀ = op(B)ᵀ·op(A)ᵀ, so the operands are swapped rather than copied.
 */
public final class Gemm {
    private static final BLAS BLAS_INSTANCE = load();

    private Gemm() {
    }

    private static BLAS load() {
        // netlib logs a warning for every implementation it skips on the way to the one it uses.
        Logger.getLogger("dev.ludovic.netlib.blas").setLevel(Level.SEVERE);
        return BLAS.getInstance();
    }

    /** Which BLAS implementation runs the products, for run.json's environment. */
    public static String implementation() {
        String n = BLAS_INSTANCE.getClass().getSimpleName();
        return n.startsWith("JNI") ? "native BLAS (libblas.so.3 via netlib JNI)" : "netlib " + n + " (pure Java; install libopenblas0 for speed)";
    }

    /** C[m,n] = alpha·op(A)[m,k]·op(B)[k,n] + beta·C, all row-major with leading dimensions as stored. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int offA, int lda, float[] b, int offB, int ldb,
                             float beta, float[] c, int offC, int ldc) {
        BLAS_INSTANCE.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, offB, ldb, a, offA, lda, beta, c, offC, ldc);
    }
}
