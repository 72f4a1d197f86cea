// Per-chunk partial sums and their cleanup: one block per layer adds that layer's partials in index
// order, strided over the threads, then reduces them in a fixed tree. Shared by every chunked kernel.
#pragma once
#include "common.cuh"

namespace lca4j {

template <int MAXL>
struct CleanupArgs {
    int n_layers;
    int chunk_base;
    int prefix[MAXL + 1];
};

inline int64_t total_chunks(const int64_t *sizes, int n_layers) {
    int64_t c = 0;
    for (int l = 0; l < n_layers; l++) c += chunks_of(sizes[l]);
    return c;
}

// A double sum and two counts per chunk (and per slot, for kernels that fill several estimators).
inline size_t partial_bytes(int64_t chunks) { return (size_t)chunks * (sizeof(double) + 2 * sizeof(long long)); }

// Slot s of layer l goes to out_*[s·out_stride + out_base + l].
template <int MAXL>
__global__ void __launch_bounds__(THREADS) cleanup_kernel(const __grid_constant__ CleanupArgs<MAXL> a, int slots,
                                                          const double *part_sum, const long long *part_neg,
                                                          const long long *part_pos, int64_t chunks_per_slot,
                                                          double *out_sum, int64_t *out_neg, int64_t *out_pos,
                                                          int64_t out_stride, int out_base) {
    __shared__ double sh_d[THREADS / 32];
    __shared__ long long sh_i[THREADS / 32];
    const int l = blockIdx.x;
    for (int s = 0; s < slots; s++) {
        const int64_t off = s * chunks_per_slot + a.chunk_base;
        double sum = 0;
        long long neg = 0, pos = 0;
        for (int c = a.prefix[l] + threadIdx.x; c < a.prefix[l + 1]; c += THREADS) {
            sum += part_sum[off + c];
            neg += part_neg[off + c];
            pos += part_pos[off + c];
        }
        sum = block_sum(sum, sh_d);
        neg = block_sum(neg, sh_i);
        pos = block_sum(pos, sh_i);
        if (threadIdx.x == 0) {
            out_sum[s * out_stride + out_base + l] = sum;
            out_neg[s * out_stride + out_base + l] = neg;
            out_pos[s * out_stride + out_base + l] = pos;
        }
    }
}

}  // namespace lca4j
