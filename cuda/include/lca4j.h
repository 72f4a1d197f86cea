/*
 * lca4j native API: fused Loss Change Allocation kernels and the few CUDA runtime calls the Java
 * side needs. The library links cudart statically, so Java binds only this header (through
 * java.lang.foreign) and never needs libcudart on the machine.
 *
 * Conventions
 *  - Every function returns a status: 0 on success, a cudaError_t value from a failed CUDA call, or
 *    an LCA4J_ERR_* value below. lca4j_status_string() names it; lca4j_last_call() names the CUDA
 *    call that failed on this thread, so a Java exception can say which call broke.
 *  - Pointers named d_* are device memory. Work is queued on `stream` (NULL: the legacy default
 *    stream); functions that return results to the host synchronize that stream first.
 *  - Sums are double precision and reduced in a fixed order (per-chunk partials, then one cleanup
 *    block per layer): reruns give the same bits, and no float atomics are used.
 *  - The quantities are defined in the project's docs/LCA.md.
 */
#ifndef LCA4J_H
#define LCA4J_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LCA4J_API __attribute__((visibility("default")))
#else
#define LCA4J_API
#endif

#define LCA4J_ABI_VERSION 3

#define LCA4J_ERR_BAD_ARGUMENT 10001
#define LCA4J_ERR_WORKSPACE 10002
#define LCA4J_ERR_NO_DEVICE 10003

/* Layers one launch of lca4j_layer_lca takes: their pointers travel in the kernel argument (CUDA ≥ 12.1 allows 32 KB). */
#define LCA4J_MAX_LAYERS_PER_LAUNCH 320

LCA4J_API int lca4j_abi_version(void);
LCA4J_API const char *lca4j_status_string(int status);
/* The CUDA call that last failed on this thread ("" if none). */
LCA4J_API const char *lca4j_last_call(void);
/* sizeof a struct below ("lca4j_layer") or offsetof one of its fields ("lca4j_layer.n"), so the
 * Java side can check its hand-written layouts; LCA4J_ERR_BAD_ARGUMENT for an unknown name. */
LCA4J_API int lca4j_struct_layout(const char *name, size_t *value);

/* ---- runtime: devices and memory ---------------------------------------------------------- */
LCA4J_API int lca4j_device_count(int *count);
LCA4J_API int lca4j_set_device(int device);
/* Name (NUL-terminated, truncated to len), multiprocessor count and compute capability. */
LCA4J_API int lca4j_device_info(int device, char *name, int len, int *sm_count, int *cc_major, int *cc_minor);
LCA4J_API int lca4j_mem_info(size_t *free_bytes, size_t *total_bytes);
LCA4J_API int lca4j_malloc(void **d_ptr, size_t bytes);
LCA4J_API int lca4j_free(void *d_ptr);
LCA4J_API int lca4j_memcpy_h2d(void *d_dst, const void *src, size_t bytes, void *stream);
LCA4J_API int lca4j_memcpy_d2h(void *dst, const void *d_src, size_t bytes, void *stream);
LCA4J_API int lca4j_memcpy_d2d(void *d_dst, const void *d_src, size_t bytes, void *stream);
LCA4J_API int lca4j_memset(void *d_ptr, int value, size_t bytes, void *stream);
LCA4J_API int lca4j_stream_synchronize(void *stream);

/* ---- fused multi-layer LCA ------------------------------------------------------------------ */

/*
 * One layer of one LCA step. The path-averaged gradient estimate ḡ of each parameter is
 *   ḡ = (g0 + c_g1·g1 + c_g2·g2 + c_d0·d0 + c_d1·d1) / divisor       (terms left NULL are skipped)
 * evaluated in double in that order and rounded to float32 unless keep_double is set (see
 * lca4j_combine). With only g0 given and divisor 1, ḡ = g0 exactly. Δθ = after − before in double
 * (exact for two floats), or after itself when before is NULL. A = ḡ·Δθ in double.
 */
typedef struct lca4j_layer {
    const float *g0;
    const float *g1;
    const float *g2;
    const double *d0;
    const double *d1;
    const float *before;
    const float *after;
    double *cumulative; /* += A per parameter, or NULL */
    float *step_a;      /* A of this step per parameter, or NULL */
    int64_t n;
} lca4j_layer;

