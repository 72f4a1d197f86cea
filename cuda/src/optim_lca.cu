// Fused optimizer step + the LCA estimators that need no extra gradient (docs/LCA.md, "Approximate
// LCA"): an SGD, momentum or Adam step reads g_t and θ_t anyway, so in the same pass it computes
// next_batch_end and free_trap of the previous step and same_batch of this one, and keeps θ_t (and
// g_t) for the next call. With training's half-batch gradient it also finishes debiased_trap of the
// previous step and leaves this step's noise correction, computed from values already in registers. Zero extra launches for the free estimators beyond the small cleanup.
// The update uses the _rn intrinsics in the CPU optimizers' operation order (nn/Sgd, nn/Adam), so a
// GPU step gives the same float32 bits as the Java step on the same inputs.
#include "partials.cuh"

namespace lca4j {

template <int MAXL>
struct OptimArgs {
    lca4j_optimizer o;
    int n_layers;
    int has_prev;
    int64_t prefix[MAXL + 1];  // units (chunks, or quads when spread) before layer l
    int64_t offset[MAXL];
    int64_t n[MAXL];
    unsigned char vec[MAXL];  // the layer starts 16-byte aligned in every buffer: vector loads and stores
};

__device__ inline float update(const lca4j_optimizer &o, float theta, float g, float *m, float *v) {
    switch (o.kind) {
        case LCA4J_SGD:
            return __fsub_rn(theta, __fmul_rn(o.lr, g));
        case LCA4J_SGD_MOMENTUM: {
            const float buf = o.first_step ? g : __fadd_rn(__fmul_rn(o.momentum, *m), g);
            *m = buf;
            return __fsub_rn(theta, __fmul_rn(o.lr, buf));
        }
        default: {  // LCA4J_ADAM
            const float mm = __fadd_rn(__fmul_rn(o.beta1, *m), __fmul_rn(o.one_minus_beta1, g));
            const float vv = __fadd_rn(__fmul_rn(o.beta2, *v), __fmul_rn(__fmul_rn(o.one_minus_beta2, g), g));
            *m = mm;
            *v = vv;
            const float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(vv), o.bc2_sqrt), o.eps);
            return __fsub_rn(theta, __fdiv_rn(__fmul_rn(o.step_size, mm), denom));
        }
    }
}

// The previous step's update u (Δθ_{t−1} = −u before θ's rounding), from the state as this step
// finds it, in the operation order of update(): what the kernel uses when no θ_{t−1} is kept.
__device__ inline float previous_update(const lca4j_optimizer &o, float g_prev, float m, float v) {
    switch (o.kind) {
        case LCA4J_SGD: return __fmul_rn(o.prev_lr, g_prev);
        case LCA4J_SGD_MOMENTUM: return __fmul_rn(o.prev_lr, m);
        default: {
            const float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(v), o.prev_bc2_sqrt), o.eps);
            return __fdiv_rn(__fmul_rn(o.prev_step_size, m), denom);
        }
    }
}

// ∂Δθ/∂g of the step just taken, at its g (nn/Optimizer.sensitivity; Adam through m and v), in
// double with _rn intrinsics so the CPU check can follow it operation for operation.
__device__ inline double sensitivity(const lca4j_optimizer &o, float g, float mm, float vv) {
    if (o.kind != LCA4J_ADAM) return -(double)o.lr;
    const double bc2s = (double)o.bc2_sqrt;
    const double vhs = __ddiv_rn(sqrt((double)vv), bc2s);
    const double d = __dadd_rn(vhs, (double)o.eps);
    const double through_v = vhs == 0 ? 0.0
        : __ddiv_rn(__dmul_rn(__dmul_rn((double)mm, (double)o.one_minus_beta2), (double)g),
                    __dmul_rn(__dmul_rn(__dmul_rn(__dmul_rn(bc2s, bc2s), vhs), d), d));
    return -__dmul_rn((double)o.step_size, __dsub_rn(__ddiv_rn((double)o.one_minus_beta1, d), through_v));
}

