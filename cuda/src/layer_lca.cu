// Fused multi-layer LCA: one launch computes, for every layer, Σ A, the helped and hurt counts, and
// optionally A per parameter and the running per-parameter sums (docs/LCA.md, "Exact LCA").
// Shape after apex's multi_tensor_apply: every layer's pointers travel in the kernel argument with a
// block → layer table; each block reduces its share of the parameters into partials, and a small
// cleanup launch reduces each layer's partials in a fixed order.
// Sharing the parameters out over blocks: chunked by default, spread with LCA4J_SPREAD=1 (partials.cuh).
#include <algorithm>
#include <vector>
#include "partials.cuh"

namespace lca4j {

// Settings every launch shares.
struct LcaMath {
    lca4j_combine c;
    int plain;  // ḡ is g0 itself: skip the combination arithmetic
};

template <int MAXL>
struct LcaArgs {
    int n_layers;
    int chunk_base;  // partial index of this launch's first chunk
    LcaMath math;
    int64_t prefix[MAXL + 1];  // chunked: chunks before layer l; spread: quads (4 parameters) before it
    unsigned char vec[MAXL];  // every pointer of the layer is 16-byte aligned: vector loads
    lca4j_layer layer[MAXL];
};

// Adds A over elements [start, end) of layer L into this thread's sums (start a multiple of 4).
// The explicit _rn intrinsics keep nvcc from contracting into FMAs, so every A is the same double
// the Java backend computes (Java never fuses); only the order of the sums differs.
// PER_PARAM: some layer wants A per parameter or running sums. A separate instantiation, because
// their vector registers cost the sums-only kernel 7% of its bandwidth on the H100 (spills).
template <bool PER_PARAM>
__device__ inline void lca_range(const LcaMath &a, const lca4j_layer &L, bool vec, int64_t start, int64_t end, double &sum, int &neg,
                                 int &pos) {
    for (int64_t i = start + threadIdx.x * 4; i < end; i += THREADS * 4) {
        const int k = (int)min((int64_t)4, end - i);
        float g0[4], g1[4], g2[4], bf[4], af[4];
        double d0[4], d1[4];
        load4(L.g0, i, k, vec, g0);
        load4(L.after, i, k, vec, bf);
        if (L.before) load4(L.before, i, k, vec, af);
        if (!a.plain) {
            if (L.g1) load4(L.g1, i, k, vec, g1);
            if (L.g2) load4(L.g2, i, k, vec, g2);
            if (L.d0) load4(L.d0, i, k, vec, d0);
            if (L.d1) load4(L.d1, i, k, vec, d1);
        }
        double cum[4];
        float step_a[4];
        if (PER_PARAM && L.cumulative) load4((const double *)L.cumulative, i, k, vec, cum);
#pragma unroll
        for (int j = 0; j < 4; j++) {
            if (j >= k) break;
            double g = (double)g0[j];
            if (!a.plain) {
                if (L.g1) g = __dadd_rn(g, __dmul_rn(a.c.c_g1, (double)g1[j]));
                if (L.g2) g = __dadd_rn(g, __dmul_rn(a.c.c_g2, (double)g2[j]));
                if (L.d0) g = __dadd_rn(g, __dmul_rn(a.c.c_d0, d0[j]));
                if (L.d1) g = __dadd_rn(g, __dmul_rn(a.c.c_d1, d1[j]));
                g = __ddiv_rn(g, a.c.divisor);
                if (!a.c.keep_double) g = (double)(float)g;
            }
            // Δθ in double is exact for two floats: the step exactly as the optimizer made it.
            const double d = L.before ? __dsub_rn((double)bf[j], (double)af[j]) : (double)bf[j];
            const double A = __dmul_rn(g, d);
            sum = __dadd_rn(sum, A);
            neg += A < 0;
            pos += A > 0;
            if (PER_PARAM && L.cumulative) cum[j] = __dadd_rn(cum[j], A);
            if (PER_PARAM && L.step_a) step_a[j] = (float)A;
        }
        if (PER_PARAM && L.cumulative) store4(L.cumulative, i, k, vec, cum);
        if (PER_PARAM && L.step_a) store4(L.step_a, i, k, vec, step_a);
    }
}

// One run of the block's share: quads [first, end) of layer L (clipped to its size) into partial p.
template <bool PER_PARAM>
__device__ inline void lca_partial(const LcaMath &math, const lca4j_layer &L, bool vec, int64_t first, int64_t end, int64_t p,
                                   double *part_sum, long long *part_neg, long long *part_pos) {
    double sum = 0;
    int neg = 0, pos = 0;  // at most a share / THREADS each: a chunk's, or int up to 2·10^14 parameters spread
    lca_range<PER_PARAM>(math, L, vec, first * 4, min(end * 4, L.n), sum, neg, pos);
    write_partial(sum, neg, pos, p, part_sum, part_neg, part_pos);
}

template <int MAXL, bool PER_PARAM>
__global__ void __launch_bounds__(THREADS, LCA4J_MIN_BLOCKS) layer_lca_kernel(const __grid_constant__ LcaArgs<MAXL> a, double *part_sum,
                                                            long long *part_neg, long long *part_pos) {
    for_each_share(a.prefix, a.n_layers, [&](int l, int64_t first, int64_t end, int64_t p) {
        lca_partial<PER_PARAM>(a.math, a.layer[l], a.vec[l], first, end, a.chunk_base + p, part_sum, part_neg, part_pos);
    });
}

// Every pointer of the layer is 16-byte aligned: vector loads and stores.
inline bool aligned_layer(const lca4j_layer &L) {
    return aligned16(L.g0) && aligned16(L.after) && aligned16(L.before) && aligned16(L.g1) && aligned16(L.g2) && aligned16(L.d0) &&
           aligned16(L.d1) && aligned16(L.cumulative) && aligned16(L.step_a);
}

#if LCA4J_SPREAD
// More layers than one LcaArgs holds, laid out back to back in the same buffers (layer l's pointers
// are layer 0's plus the elements before it, as in a flat parameter vector, which is how the Java
// side and most training code hold them): two numbers per layer are enough then, so up to
// FLAT_LAYERS take one launch instead of one per LCA4J_MAX_LAYERS_PER_LAUNCH.
constexpr int FLAT_LAYERS = 1920;  // the argument stays under CUDA's 32,764 bytes

struct FlatLcaArgs {
    int n_layers;
    int base_vec;  // every pointer of layer 0 is 16-byte aligned
    LcaMath math;
    lca4j_layer base;                 // layer 0's pointers
    int64_t prefix[FLAT_LAYERS + 1];  // quads before layer l
    int64_t offset[FLAT_LAYERS + 1];  // elements before layer l
};

template <typename T>
__device__ inline T *shifted(T *p, int64_t by) { return p ? p + by : p; }

template <bool PER_PARAM>
__global__ void __launch_bounds__(THREADS, LCA4J_MIN_BLOCKS) layer_lca_flat_kernel(const __grid_constant__ FlatLcaArgs a, double *part_sum,
                                                                                    long long *part_neg, long long *part_pos) {
    for_each_share(a.prefix, a.n_layers, [&](int l, int64_t first, int64_t end, int64_t p) {
        const int64_t off = a.offset[l];
        const lca4j_layer &B = a.base;
        const lca4j_layer L = {shifted(B.g0, off),     shifted(B.g1, off),         shifted(B.g2, off),     shifted(B.d0, off),
                               shifted(B.d1, off),     shifted(B.before, off),     shifted(B.after, off),  shifted(B.cumulative, off),
                               shifted(B.step_a, off), a.offset[l + 1] - off};
        lca_partial<PER_PARAM>(a.math, L, a.base_vec && off % 4 == 0, first, end, p, part_sum, part_neg, part_pos);
    });
}

template <typename T>
static bool at(const T *p, const T *base, int64_t off) { return base ? p == base + off : p == nullptr; }

static bool back_to_back(const lca4j_layer *layers, int n) {
    const lca4j_layer &f = layers[0];
    int64_t off = 0;
    for (int l = 0; l < n; l++) {
        const lca4j_layer &L = layers[l];
        if (!(at(L.g0, f.g0, off) && at(L.g1, f.g1, off) && at(L.g2, f.g2, off) && at(L.d0, f.d0, off) && at(L.d1, f.d1, off) &&
              at(L.before, f.before, off) && at(L.after, f.after, off) && at(L.cumulative, f.cumulative, off) &&
              at(L.step_a, f.step_a, off)))
            return false;
        off += L.n;
    }
    return true;
}

// Its partials are at most those of the grouped launches: the workspace for those fits.
static int launch_flat(const lca4j_layer *layers, int n, const LcaMath &math, double *ps, long long *pn, long long *pp, double *d_sum,
                       int64_t *d_helped, int64_t *d_hurt, cudaStream_t stream) {
    static thread_local FlatLcaArgs a;
    const lca4j_layer &f = layers[0];
    a.n_layers = n;
    a.math = math;
    a.base = f;
    a.base_vec = aligned_layer(f);
    a.prefix[0] = a.offset[0] = 0;
    for (int l = 0; l < n; l++) {
        a.prefix[l + 1] = a.prefix[l] + quads_of(layers[l].n);
        a.offset[l + 1] = a.offset[l] + layers[l].n;
    }
    const bool per_param = f.cumulative || f.step_a;
    const int64_t work = a.prefix[n], grid = spread_blocks(work);
    if (work > 0) {
        if (per_param) layer_lca_flat_kernel<true><<<(unsigned)grid, THREADS, 0, stream>>>(a, ps, pn, pp);
        else layer_lca_flat_kernel<false><<<(unsigned)grid, THREADS, 0, stream>>>(a, ps, pn, pp);
        LCA4J_CHECK_LAUNCH("layer_lca_flat_kernel");
    }
    return launch_cleanup<FLAT_LAYERS>("layer_lca cleanup_kernel", a.prefix, n, 0, grid, 1, ps, pn, pp, 0, d_sum, d_helped, d_hurt, 0, 0,
                                       stream);
}
#endif

// Partials of all launch groups (LCA4J_MAX_LAYERS_PER_LAUNCH layers each).
inline int64_t all_partials(const int64_t *sizes, int n_layers) {
    int64_t p = 0;
    for (int first = 0; first < n_layers; first += LCA4J_MAX_LAYERS_PER_LAUNCH)
        p += launch_partials(sizes + first, std::min(n_layers - first, LCA4J_MAX_LAYERS_PER_LAUNCH));
    return p;
}

template <int MAXL>
static int launch_group(const lca4j_layer *layers, int n, const lca4j_combine &c, int plain, int64_t chunk_base, double *ps,
                        long long *pn, long long *pp, double *d_sum, int64_t *d_helped, int64_t *d_hurt, int out_base,
                        cudaStream_t stream) {
    static thread_local LcaArgs<MAXL> a;  // up to 32 KB: kept off the stack; the launch copies it
    a.n_layers = n;
    a.chunk_base = (int)chunk_base;
    a.math = {c, plain};
    a.prefix[0] = 0;
    bool per_param = false;
    for (int l = 0; l < n; l++) {
        const lca4j_layer &L = layers[l];
        a.layer[l] = L;
        a.prefix[l + 1] = a.prefix[l] + units_of(L.n);
        a.vec[l] = aligned_layer(L);
        per_param |= L.cumulative || L.step_a;
    }
    const int64_t work = a.prefix[n];
    const int64_t grid = LCA4J_SPREAD ? spread_blocks(work) : work;
    if (work > 0) {
        if (per_param) layer_lca_kernel<MAXL, true><<<(unsigned)grid, THREADS, 0, stream>>>(a, ps, pn, pp);
        else layer_lca_kernel<MAXL, false><<<(unsigned)grid, THREADS, 0, stream>>>(a, ps, pn, pp);
        LCA4J_CHECK_LAUNCH("layer_lca_kernel");
    }
    return launch_cleanup<MAXL>("layer_lca cleanup_kernel", a.prefix, n, chunk_base, grid, 1, ps, pn, pp, 0, d_sum, d_helped, d_hurt, 0,
                                out_base, stream);
}

}  // namespace lca4j

