// The five cuBLAS entry points lca4j binds (java/.../cuda/Cublas.java), for the CPU emulation
// (cuda_runtime.h): SGEMM as a plain column-major loop over the emulated device's host memory.
// It lets the GPU harness's tests run without a GPU; it is a test double, not a BLAS, and says
// nothing about cuBLAS's own numbers. Built into the emulated liblca4j.so, so it can tell device
// memory from host memory; lca4j.cublas.path points at that same file.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cuda_runtime.h"

// The bytes an m×n column-major operand with leading dimension ld spans.
static bool on_device(const char *what, const float *p, int rows, int cols, int ld) {
    if (rows == 0 || cols == 0) return true;
    if (lca4j_emu::device_range(p, ((size_t)(cols - 1) * ld + rows) * sizeof(float))) return true;
    fprintf(stderr, "lca4j-emu: cublasSgemm_v2: %s is not (all) device memory\n", what);
    return false;
}

extern "C" {

typedef struct Handle {
    void *stream;
} *cublasHandle_t;

enum { OK = 0, NOT_INITIALIZED = 1, INVALID_VALUE = 7 };

__attribute__((visibility("default"))) int cublasCreate_v2(cublasHandle_t *h) {
    if (!h) return INVALID_VALUE;
    *h = new Handle{nullptr};
    return OK;
}

__attribute__((visibility("default"))) int cublasDestroy_v2(cublasHandle_t h) {
    if (!h) return NOT_INITIALIZED;
    delete h;
    return OK;
}

__attribute__((visibility("default"))) int cublasSetStream_v2(cublasHandle_t h, void *stream) {
    if (!h) return NOT_INITIALIZED;
    h->stream = stream;
    return OK;
}

__attribute__((visibility("default"))) const char *cublasGetStatusString(int status) {
    switch (status) {
        case OK: return "CUBLAS_STATUS_SUCCESS";
        case NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
        case INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
        default: return "CUBLAS_STATUS_UNKNOWN";
    }
}

// C = α·op(A)·op(B) + β·C, column-major; op 0 = N, 1 = T. The argument checks are cuBLAS's own.
__attribute__((visibility("default"))) int cublasSgemm_v2(cublasHandle_t h, int ta, int tb, int m, int n, int k, const float *alpha,
                                                          const float *A, int lda, const float *B, int ldb, const float *beta, float *C,
                                                          int ldc) {
    if (!h) return NOT_INITIALIZED;
    if (m < 0 || n < 0 || k < 0 || (ta != 0 && ta != 1) || (tb != 0 && tb != 1) || !alpha || !beta) return INVALID_VALUE;
    if (lda < (ta ? (k > 1 ? k : 1) : (m > 1 ? m : 1)) || ldb < (tb ? (n > 1 ? n : 1) : (k > 1 ? k : 1)) || ldc < (m > 1 ? m : 1))
        return INVALID_VALUE;
    if (!on_device("A", A, ta ? k : m, ta ? m : k, lda) || !on_device("B", B, tb ? n : k, tb ? k : n, ldb) || !on_device("C", C, m, n, ldc))
        return INVALID_VALUE;
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < m; i++) {
            float s = 0.f;
            for (int p = 0; p < k; p++) {
                const float a = ta ? A[(int64_t)i * lda + p] : A[(int64_t)p * lda + i];
                const float b = tb ? B[(int64_t)p * ldb + j] : B[(int64_t)j * ldb + p];
                s += a * b;
            }
            float &c = C[(int64_t)j * ldc + i];
            c = *beta == 0.f ? *alpha * s : *alpha * s + *beta * c;  // β = 0: C is not read (may hold NaN)
        }
    }
    return OK;
}
}