// Which buffers a launch has (bits: 1 θ_{t−1} kept, 2 g_{t−1} kept, 4 debiased_trap's correction).
// FLAGS < 0 reads them from the pointers at run time, the library's default. Development variant
// (LCA4J_OPT_SPECIALIZE=1, timed by bench/device/chunk_variants.sh, not yet measured on a GPU): one
// instantiation per combination, so the slots a launch does not fill cost no registers, and all
// slots reduced together with one barrier instead of two per value. Same bits either way.
#ifndef LCA4J_OPT_SPECIALIZE
#define LCA4J_OPT_SPECIALIZE 0
#endif

// Every active slot's sum and counts, each reduced exactly as block_sum does (xor shuffles in each
// warp, then warp 0 over the warps in order), behind one barrier (spread: and one before, for the
// shared arrays' previous use); inactive slots are written 0.
template <int FLAGS>
__device__ inline void reduce_slots(const double *s, const int *neg, const int *pos, double *part_sum, long long *part_neg,
                                    long long *part_pos, int64_t per_slot, int64_t p) {
    constexpr bool active[LCA4J_SLOTS] = {true, (FLAGS & 2) != 0, true, (FLAGS & 6) == 6};
    __shared__ double wd[LCA4J_SLOTS][THREADS / 32];
    __shared__ long long wi[2 * LCA4J_SLOTS][THREADS / 32];
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    if (LCA4J_SPREAD) __syncthreads();  // warp 0 may still be reading the previous piece's values
#pragma unroll
    for (int k = 0; k < LCA4J_SLOTS; k++) {
        if (!active[k]) continue;
        const double ws = warp_sum(s[k]);
        const long long wn = warp_sum((long long)neg[k]), wp = warp_sum((long long)pos[k]);
        if (lane == 0) {
            wd[k][warp] = ws;
            wi[2 * k][warp] = wn;
            wi[2 * k + 1][warp] = wp;
        }
    }
    __syncthreads();
    if (warp != 0) return;
    const bool in = lane < THREADS / 32;
#pragma unroll
    for (int k = 0; k < LCA4J_SLOTS; k++) {
        double ss = 0;
        long long nn = 0, pp = 0;
        if (active[k]) {
            ss = warp_sum(in ? wd[k][lane] : 0.0);
            nn = warp_sum(in ? wi[2 * k][lane] : 0LL);
            pp = warp_sum(in ? wi[2 * k + 1][lane] : 0LL);
        }
        if (lane == 0) {
            part_sum[k * per_slot + p] = ss;
            part_neg[k * per_slot + p] = nn;
            part_pos[k * per_slot + p] = pp;
        }
    }
}

// Which buffers a launch has, from FLAGS or (FLAGS < 0) from the pointers.
struct OptimBuffers {
    float *theta, *theta_prev;
    const float *grad;
    float *grad_prev, *m, *v;
    const float *half;
    float *corr;
    float keep;
};

