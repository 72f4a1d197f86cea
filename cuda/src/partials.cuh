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

// Adds partials [begin, end) of every slot for layer l in index order and writes slot s's totals to
// out_*[s·out_stride + out_base + l] (thread 0): the body of every cleanup launch, one block per layer.
__device__ inline void reduce_layer_partials(int l, int64_t begin, int64_t end, int slots, const double *part_sum,
                                             const long long *part_neg, const long long *part_pos, int64_t chunks_per_slot,
                                             double *out_sum, int64_t *out_neg, int64_t *out_pos, int64_t out_stride, int out_base) {
    __shared__ double sh_d[THREADS / 32];
    __shared__ long long sh_i[THREADS / 32];
    for (int s = 0; s < slots; s++) {
        const int64_t off = s * chunks_per_slot;
        double sum = 0;
        long long neg = 0, pos = 0;
        for (int64_t c = begin + threadIdx.x; c < end; c += THREADS) {
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

// Layer l's partials are its chunks, prefix[l] to prefix[l + 1], after the launch's chunk_base.
template <int MAXL>
__global__ void __launch_bounds__(THREADS) cleanup_kernel(const __grid_constant__ CleanupArgs<MAXL> a, int slots,
                                                          const double *part_sum, const long long *part_neg,
                                                          const long long *part_pos, int64_t chunks_per_slot,
                                                          double *out_sum, int64_t *out_neg, int64_t *out_pos,
                                                          int64_t out_stride, int out_base) {
    const int l = blockIdx.x;
    reduce_layer_partials(l, a.chunk_base + a.prefix[l], a.chunk_base + a.prefix[l + 1], slots, part_sum, part_neg, part_pos,
                          chunks_per_slot, out_sum, out_neg, out_pos, out_stride, out_base);
}

}  // namespace lca4j
