// Fused multi-layer LCA: one launch computes, for every layer, Σ A, the helped and hurt counts, and
// optionally A per parameter and the running per-parameter sums (docs/LCA.md, "Exact LCA").
// Shape after apex's multi_tensor_apply: every layer's pointers travel in the kernel argument with a
// block → layer table; each block reduces one chunk of one layer into a partial, and a small cleanup
// launch reduces each layer's partials in a fixed order. Development variants: cuda/dev/layer_lca.cu.
#include "partials.cuh"

namespace lca4j {

template <int MAXL>
struct LcaArgs {
    int n_layers;
    int chunk_base;  // partial index of this launch's first chunk
    lca4j_combine c;
    int plain;       // ḡ is g0 itself: skip the combination arithmetic
    int prefix[MAXL + 1];
    unsigned char vec[MAXL];  // every pointer of the layer is 16-byte aligned: vector loads
    lca4j_layer layer[MAXL];
};

// The explicit _rn intrinsics keep nvcc from contracting into FMAs, so every A is the same double
// the Java backend computes (Java never fuses); only the order of the sums differs.
// PER_PARAM: some layer wants A per parameter or running sums. A separate instantiation, because
// their vector registers cost the sums-only kernel 7% of its bandwidth on the H100 (spills).
template <int MAXL, bool PER_PARAM>
__global__ void __launch_bounds__(THREADS, LCA4J_MIN_BLOCKS) layer_lca_kernel(const __grid_constant__ LcaArgs<MAXL> a, double *part_sum,
                                                            long long *part_neg, long long *part_pos) {
    __shared__ double sh_d[THREADS / 32];
    __shared__ long long sh_i[THREADS / 32];
    const int block = blockIdx.x;
    const int l = layer_of_block(a.prefix, a.n_layers, block);
    const lca4j_layer &L = a.layer[l];
    const bool vec = a.vec[l];
    const int64_t start = (int64_t)(block - a.prefix[l]) * CHUNK;
    const int64_t end = min(start + CHUNK, L.n);
    double sum = 0;
    int neg = 0, pos = 0;  // at most CHUNK / THREADS each: int keeps registers (and blocks per SM) free
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
    sum = block_sum(sum, sh_d);
    const long long nn = block_sum((long long)neg, sh_i), pp = block_sum((long long)pos, sh_i);
    if (threadIdx.x == 0) {
        part_sum[a.chunk_base + block] = sum;
        part_neg[a.chunk_base + block] = nn;
        part_pos[a.chunk_base + block] = pp;
    }
}

template <int MAXL>
static int launch_group(const lca4j_layer *layers, int n, const lca4j_combine &c, int plain, int chunk_base, double *ps,
                        long long *pn, long long *pp, int64_t total, double *d_sum, int64_t *d_helped, int64_t *d_hurt,
                        int out_base, cudaStream_t stream) {
    static thread_local LcaArgs<MAXL> a;  // up to 32 KB: kept off the stack; the launch copies it
    CleanupArgs<MAXL> ca;
    a.n_layers = n;
    a.chunk_base = chunk_base;
    a.c = c;
    a.plain = plain;
    a.prefix[0] = 0;
    for (int l = 0; l < n; l++) {
        const lca4j_layer &L = layers[l];
        a.layer[l] = L;
        a.prefix[l + 1] = a.prefix[l] + (int)chunks_of(L.n);
        a.vec[l] = aligned16(L.g0) && aligned16(L.after) && aligned16(L.before) && aligned16(L.g1) && aligned16(L.g2) &&
                   aligned16(L.d0) && aligned16(L.d1) && aligned16(L.cumulative) && aligned16(L.step_a);
    }
    ca.n_layers = n;
    ca.chunk_base = chunk_base;
    for (int l = 0; l <= n; l++) ca.prefix[l] = a.prefix[l];
    bool per_param = false;
    for (int l = 0; l < n; l++) per_param |= layers[l].cumulative || layers[l].step_a;
    if (a.prefix[n] > 0) {
        if (per_param) layer_lca_kernel<MAXL, true><<<a.prefix[n], THREADS, 0, stream>>>(a, ps, pn, pp);
        else layer_lca_kernel<MAXL, false><<<a.prefix[n], THREADS, 0, stream>>>(a, ps, pn, pp);
        LCA4J_CHECK_LAUNCH("layer_lca_kernel");
    }
    cleanup_kernel<MAXL><<<n, THREADS, 0, stream>>>(ca, 1, ps, pn, pp, total, d_sum, d_helped, d_hurt, 0, out_base);
    LCA4J_CHECK_LAUNCH("layer_lca cleanup_kernel");
    return 0;
}

}  // namespace lca4j

using namespace lca4j;

extern "C" int lca4j_layer_lca_workspace(const int64_t *sizes, int n_layers, size_t *bytes) {
    if (!sizes || n_layers < 1 || !bytes) return LCA4J_ERR_BAD_ARGUMENT;
    for (int l = 0; l < n_layers; l++) if (sizes[l] < 0) return LCA4J_ERR_BAD_ARGUMENT;
    *bytes = partial_bytes(total_chunks(sizes, n_layers));
    return 0;
}

extern "C" int lca4j_layer_lca(const lca4j_layer *layers, int n_layers, const lca4j_combine *combine, void *d_workspace,
                               size_t workspace_bytes, double *d_sum, int64_t *d_helped, int64_t *d_hurt, void *stream) {
    if (!layers || n_layers < 1 || !d_sum || !d_helped || !d_hurt) return LCA4J_ERR_BAD_ARGUMENT;
    int64_t total = 0;
    bool extra = false;
    for (int l = 0; l < n_layers; l++) {
        const lca4j_layer &L = layers[l];
        if (L.n < 0 || (L.n > 0 && (!L.g0 || !L.after))) return LCA4J_ERR_BAD_ARGUMENT;
        total += chunks_of(L.n);
        extra |= L.g1 || L.g2 || L.d0 || L.d1;
    }
    if (workspace_bytes < partial_bytes(total) || (total > 0 && !d_workspace)) return LCA4J_ERR_WORKSPACE;
    lca4j_combine c = combine ? *combine : lca4j_combine{1, 1, 1, 1, 1, 0};
    if (!(c.divisor != 0)) return LCA4J_ERR_BAD_ARGUMENT;
    const int plain = !extra && c.divisor == 1.0;
    double *ps = (double *)d_workspace;
    long long *pn = (long long *)(ps + total);
    long long *pp = pn + total;
    int chunk_base = 0;
    for (int first = 0; first < n_layers; first += LCA4J_MAX_LAYERS_PER_LAUNCH) {
        const int n = n_layers - first < LCA4J_MAX_LAYERS_PER_LAUNCH ? n_layers - first : LCA4J_MAX_LAYERS_PER_LAUNCH;
        const int st = n <= 16 ? launch_group<16>(layers + first, n, c, plain, chunk_base, ps, pn, pp, total, d_sum, d_helped,
                                                  d_hurt, first, (cudaStream_t)stream)
                               : launch_group<LCA4J_MAX_LAYERS_PER_LAUNCH>(layers + first, n, c, plain, chunk_base, ps, pn, pp, total,
                                                                           d_sum, d_helped, d_hurt, first, (cudaStream_t)stream);
        if (st) return st;
        for (int l = first; l < first + n; l++) chunk_base += (int)chunks_of(layers[l].n);
    }
    return 0;
}