// Steps elements [start, end) of the flat vectors (layer l) and adds the estimators into this
// thread's sums: four parameters per thread and pass (16-byte loads and stores where the layer is
// aligned), each with exactly the arithmetic of one element, so the vector width changes the memory
// traffic, never a bit.
template <int MAXL, int FLAGS>
__device__ inline void optim_range(const OptimArgs<MAXL> &a, const OptimBuffers &bf, int l, int64_t start, int64_t end,
                                   double *s, int *neg, int *pos) {
    float *theta = bf.theta, *theta_prev = bf.theta_prev, *grad_prev = bf.grad_prev, *m = bf.m, *v = bf.v, *corr = bf.corr;
    const float *grad = bf.grad, *half = bf.half;
    const float keep = bf.keep;
    const bool vec = a.vec[l];
    const bool kept = FLAGS < 0 ? theta_prev != nullptr : (FLAGS & 1) != 0;
    const bool has_gp = FLAGS < 0 ? grad_prev != nullptr : (FLAGS & 2) != 0;
    const bool has_corr = FLAGS < 0 ? corr != nullptr : (FLAGS & 4) != 0;
    const bool prev = a.has_prev, trap = a.has_prev && has_gp;
    for (int64_t i = start + threadIdx.x * 4; i < end; i += THREADS * 4) {
        const int k = (int)min((int64_t)4, end - i);
        float g[4], th[4], tp[4], gp[4], mm[4], vv[4], hf[4], cr[4], next[4];
        load4(grad, i, k, vec, g);
        load4(theta, i, k, vec, th);
        if (prev && kept) load4(theta_prev, i, k, vec, tp);
        if (prev && has_gp) load4(grad_prev, i, k, vec, gp);
        if (m) load4((const float *)m, i, k, vec, mm);
        if (v) load4((const float *)v, i, k, vec, vv);
        if (has_corr) {
            load4(half, i, k, vec, hf);
            if (trap) load4((const float *)corr, i, k, vec, cr);
        }
#pragma unroll
        for (int j = 0; j < 4; j++) {
            if (j >= k) break;
            if (prev) {
                // m and v still hold step t−1's state here: update() below advances them.
                const double d = kept ? __dsub_rn((double)th[j], (double)tp[j])
                                      : -(double)previous_update(a.o, has_gp ? gp[j] : 0.f, m ? mm[j] : 0.f, v ? vv[j] : 0.f);
                const double nbe = __dmul_rn((double)g[j], d);
                s[0] = __dadd_rn(s[0], nbe);
                neg[0] += nbe < 0;
                pos[0] += nbe > 0;
                if (trap) {
                    const float tr = (float)__dmul_rn(0.5, __dadd_rn((double)gp[j], (double)g[j]));
                    const double ft = __dmul_rn((double)tr, d);
                    s[1] = __dadd_rn(s[1], ft);
                    neg[1] += ft < 0;
                    pos[1] += ft > 0;
                    if (has_corr) {
                        // As on the CPU (docs/LCA.md): no correction where the parameter did not move.
                        const double db = d == 0.0 ? ft : __dadd_rn(ft, (double)cr[j]);
                        s[3] = __dadd_rn(s[3], db);
                        neg[3] += db < 0;
                        pos[3] += db > 0;
                    }
                }
            }
            next[j] = update(a.o, th[j], g[j], m ? mm + j : nullptr, v ? vv + j : nullptr);
            if (has_corr) {
                const double spread = __dsub_rn(__dmul_rn(2.0, (double)hf[j]), (double)g[j]);  // a − b
                const double sens = sensitivity(a.o, g[j], m ? mm[j] : 0.f, v ? vv[j] : 0.f);
                cr[j] = (float)__dmul_rn(__dmul_rn(__dmul_rn(-0.5, (double)keep), __dmul_rn(spread, spread)), sens);
            }
            const double sb = __dmul_rn((double)g[j], __dsub_rn((double)next[j], (double)th[j]));
            s[2] = __dadd_rn(s[2], sb);
            neg[2] += sb < 0;
            pos[2] += sb > 0;
        }
        if (kept) store4(theta_prev, i, k, vec, th);
        store4(theta, i, k, vec, next);
        if (has_gp) store4(grad_prev, i, k, vec, g);
        if (m) store4(m, i, k, vec, mm);
        if (v) store4(v, i, k, vec, vv);
        if (has_corr) store4(corr, i, k, vec, cr);
    }
}

// Reduces the block's sums of every slot and writes them as partial p of each slot (thread 0).
template <int FLAGS>
__device__ inline void write_slots(const double *s, const int *neg, const int *pos, double *part_sum, long long *part_neg,
                                   long long *part_pos, int64_t per_slot, int64_t p) {
    if constexpr (FLAGS >= 0) {
        reduce_slots<FLAGS>(s, neg, pos, part_sum, part_neg, part_pos, per_slot, p);
    } else {
#pragma unroll
        for (int k = 0; k < LCA4J_SLOTS; k++) write_partial(s[k], neg[k], pos[k], k * per_slot + p, part_sum, part_neg, part_pos);
    }
}

