// Per-block partial sums and their cleanup: one block per layer adds that layer's partials in index
// order, strided over the threads, then reduces them in a fixed tree. Shared by the fused LCA and the
// fused optimizer kernels, in both ways they can share out the parameters (compile-time, so cuda/dev
// can time both: bench/device/chunk_variants.sh, variant suffix "p"):
//   chunked (default): one block per chunk of one layer, one partial per chunk. As many blocks as
//     chunks, so the grid's last wave can stand part-empty, which costs most at 10^7 parameters
//     (README, "Performance"), and every chunk pays a block reduction.
//   spread (LCA4J_SPREAD=1): exactly the blocks resident at once, each given an equal run of the
//     parameters in quads (4 consecutive ones of a layer), crossing layer ends, with one partial per
//     (block, layer) it touches: one reduction per piece instead of per chunk.
#pragma once
#include "common.cuh"

#ifndef LCA4J_SPREAD
#define LCA4J_SPREAD 0
#endif

namespace lca4j {

template <int MAXL>
struct CleanupArgs {
    int n_layers;
    int chunk_base;
    int prefix[MAXL + 1];
};

// A double sum and two counts per chunk (and per slot, for kernels that fill several estimators).
inline size_t partial_bytes(int64_t chunks) { return (size_t)chunks * (sizeof(double) + 2 * sizeof(long long)); }

// Reduces this block's sum and counts in the fixed tree and writes them as partial p (thread 0).
__device__ inline void write_partial(double sum, long long neg, long long pos, int64_t p, double *part_sum, long long *part_neg,
                                     long long *part_pos) {
    __shared__ double sh_d[THREADS / 32];
    __shared__ long long sh_i[THREADS / 32];
    sum = block_sum(sum, sh_d);
    neg = block_sum(neg, sh_i);
    pos = block_sum(pos, sh_i);
    if (threadIdx.x == 0) {
        part_sum[p] = sum;
        part_neg[p] = neg;
        part_pos[p] = pos;
    }
}

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

inline int64_t quads_of(int64_t n) { return (n + 3) / 4; }

// A layer's units of work: chunks, or quads when spread.
inline int64_t units_of(int64_t n) { return LCA4J_SPREAD ? quads_of(n) : chunks_of(n); }

// Blocks of a spread launch: those resident at once (the kernels are compiled for LCA4J_MIN_BLOCKS per
// multiprocessor), fewer when there are not THREADS quads for each.
inline int64_t spread_blocks(int64_t quads) {
    const int64_t resident = (int64_t)sm_count() * LCA4J_MIN_BLOCKS, need = (quads + THREADS - 1) / THREADS;
    return need < resident ? (need < 1 ? 1 : need) : resident;
}

// Partials (per slot) of one launch over these layers: a chunk each, or a spread launch's pieces.
// A spread piece's index is block + layer, so fewer than blocks + layers.
inline int64_t launch_partials(const int64_t *sizes, int n_layers) {
    int64_t units = 0;
    for (int l = 0; l < n_layers; l++) units += units_of(sizes[l]);
    return LCA4J_SPREAD ? spread_blocks(units) + n_layers : units;
}

// Spread: block b of B takes quads [b·Q/B, (b+1)·Q/B) of the Q in all layers (prefix[l] quads before
// layer l). Each (block, layer) piece gets the partial index b + l: indices grow strictly along the
// (block, layer) staircase, so layer l's partials are those of blocks block_of_quad(its first quad)
// to block_of_quad(its last), consecutive, and no two pieces share one.
__host__ __device__ inline int64_t block_of_quad(int64_t q, int64_t quads, int64_t blocks) { return ((q + 1) * blocks - 1) / quads; }

// Calls piece(l, first, end, p) for each run of this block's share: quads [first, end) of layer l
// (end may pass the layer's last quad; callers clip to its size), written as partial p. Chunked,
// that is one chunk (prefix[l] chunks before layer l, p = the block); spread, one call per layer the
// block's run touches. Uniform over the block, so piece may use barriers.
template <typename F>
__device__ inline void for_each_share(const int64_t *prefix, int n_layers, F piece) {
#if LCA4J_SPREAD
    const int64_t b = blockIdx.x, blocks = gridDim.x, quads = prefix[n_layers];
    int64_t q = b * quads / blocks;
    const int64_t q_end = (b + 1) * quads / blocks;
    int l = layer_of_block(prefix, n_layers, q);
    while (q < q_end) {
        const int64_t piece_end = min(q_end, prefix[l + 1]);
        piece(l, q - prefix[l], piece_end - prefix[l], b + l);
        q = piece_end;
        while (l < n_layers - 1 && prefix[l + 1] <= q) l++;  // passes over empty layers
    }
#else
    const int64_t block = blockIdx.x;
    const int l = layer_of_block(prefix, n_layers, block);
    const int64_t first = (block - prefix[l]) * (CHUNK / 4);
    piece(l, first, first + CHUNK / 4, block);
#endif
}

template <int MAXL>
struct SpreadCleanupArgs {
    int64_t base;    // partial index of this launch's first
    int64_t blocks;  // of the spread launch
    int64_t prefix[MAXL + 1];
};

// Layer l's partials from the spread launch; an empty layer has none, and its totals are 0.
template <int MAXL>
__global__ void __launch_bounds__(THREADS) spread_cleanup_kernel(const __grid_constant__ SpreadCleanupArgs<MAXL> a, int slots,
                                                                 const double *part_sum, const long long *part_neg,
                                                                 const long long *part_pos, int64_t per_slot, double *out_sum,
                                                                 int64_t *out_neg, int64_t *out_pos, int64_t out_stride, int out_base) {
    const int l = blockIdx.x;
    const int64_t first = a.prefix[l], last = a.prefix[l + 1] - 1, quads = a.prefix[gridDim.x];
    int64_t begin = 0, end = 0;
    if (last >= first) {
        begin = a.base + block_of_quad(first, quads, a.blocks) + l;
        end = a.base + block_of_quad(last, quads, a.blocks) + l + 1;
    }
    reduce_layer_partials(l, begin, end, slots, part_sum, part_neg, part_pos, per_slot, out_sum, out_neg, out_pos, out_stride, out_base);
}

// The cleanup launch for either sharing: n_layers blocks; units_prefix[l] = units before layer l.
template <int MAXL, typename I>
inline int launch_cleanup(const char *name, const I *units_prefix, int n_layers, int64_t base, int64_t spread_grid, int slots, const double *ps,
                          const long long *pn, const long long *pp, int64_t per_slot, double *out_sum, int64_t *out_neg,
                          int64_t *out_pos, int64_t out_stride, int out_base, cudaStream_t stream) {
#if LCA4J_SPREAD
    static thread_local SpreadCleanupArgs<MAXL> ca;  // ~2.6 KB per instantiation: off the stack
    ca.base = base;
    ca.blocks = spread_grid;
    for (int l = 0; l <= n_layers; l++) ca.prefix[l] = units_prefix[l];
    spread_cleanup_kernel<MAXL><<<n_layers, THREADS, 0, stream>>>(ca, slots, ps, pn, pp, per_slot, out_sum, out_neg, out_pos, out_stride,
                                                                  out_base);
#else
    (void)spread_grid;
    CleanupArgs<MAXL> ca;
    ca.n_layers = n_layers;
    ca.chunk_base = (int)base;
    for (int l = 0; l <= n_layers; l++) ca.prefix[l] = (int)units_prefix[l];
    cleanup_kernel<MAXL><<<n_layers, THREADS, 0, stream>>>(ca, slots, ps, pn, pp, per_slot, out_sum, out_neg, out_pos, out_stride, out_base);
#endif
    LCA4J_CHECK_LAUNCH(name);
    return 0;
}

}  // namespace lca4j
