// Shared by the lca4j kernels: error bookkeeping, the chunk layout, and a fixed-order block reduction.
// Why fixed order: reruns must give the same bits (no float atomics), see docs/LCA.md "Precision".
#pragma once
#include <cuda_runtime.h>
#include <stdint.h>
#include "lca4j.h"

namespace lca4j {

// Threads per block of the chunked kernels, and elements per chunk. A chunk belongs to one layer,
// so per-chunk partial sums add up per layer without atomics; each thread takes 4 consecutive
// elements (one 16-byte load per input) LCA4J_CHUNK_STEPS times. Shorter chunks mean less idle time
// in a grid's last wave, longer ones fewer partials for the cleanup to add: the length is a
// compile-time setting only so that cuda/dev can time others (bench/device/chunk_variants.sh).
#ifndef LCA4J_CHUNK_STEPS
#define LCA4J_CHUNK_STEPS 8
#endif
// Blocks per SM the chunked kernels are compiled to fit (__launch_bounds__): more blocks hide more
// memory latency, but squeezing registers can spill. Settable like the chunk length, for timing.
// 8 steps × 3 blocks measured best on an H100 from 10^7 parameters up (fused LCA 96% of a copy's
// bandwidth at 10^8, against 81% at the compiler's own register choice; optimizer + LCA 6% faster):
// bench/results/gpu/h100-2026-11-23/variants/variants.md.
#ifndef LCA4J_MIN_BLOCKS
#define LCA4J_MIN_BLOCKS 3
#endif
constexpr int THREADS = 256;
constexpr int64_t CHUNK = THREADS * 4 * LCA4J_CHUNK_STEPS;

void record_failure(const char *call);

// Checks a CUDA call; on failure remembers its name for lca4j_last_call() and returns its status.
// The runtime also keeps a failed call's error as the thread's "last error" until someone reads
// it, and the next launch check reads exactly that: without the reset here, a caller that handled
// an out-of-memory (a smaller batch, the CPU fallback) would see its next kernel fail with it.
#define LCA4J_CHECK(call)                                      \
    do {                                                       \
        cudaError_t e_ = (call);                               \
        if (e_ != cudaSuccess) {                               \
            (void)cudaGetLastError();                          \
            ::lca4j::record_failure(#call);                    \
            return (int)e_;                                    \
        }                                                      \
    } while (0)

// A launch's own errors (bad configuration) show at once; faults inside it show at the next sync.
#define LCA4J_CHECK_LAUNCH(name)                               \
    do {                                                       \
        cudaError_t e_ = cudaGetLastError();                   \
        if (e_ != cudaSuccess) {                               \
            ::lca4j::record_failure(name);                     \
            return (int)e_;                                    \
        }                                                      \
    } while (0)

inline int64_t chunks_of(int64_t n) { return (n + CHUNK - 1) / CHUNK; }

// The layer whose range holds `block` (a chunk, or a quad of the spread kernels): the last l with
// prefix[l] <= block, so empty layers are passed over. All threads of a block search the same
// value, so the loads from the kernel argument stay uniform.
template <typename I>
__host__ __device__ inline int layer_of_block(const I *prefix, int n_layers, I block) {
    int lo = 0, hi = n_layers - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (prefix[mid] <= block) lo = mid; else hi = mid - 1;
    }
    return lo;
}

// Tree reduction in a fixed shape: xor-shuffles inside each warp, then warp 0 over the warps' results.
template <typename T>
__device__ inline T warp_sum(T v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

template <typename T>
__device__ inline T block_sum(T v, T *shared /* [THREADS / 32] */) {
    v = warp_sum(v);
    int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    __syncthreads();  // shared may still be read by an earlier block_sum
    if (lane == 0) shared[warp] = v;
    __syncthreads();
    T r = 0;
    if (warp == 0) {
        r = lane < (int)(blockDim.x / 32) ? shared[lane] : T(0);
        r = warp_sum(r);
    }
    return r;  // valid in thread 0
}

// Blocks for a grid-stride loop over n elements: enough to fill every SM a few times over; more
// only adds scheduling.
// Multiprocessors of the current device, asked once per thread; a guess will do if asking fails.
inline int sm_count() {
    static thread_local int sms = 0;
    if (sms == 0) {
        int dev = 0;
        if (cudaGetDevice(&dev) != cudaSuccess || cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev) != cudaSuccess) {
            (void)cudaGetLastError();  // the next launch check must not read this error
            sms = 108;
        }
    }
    return sms;
}

inline int grid_for(int64_t n) {
    int64_t need = (n + THREADS - 1) / THREADS;
    int64_t cap = (int64_t)sm_count() * 8;
    return (int)(need < cap ? (need < 1 ? 1 : need) : cap);
}

// Launches a grid-stride kernel over n items (nothing to do for n = 0) and checks the launch: the
// tail of every element-wise launcher.
template <typename... P, typename... A>
inline int launch_grid_stride(const char *name, void (*kernel)(P...), int64_t n, void *stream, A... args) {
    if (n == 0) return 0;
    kernel<<<grid_for(n), THREADS, 0, (cudaStream_t)stream>>>(args...);
    LCA4J_CHECK_LAUNCH(name);
    return 0;
}

inline bool aligned16(const void *p) { return ((uintptr_t)p & 15u) == 0; }

// Four consecutive values starting at i; k < 4 only at a layer's end. The vector and scalar paths
// move the same values, so alignment never changes a result.
template <typename T>
__device__ inline void load4(const T *p, int64_t i, int k, bool vec, T *out) {
    if (vec && k == 4) {
        if constexpr (sizeof(T) == 4) {
            const float4 q = *reinterpret_cast<const float4 *>(p + i);
            out[0] = q.x; out[1] = q.y; out[2] = q.z; out[3] = q.w;
        } else {
            const double2 q0 = *reinterpret_cast<const double2 *>(p + i), q1 = *reinterpret_cast<const double2 *>(p + i + 2);
            out[0] = q0.x; out[1] = q0.y; out[2] = q1.x; out[3] = q1.y;
        }
    } else {
#pragma unroll
        for (int j = 0; j < 4; j++) out[j] = j < k ? p[i + j] : T(0);
    }
}

template <typename T>
__device__ inline void store4(T *p, int64_t i, int k, bool vec, const T *in) {
    if (vec && k == 4) {
        if constexpr (sizeof(T) == 4) {
            *reinterpret_cast<float4 *>(p + i) = make_float4(in[0], in[1], in[2], in[3]);
        } else {
            *reinterpret_cast<double2 *>(p + i) = make_double2(in[0], in[1]);
            *reinterpret_cast<double2 *>(p + i + 2) = make_double2(in[2], in[3]);
        }
    } else {
#pragma unroll
        for (int j = 0; j < 4; j++) if (j < k) p[i + j] = in[j];
    }
}

}  // namespace lca4j