typedef struct lca4j_combine {
    double c_g1, c_g2, c_d0, c_d1;
    double divisor;
    int keep_double; /* 1: use ḡ in double (plain dot products); 0: round ḡ to float32 as the CPU backend does */
} lca4j_combine;

/* Bytes of device workspace lca4j_layer_lca needs for these layer sizes. */
LCA4J_API int lca4j_layer_lca_workspace(const int64_t *sizes, int n_layers, size_t *bytes);

/*
 * For every layer l (one launch over all layers, more only past LCA4J_MAX_LAYERS_PER_LAUNCH):
 *   d_sum[l] = Σ A,  d_helped[l] = #(A < 0),  d_hurt[l] = #(A > 0),
 * and the optional per-parameter outputs. `layers` and `combine` are host memory; their pointers
 * are device memory. Asynchronous on `stream`.
 */
LCA4J_API int lca4j_layer_lca(const lca4j_layer *layers, int n_layers, const lca4j_combine *combine, void *d_workspace,
                    size_t workspace_bytes, double *d_sum, int64_t *d_helped, int64_t *d_hurt, void *stream);

/* ---- fused optimizer step + free LCA estimators --------------------------------------------- */

#define LCA4J_SGD 0
#define LCA4J_SGD_MOMENTUM 1
#define LCA4J_ADAM 2

/* Hyperparameters in float32 exactly as the CPU optimizers hold them (docs: PyTorch semantics). */
typedef struct lca4j_optimizer {
    int kind;
    int first_step;       /* momentum: the buffer starts as g (PyTorch) */
    float lr, momentum;   /* SGD */
    float beta1, beta2, one_minus_beta1, one_minus_beta2, eps;
    float step_size;      /* Adam: lr / (1 − β1^t), rounded to float */
    float bc2_sqrt;       /* Adam: √(1 − β2^t), rounded to float */
    /* The previous step's lr, step_size and bc2_sqrt: read only when lca4j_optimizer_step_lca takes
     * Δθ_{t−1} from the optimizer state (d_theta_prev NULL). */
    float prev_lr, prev_step_size, prev_bc2_sqrt;
} lca4j_optimizer;

/* The estimator slots lca4j_optimizer_step_lca fills, each [n_layers] in d_sum/d_helped/d_hurt. */
#define LCA4J_SLOT_NEXT_BATCH_END 0 /* step t−1: g_t · Δθ_{t−1} */
#define LCA4J_SLOT_FREE_TRAP 1      /* step t−1: ½(g_{t−1} + g_t) · Δθ_{t−1} */
#define LCA4J_SLOT_SAME_BATCH 2     /* step t:   g_t · Δθ_t */
#define LCA4J_SLOT_DEBIASED_TRAP 3  /* step t−1: free_trap + c_{t−1}, c = −½·keep·(a − b)²·∂Δθ/∂g */
#define LCA4J_SLOTS 4

/*
 * debiased_trap's inputs (docs/LCA.md, "debiased_trap"). The training gradient d_grad is the sum of
 * two half-batch sums a + b, each scaled by 1/B; d_grad_half holds a (b = grad − a). d_corr [D] holds
 * the previous step's per-parameter correction c_{t−1} on entry (when has_prev) and this step's c_t
 * on return: the O(D) state the estimator adds. keep = 1 − B/N (0 for full-batch training).
 */
typedef struct lca4j_debias {
    const float *d_grad_half;
    float *d_corr;
    float keep;
} lca4j_debias;

LCA4J_API int lca4j_optimizer_workspace(const int64_t *sizes, int n_layers, size_t *bytes);

