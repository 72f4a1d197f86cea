// The CUDA runtime calls the Java side needs, re-exported so that Java binds one library: lca4j
// links cudart statically and machines need only the driver. Every call is checked; the failing
// call's name is kept per thread for the Java exception.
#include <stdio.h>
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
    if (e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver) {
        (void)cudaGetLastError();
        *count = 0;
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