template <int MAXL, int FLAGS>
__global__ void __launch_bounds__(THREADS, LCA4J_MIN_BLOCKS) optimizer_lca_kernel(const __grid_constant__ OptimArgs<MAXL> a,
                                                                float *theta, float *theta_prev, const float *grad,
                                                                float *grad_prev, float *m, float *v, const float *half,
                                                                float *corr, float keep, double *part_sum, long long *part_neg,
                                                                long long *part_pos, int64_t per_slot) {
    // Built here, not passed as one struct argument: that way nvcc keeps the default kernel's
    // registers and spills as measured (the struct argument cost it 24 bytes more spills).
    const OptimBuffers bf = {theta, theta_prev, grad, grad_prev, m, v, half, corr, keep};
    for_each_share(a.prefix, a.n_layers, [&](int l, int64_t first, int64_t end, int64_t p) {
        double s[LCA4J_SLOTS] = {};
        int neg[LCA4J_SLOTS] = {}, pos[LCA4J_SLOTS] = {};  // at most a share / THREADS each
        optim_range<MAXL, FLAGS>(a, bf, l, a.offset[l] + first * 4, a.offset[l] + min(end * 4, a.n[l]), s, neg, pos);
        write_slots<FLAGS>(s, neg, pos, part_sum, part_neg, part_pos, per_slot, p);
    });
}

// The same update without any LCA: the baseline a training loop runs when LCA is off, so the
// fused kernel's cost is measured against the optimizer it replaces (bench), and a step from here
// gives the same θ bits as the fused one.
__global__ void optimizer_kernel(const lca4j_optimizer o, float *theta, const float *grad, float *m, float *v, int64_t n) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        theta[i] = update(o, theta[i], grad[i], m ? m + i : nullptr, v ? v + i : nullptr);
}

// A known optimizer kind with the state buffers it updates (momentum: m; Adam: m and v).
inline bool state_ok(const lca4j_optimizer &o, const float *m, const float *v) {
    if (o.kind < LCA4J_SGD || o.kind > LCA4J_ADAM) return false;
    return !((o.kind == LCA4J_SGD_MOMENTUM && !m) || (o.kind == LCA4J_ADAM && (!m || !v)));
}

}  // namespace lca4j

using namespace lca4j;

extern "C" int lca4j_optimizer_step(const lca4j_optimizer *opt, float *d_theta, const float *d_grad, float *d_m, float *d_v, int64_t n,
                                    void *stream) {
    if (!opt || n < 0 || (n > 0 && (!d_theta || !d_grad)) || !state_ok(*opt, d_m, d_v)) return LCA4J_ERR_BAD_ARGUMENT;
    return launch_grid_stride("optimizer_kernel", optimizer_kernel, n, stream, *opt, d_theta, d_grad, d_m, d_v, n);
}

extern "C" int lca4j_optimizer_workspace(const int64_t *sizes, int n_layers, size_t *bytes) {
    if (!sizes || n_layers < 1 || n_layers > LCA4J_MAX_LAYERS_PER_LAUNCH || !bytes) return LCA4J_ERR_BAD_ARGUMENT;
    for (int l = 0; l < n_layers; l++) if (sizes[l] < 0) return LCA4J_ERR_BAD_ARGUMENT;
    *bytes = LCA4J_SLOTS * partial_bytes(launch_partials(sizes, n_layers));
    return 0;
}