/*
 * One optimizer step on flat float32 vectors whose layers are consecutive with the given sizes,
 * fused with the LCA that needs no extra gradient evaluation: while it reads g_t = grad and θ_t
 * anyway, it computes next_batch_end and free_trap of the previous step (when has_prev; free_trap
 * only when d_grad_prev is given) and same_batch of this step. It then leaves θ_t in d_theta_prev,
 * θ_{t+1} in d_theta and, when d_grad_prev is given, g_t in d_grad_prev for the next call.
 * d_theta_prev NULL: no θ_t is kept, and Δθ_{t−1} is the previous update as the optimizer computed it
 * from the state this step reads anyway (−prev_lr·m under momentum; Adam's from m, v, prev_step_size
 * and prev_bc2_sqrt; −prev_lr·g_{t−1} under plain SGD, which then needs d_grad_prev), before θ's
 * float rounding: 8 bytes less traffic per parameter (docs/LCA.md, "Approximate LCA").
 * d_m (momentum buffer / Adam m) and d_v (Adam v) are NULL when the optimizer has none.
 * With debias (may be NULL) it also computes debiased_trap of the previous step (when has_prev and
 * d_grad_prev is given) and leaves this step's correction in debias->d_corr.
 * Outputs: d_sum, d_helped, d_hurt each [LCA4J_SLOTS × n_layers], slot-major; slots not computed are
 * written as 0.
 */
LCA4J_API int lca4j_optimizer_step_lca(const lca4j_optimizer *opt, const int64_t *sizes, int n_layers, float *d_theta,
                             float *d_theta_prev, const float *d_grad, float *d_grad_prev, float *d_m, float *d_v,
                             const lca4j_debias *debias, int has_prev, void *d_workspace, size_t workspace_bytes, double *d_sum,
                             int64_t *d_helped, int64_t *d_hurt, void *stream);

/* The same optimizer step with no LCA (θ gets the same bits as from lca4j_optimizer_step_lca): what a
 * training loop runs with LCA off; the benchmarks' baseline. Asynchronous on `stream`. */
LCA4J_API int lca4j_optimizer_step(const lca4j_optimizer *opt, float *d_theta, const float *d_grad, float *d_m, float *d_v, int64_t n,
                                   void *stream);

/* ---- vector helpers for exact LCA (the Simpson running sums) ------------------------------- */

/* d_y[i] += (double) d_x[i] */
LCA4J_API int lca4j_add_f32_to_f64(double *d_y, const float *d_x, int64_t n, void *stream);
/* d_y[i] += d_x[i] */
LCA4J_API int lca4j_add_f64(double *d_y, const double *d_x, int64_t n, void *stream);
/* d_out[i] = (float)(before[i] + s·((double)after[i] − before[i])): a point on the step, as the CPU does */
LCA4J_API int lca4j_point_on_step(float *d_out, const float *d_before, const float *d_after, double s, int64_t n, void *stream);

/* ---- the GPU harness's MLP pieces around cuBLAS SGEMM (nn/Mlp's loops, same operation order) ---- */

/* d_x[r,:] = d_set_x[d_idx[r],:], d_y[r] = d_set_y[d_idx[r]] for r < rows */
LCA4J_API int lca4j_gather_rows(float *d_x, int *d_y, const float *d_set_x, const int *d_set_y, const int *d_idx, int rows, int dim,
                                void *stream);
/* d_z[r,j] = d_b[j]: the bias, before an SGEMM with beta = 1 adds the product */
LCA4J_API int lca4j_fill_rows(float *d_z, const float *d_b, int rows, int out, void *stream);
/* v = max(v, 0) */
LCA4J_API int lca4j_relu(float *d_v, int64_t n, void *stream);
/* delta = 0 where act <= 0 */
LCA4J_API int lca4j_relu_backward(float *d_delta, const float *d_act, int64_t n, void *stream);
/* Per row: loss = log Σexp(l − max) + max − l[y] (double), correct = argmax == y, and, when d_dz is
 * given, d_dz = (softmax − onehot)·scale. */
LCA4J_API int lca4j_softmax_xent(const float *d_logits, const int *d_y, int rows, int k, float scale, float *d_dz, double *d_row_loss,
                                 int *d_row_correct, void *stream);
/* d_grad_b[j] (+)= Σ_r d_dz[r,j], rows in order (float, as the CPU) */
LCA4J_API int lca4j_bias_grad(const float *d_dz, int rows, int out, float *d_grad_b, int accumulate, void *stream);
/* Σ row losses and Σ correct in a fixed order, into one double and one int64 on the device */
LCA4J_API int lca4j_sum_rows(const double *d_row_loss, const int *d_row_correct, int n, double *d_loss_sum, int64_t *d_correct_sum,
                             void *stream);

#ifdef __cplusplus
}
#endif

#endif /* LCA4J_H */
