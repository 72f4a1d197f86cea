// The CUDA runtime calls the Java side needs, re-exported so that Java binds one library: lca4j
// links cudart statically and machines need only the driver. Every call is checked; the failing
// call's name is kept per thread for the Java exception.
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include "common.cuh"

namespace lca4j {
static thread_local const char *last_failed = "";
void record_failure(const char *call) { last_failed = call; }
}  // namespace lca4j

using namespace lca4j;

extern "C" int lca4j_abi_version(void) { return LCA4J_ABI_VERSION; }

extern "C" const char *lca4j_last_call(void) { return last_failed; }

extern "C" const char *lca4j_status_string(int status) {
    switch (status) {
        case 0: return "success";
        case LCA4J_ERR_BAD_ARGUMENT: return "bad argument (null pointer, negative size or too many layers)";
        case LCA4J_ERR_WORKSPACE: return "workspace too small";
        case LCA4J_ERR_NO_DEVICE: return "no CUDA device";
        default: return cudaGetErrorString((cudaError_t)status);
    }
}

extern "C" int lca4j_device_count(int *count) {
    if (!count) return LCA4J_ERR_BAD_ARGUMENT;
    *count = 0;
    cudaError_t e = cudaGetDeviceCount(count);
    // No driver or no device is an answer here, not a failure: the Java side falls back to the CPU.
    // The runtime says "insufficient driver" both when there is no driver (its version reads 0) and
    // when the driver is older than this runtime: the latter is a failure to name (update the
    // driver), not "no device" on a machine that has one.
    if (e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver) {
        (void)cudaGetLastError();
        *count = 0;
        int driver = 0;
        if (e == cudaErrorInsufficientDriver && cudaDriverGetVersion(&driver) == cudaSuccess && driver > 0) {
            record_failure("cudaGetDeviceCount(count)");
            return (int)e;
        }
        (void)cudaGetLastError();
        return 0;
    }
    LCA4J_CHECK(e);
    return 0;
}

extern "C" int lca4j_set_device(int device) {
    LCA4J_CHECK(cudaSetDevice(device));
    return 0;
}

extern "C" int lca4j_device_info(int device, char *name, int len, int *sm_count, int *cc_major, int *cc_minor) {
    cudaDeviceProp p;
    LCA4J_CHECK(cudaGetDeviceProperties(&p, device));
    if (name && len > 0) {
        strncpy(name, p.name, (size_t)len - 1);
        name[len - 1] = 0;
    }
    if (sm_count) *sm_count = p.multiProcessorCount;
    if (cc_major) *cc_major = p.major;
    if (cc_minor) *cc_minor = p.minor;
    return 0;
}

extern "C" int lca4j_mem_info(size_t *free_bytes, size_t *total_bytes) {
    LCA4J_CHECK(cudaMemGetInfo(free_bytes, total_bytes));
    return 0;
}

extern "C" int lca4j_malloc(void **d_ptr, size_t bytes) {
    if (!d_ptr) return LCA4J_ERR_BAD_ARGUMENT;
    LCA4J_CHECK(cudaMalloc(d_ptr, bytes));
    return 0;
}

extern "C" int lca4j_free(void *d_ptr) {
    LCA4J_CHECK(cudaFree(d_ptr));
    return 0;
}

extern "C" int lca4j_memcpy_h2d(void *d_dst, const void *src, size_t bytes, void *stream) {
    LCA4J_CHECK(cudaMemcpyAsync(d_dst, src, bytes, cudaMemcpyHostToDevice, (cudaStream_t)stream));
    // Pageable host memory (a Java array's copy) may be reused as soon as we return.
    LCA4J_CHECK(cudaStreamSynchronize((cudaStream_t)stream));
    return 0;
}

extern "C" int lca4j_memcpy_d2h(void *dst, const void *d_src, size_t bytes, void *stream) {
    LCA4J_CHECK(cudaMemcpyAsync(dst, d_src, bytes, cudaMemcpyDeviceToHost, (cudaStream_t)stream));
    LCA4J_CHECK(cudaStreamSynchronize((cudaStream_t)stream));
    return 0;
}