extern "C" int lca4j_optimizer_step_lca(const lca4j_optimizer *opt, const int64_t *sizes, int n_layers, float *d_theta,
                                        float *d_theta_prev, const float *d_grad, float *d_grad_prev, float *d_m, float *d_v,
                                        const lca4j_debias *debias, int has_prev, void *d_workspace, size_t workspace_bytes, double *d_sum,
                                        int64_t *d_helped, int64_t *d_hurt, void *stream) {
    // One launch covers the model: the optimizer runs on flat vectors, so 320 layers is a limit of
    // this entry point only (lca4j_layer_lca takes any number).
    if (!opt || !sizes || n_layers < 1 || n_layers > LCA4J_MAX_LAYERS_PER_LAUNCH || !d_theta || !d_grad || !d_sum || !d_helped ||
        !d_hurt)
        return LCA4J_ERR_BAD_ARGUMENT;
    // Plain SGD has no state to recover its step from without θ_{t−1}: it needs g_{t−1}.
    if (!d_theta_prev && opt->kind == LCA4J_SGD && !d_grad_prev) return LCA4J_ERR_BAD_ARGUMENT;
    if (debias && (!debias->d_grad_half || !debias->d_corr || !(debias->keep >= 0.f && debias->keep <= 1.f)))
        return LCA4J_ERR_BAD_ARGUMENT;
    if (!state_ok(*opt, d_m, d_v)) return LCA4J_ERR_BAD_ARGUMENT;
    const float *half = debias ? debias->d_grad_half : nullptr;
    float *corr = debias ? debias->d_corr : nullptr;
    const float keep = debias ? debias->keep : 0.f;
    // Vector access needs every buffer 16-byte aligned at the layer's start: the bases once, the offsets per layer.
    bool bases_aligned = true;
    for (const float *b : {(const float *)d_theta, (const float *)d_theta_prev, d_grad, (const float *)d_grad_prev, (const float *)d_m,
                           (const float *)d_v, half, (const float *)corr})
        bases_aligned = bases_aligned && aligned16(b);
    static thread_local OptimArgs<LCA4J_MAX_LAYERS_PER_LAUNCH> a;
    a.o = *opt;
    a.n_layers = n_layers;
    a.has_prev = has_prev;
    a.prefix[0] = 0;
    int64_t off = 0;
    for (int l = 0; l < n_layers; l++) {
        if (sizes[l] < 0) return LCA4J_ERR_BAD_ARGUMENT;
        a.offset[l] = off;
        a.n[l] = sizes[l];
        off += sizes[l];
        a.prefix[l + 1] = a.prefix[l] + units_of(sizes[l]);
        a.vec[l] = bases_aligned && a.offset[l] % 4 == 0;
    }
    const int64_t work = a.prefix[n_layers], per_slot = launch_partials(sizes, n_layers);
    if (workspace_bytes < LCA4J_SLOTS * partial_bytes(per_slot) || (work > 0 && !d_workspace)) return LCA4J_ERR_WORKSPACE;
    double *ps = (double *)d_workspace;
    long long *pn = (long long *)(ps + LCA4J_SLOTS * per_slot);
    long long *pp = pn + LCA4J_SLOTS * per_slot;
    cudaStream_t s = (cudaStream_t)stream;
    const int64_t grid = LCA4J_SPREAD ? spread_blocks(work) : work;
    if (work > 0) {
#define LCA4J_OPT_LAUNCH(F)                                                                                                 \
    optimizer_lca_kernel<LCA4J_MAX_LAYERS_PER_LAUNCH, F><<<(unsigned)grid, THREADS, 0, s>>>(                                \
        a, d_theta, d_theta_prev, d_grad, d_grad_prev, d_m, d_v, half, corr, keep, ps, pn, pp, per_slot)
#if LCA4J_OPT_SPECIALIZE
        switch ((d_theta_prev ? 1 : 0) | (d_grad_prev ? 2 : 0) | (corr ? 4 : 0)) {
            case 0: LCA4J_OPT_LAUNCH(0); break;
            case 1: LCA4J_OPT_LAUNCH(1); break;
            case 2: LCA4J_OPT_LAUNCH(2); break;
            case 3: LCA4J_OPT_LAUNCH(3); break;
            case 4: LCA4J_OPT_LAUNCH(4); break;
            case 5: LCA4J_OPT_LAUNCH(5); break;
            case 6: LCA4J_OPT_LAUNCH(6); break;
            default: LCA4J_OPT_LAUNCH(7); break;
        }
#else
        LCA4J_OPT_LAUNCH(-1);
#endif
#undef LCA4J_OPT_LAUNCH
        LCA4J_CHECK_LAUNCH("optimizer_lca_kernel");
    }
    return launch_cleanup<LCA4J_MAX_LAYERS_PER_LAUNCH>("optimizer cleanup_kernel", a.prefix, n_layers, 0, grid, LCA4J_SLOTS, ps, pn, pp,
                                                       per_slot, d_sum, d_helped, d_hurt, n_layers, 0, s);
}