using namespace lca4j;

extern "C" int lca4j_layer_lca_workspace(const int64_t *sizes, int n_layers, size_t *bytes) {
    if (!sizes || n_layers < 1 || !bytes) return LCA4J_ERR_BAD_ARGUMENT;
    for (int l = 0; l < n_layers; l++) if (sizes[l] < 0) return LCA4J_ERR_BAD_ARGUMENT;
    *bytes = partial_bytes(all_partials(sizes, n_layers));
    return 0;
}

extern "C" int lca4j_layer_lca(const lca4j_layer *layers, int n_layers, const lca4j_combine *combine, void *d_workspace,
                               size_t workspace_bytes, double *d_sum, int64_t *d_helped, int64_t *d_hurt, void *stream) {
    if (!layers || n_layers < 1 || !d_sum || !d_helped || !d_hurt) return LCA4J_ERR_BAD_ARGUMENT;
    static thread_local std::vector<int64_t> sizes;  // kept: no allocation per step
    sizes.resize(n_layers);
    bool extra = false;
    for (int l = 0; l < n_layers; l++) {
        const lca4j_layer &L = layers[l];
        if (L.n < 0 || (L.n > 0 && (!L.g0 || !L.after))) return LCA4J_ERR_BAD_ARGUMENT;
        sizes[l] = L.n;
        extra |= L.g1 || L.g2 || L.d0 || L.d1;
    }
    const int64_t total = all_partials(sizes.data(), n_layers);
    if (workspace_bytes < partial_bytes(total) || (total > 0 && !d_workspace)) return LCA4J_ERR_WORKSPACE;
    lca4j_combine c = combine ? *combine : lca4j_combine{1, 1, 1, 1, 1, 0};
    if (!(c.divisor != 0)) return LCA4J_ERR_BAD_ARGUMENT;
    const int plain = !extra && c.divisor == 1.0;
    double *ps = (double *)d_workspace;
    long long *pn = (long long *)(ps + total);
    long long *pp = pn + total;
#if LCA4J_SPREAD
    if (n_layers > LCA4J_MAX_LAYERS_PER_LAUNCH && n_layers <= FLAT_LAYERS && back_to_back(layers, n_layers))
        return launch_flat(layers, n_layers, LcaMath{c, plain}, ps, pn, pp, d_sum, d_helped, d_hurt, (cudaStream_t)stream);
#endif
    int64_t chunk_base = 0;
    for (int first = 0; first < n_layers; first += LCA4J_MAX_LAYERS_PER_LAUNCH) {
        const int n = std::min(n_layers - first, LCA4J_MAX_LAYERS_PER_LAUNCH);
        const int st = n <= 16 ? launch_group<16>(layers + first, n, c, plain, chunk_base, ps, pn, pp, d_sum, d_helped, d_hurt, first,
                                                  (cudaStream_t)stream)
                               : launch_group<LCA4J_MAX_LAYERS_PER_LAUNCH>(layers + first, n, c, plain, chunk_base, ps, pn, pp, d_sum,
                                                                           d_helped, d_hurt, first, (cudaStream_t)stream);
        if (st) return st;
        chunk_base += launch_partials(sizes.data() + first, n);
    }
    return 0;
}