extern "C" int lca4j_memcpy_d2d(void *d_dst, const void *d_src, size_t bytes, void *stream) {
    LCA4J_CHECK(cudaMemcpyAsync(d_dst, d_src, bytes, cudaMemcpyDeviceToDevice, (cudaStream_t)stream));
    return 0;
}

extern "C" int lca4j_memset(void *d_ptr, int value, size_t bytes, void *stream) {
    LCA4J_CHECK(cudaMemsetAsync(d_ptr, value, bytes, (cudaStream_t)stream));
    return 0;
}

extern "C" int lca4j_stream_synchronize(void *stream) {
    LCA4J_CHECK(cudaStreamSynchronize((cudaStream_t)stream));
    return 0;
}

// The Java side describes these structs with FFM layouts by hand; a test compares every size and
// offset with the compiler's, so a field added on one side only fails in CI, not on a GPU.
#define LCA4J_FIELD(s, f) {#s "." #f, offsetof(s, f)}
extern "C" int lca4j_struct_layout(const char *name, size_t *value) {
    static const struct {
        const char *name;
        size_t value;
    } table[] = {
        {"lca4j_layer", sizeof(lca4j_layer)}, LCA4J_FIELD(lca4j_layer, g0), LCA4J_FIELD(lca4j_layer, g1),
        LCA4J_FIELD(lca4j_layer, g2), LCA4J_FIELD(lca4j_layer, d0), LCA4J_FIELD(lca4j_layer, d1),
        LCA4J_FIELD(lca4j_layer, before), LCA4J_FIELD(lca4j_layer, after), LCA4J_FIELD(lca4j_layer, cumulative),
        LCA4J_FIELD(lca4j_layer, step_a), LCA4J_FIELD(lca4j_layer, n),
        {"lca4j_combine", sizeof(lca4j_combine)}, LCA4J_FIELD(lca4j_combine, c_g1), LCA4J_FIELD(lca4j_combine, c_g2),
        LCA4J_FIELD(lca4j_combine, c_d0), LCA4J_FIELD(lca4j_combine, c_d1), LCA4J_FIELD(lca4j_combine, divisor),
        LCA4J_FIELD(lca4j_combine, keep_double),
        {"lca4j_optimizer", sizeof(lca4j_optimizer)}, LCA4J_FIELD(lca4j_optimizer, kind),
        LCA4J_FIELD(lca4j_optimizer, first_step), LCA4J_FIELD(lca4j_optimizer, lr), LCA4J_FIELD(lca4j_optimizer, momentum),
        LCA4J_FIELD(lca4j_optimizer, beta1), LCA4J_FIELD(lca4j_optimizer, beta2), LCA4J_FIELD(lca4j_optimizer, one_minus_beta1),
        LCA4J_FIELD(lca4j_optimizer, one_minus_beta2), LCA4J_FIELD(lca4j_optimizer, eps), LCA4J_FIELD(lca4j_optimizer, step_size),
        LCA4J_FIELD(lca4j_optimizer, bc2_sqrt), LCA4J_FIELD(lca4j_optimizer, prev_lr), LCA4J_FIELD(lca4j_optimizer, prev_step_size),
        LCA4J_FIELD(lca4j_optimizer, prev_bc2_sqrt),
        {"lca4j_debias", sizeof(lca4j_debias)}, LCA4J_FIELD(lca4j_debias, d_grad_half), LCA4J_FIELD(lca4j_debias, d_corr),
        LCA4J_FIELD(lca4j_debias, keep),
    };
    if (!name || !value) return LCA4J_ERR_BAD_ARGUMENT;
    for (const auto &e : table) {
        if (strcmp(e.name, name) == 0) {
            *value = e.value;
            return 0;
        }
    }
    return LCA4J_ERR_BAD_ARGUMENT;
}
