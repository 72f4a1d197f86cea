// Device check and benchmark of every lca4j kernel, in the manner of llm.c's dev/cuda: a plain CPU
// reference beside each kernel, validation on fresh random inputs (odd sizes, 1 to 2,500 layers, sizes
// not a multiple of 4, misaligned layers, up to 1e8 parameters), a rerun that must match bit for bit,
// then timings in GB/s against the bytes each kernel must move.
// Build and run (on a machine with a GPU):  cuda/dev/run.sh   (exit status 0 = every check passed)
#include <cuda_runtime.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <algorithm>
#include <random>
#include <string>
#include <vector>
#include "lca4j.h"

static int failures = 0;
#define CK(x)                                                                                      \
    do {                                                                                           \
        int s_ = (x);                                                                              \
        if (s_) {                                                                                  \
            fprintf(stderr, "%s:%d %s -> %d %s (%s)\n", __FILE__, __LINE__, #x, s_, lca4j_status_string(s_), lca4j_last_call()); \
            exit(2);                                                                               \
        }                                                                                          \
    } while (0)
#define EXPECT(cond, ...)                          \
    do {                                           \
        if (!(cond)) {                             \
            failures++;                            \
            fprintf(stderr, "FAIL: " __VA_ARGS__); \
            fprintf(stderr, "\n");                 \
        }                                          \
    } while (0)

static std::mt19937_64 rng(12345);
static std::vector<float> randv(size_t n, float scale) {
    std::normal_distribution<float> d(0.f, scale);
    std::vector<float> v(n);
    for (auto &x : v) x = d(rng);
    return v;
}

template <typename T>
static T *dev(const std::vector<T> &h) {
    void *p = nullptr;
    CK(lca4j_malloc(&p, std::max<size_t>(1, h.size() * sizeof(T))));
    if (!h.empty()) CK(lca4j_memcpy_h2d(p, h.data(), h.size() * sizeof(T), nullptr));
    return (T *)p;
}
template <typename T>
static std::vector<T> host(const T *d, size_t n) {
    std::vector<T> h(n);
    if (n) CK(lca4j_memcpy_d2h(h.data(), d, n * sizeof(T), nullptr));
    return h;
}

// ---- CPU reference: the same arithmetic as the Java backend (cpu/CpuLcaAccumulator, exact/ExactLca) ----
struct Ref { std::vector<double> sum; std::vector<long long> neg, pos; std::vector<double> cum; std::vector<float> stepA; };

static double combine_ref(const lca4j_combine &c, bool plain, float g0, const float *g1, const float *g2, const double *d0,
                          const double *d1, size_t i) {
    double g = g0;
    if (plain) return g;
    if (g1) g = g + c.c_g1 * (double)g1[i];
    if (g2) g = g + c.c_g2 * (double)g2[i];
    if (d0) g = g + c.c_d0 * d0[i];
    if (d1) g = g + c.c_d1 * d1[i];
    g = g / c.divisor;
    return c.keep_double ? g : (double)(float)g;
}

// ---- check 1: fused multi-layer LCA ----
static void check_layer_lca(const std::vector<int64_t> &sizes, int misalign, bool combo, bool with_before, const char *what) {
    const int L = (int)sizes.size();
    int64_t D = 0;
    std::vector<int64_t> off(L);
    for (int l = 0; l < L; l++) { off[l] = D + misalign; D += sizes[l] + misalign; }  // gaps make layers start unaligned
    auto g0 = randv(D, 1.f), g1 = randv(D, 1.f), g2 = randv(D, 1.f), a = randv(D, 1.f), b = a;
    auto dd0 = randv(D, 1.f), dd1 = randv(D, 1.f);
    std::vector<double> d0(dd0.begin(), dd0.end()), d1(dd1.begin(), dd1.end());
    auto step = randv(D, 1e-3f);
    for (int64_t i = 0; i < D; i++) b[i] = with_before ? a[i] + step[i] : step[i];
    std::vector<double> cum0(D);
    for (auto &x : cum0) x = std::uniform_real_distribution<double>(-1, 1)(rng);
    float *dg0 = dev(g0), *dg1 = dev(g1), *dg2 = dev(g2), *da = dev(a), *db = dev(b);
    double *dd0p = dev(d0), *dd1p = dev(d1), *dcum = dev(cum0);
    float *dstep = dev(std::vector<float>(D, NAN));  // poisoned: every element must be written
    std::vector<lca4j_layer> layers(L);
    for (int l = 0; l < L; l++) {
        lca4j_layer &y = layers[l];
        memset(&y, 0, sizeof y);
        y.g0 = dg0 + off[l];
        if (combo) { y.g1 = dg1 + off[l]; y.g2 = dg2 + off[l]; y.d0 = dd0p + off[l]; y.d1 = dd1p + off[l]; }
        y.before = with_before ? da + off[l] : nullptr;
        y.after = db + off[l];
        y.cumulative = dcum + off[l];
        y.step_a = dstep + off[l];
        y.n = sizes[l];
    }
    lca4j_combine c = {1.0, 4.0, 2.0, 4.0, combo ? 6.0 : 1.0, 0};
    size_t ws = 0;
    CK(lca4j_layer_lca_workspace(sizes.data(), L, &ws));
    void *dws = nullptr;
    CK(lca4j_malloc(&dws, std::max<size_t>(ws, 1)));
    double *dsum = dev(std::vector<double>(L, NAN));
    int64_t *dneg = dev(std::vector<int64_t>(L, -1)), *dpos = dev(std::vector<int64_t>(L, -1));
    CK(lca4j_layer_lca(layers.data(), L, &c, dws, ws, dsum, dneg, dpos, nullptr));
    CK(lca4j_stream_synchronize(nullptr));
    auto sum = host(dsum, L);
    auto neg = host(dneg, L), pos = host(dpos, L);
    auto cum = host(dcum, D);
    auto st = host(dstep, D);
    bool plain = !combo;
    double worst = 0;
    long long badCount = 0, badElem = 0;
    for (int l = 0; l < L; l++) {
        double s = 0, sabs = 0;
        long long n = 0, p = 0;
        for (int64_t k = 0; k < sizes[l]; k++) {
            size_t i = off[l] + k;
            double g = combine_ref(c, plain, g0[i], combo ? g1.data() : nullptr, combo ? g2.data() : nullptr,
                                   combo ? d0.data() : nullptr, combo ? d1.data() : nullptr, i);
            double d = with_before ? (double)b[i] - a[i] : (double)b[i];
            double A = g * d;
            s += A; sabs += fabs(A); n += A < 0; p += A > 0;
            // A itself is computed with the same operations in double: the bits must agree.
            if (cum[i] != cum0[i] + A || st[i] != (float)A) badElem++;
        }
        double err = fabs(sum[l] - s) / (sabs > 0 ? sabs : 1);
        worst = std::max(worst, err);
        if (neg[l] != n || pos[l] != p) badCount++;
    }
    EXPECT(worst < 1e-10, "layer_lca %s: per-layer sum off by %.3g of Σ|A|", what, worst);
    EXPECT(badCount == 0, "layer_lca %s: helped/hurt counts differ in %lld layers", what, badCount);
    EXPECT(badElem == 0, "layer_lca %s: %lld per-parameter A or cumulative values differ from the CPU's bits", what, badElem);
    // Rerun on the same inputs: identical bits (fixed reduction order).
    CK(lca4j_layer_lca(layers.data(), L, &c, dws, ws, dsum, dneg, dpos, nullptr));
    auto sum2 = host(dsum, L);
    EXPECT(memcmp(sum.data(), sum2.data(), L * sizeof(double)) == 0, "layer_lca %s: rerun differs", what);
    printf("ok  layer_lca %-40s layers %4d params %11lld  max rel err %.2e\n", what, L, (long long)(D - (long long)L * misalign), worst);
    for (void *p : {(void *)dg0, (void *)dg1, (void *)dg2, (void *)da, (void *)db, (void *)dd0p, (void *)dd1p, (void *)dcum, (void *)dstep,
                    dws, (void *)dsum, (void *)dneg, (void *)dpos})
        CK(lca4j_free(p));
}

// ---- check 2: fused optimizer + free estimators, against a CPU step in the Java optimizers' order ----
static double sensitivity_ref(const lca4j_optimizer &o, float g, float mm, float vv) {
    if (o.kind != LCA4J_ADAM) return -(double)o.lr;
    const double bc2s = o.bc2_sqrt, vhs = sqrt((double)vv) / bc2s, d = vhs + (double)o.eps;
    const double through_v = vhs == 0 ? 0.0 : ((double)mm * (double)o.one_minus_beta2 * (double)g) / (bc2s * bc2s * vhs * d * d);
    return -(double)o.step_size * ((double)o.one_minus_beta1 / d - through_v);
}

// from_state: no θ_{t−1} kept (Δθ_{t−1} from the optimizer state); with_gprev: g_{t−1} kept (free_trap);
// with_debias: debiased_trap's inputs given. Every combination is a separate kernel instantiation
// in the specialized development variant (LCA4J_OPT_SPECIALIZE).
static void check_optimizer(int kind, const std::vector<int64_t> &sizes, const char *what, bool from_state = false, bool with_gprev = true,
                            bool with_debias = true) {
    const int L = (int)sizes.size(), S = LCA4J_SLOTS;
    int64_t D = 0;
    for (auto s : sizes) D += s;
    auto theta = randv(D, 0.1f), prev = theta, gprev = randv(D, 1.f), g = randv(D, 1.f), m = randv(D, 0.1f), v = randv(D, 0.1f);
    auto half = randv(D, 1.f), corr = randv(D, 1e-4f);  // a (so b = g − a) and the previous step's correction
    for (int64_t i = 0; i < D; i++) {
        // Every 11th parameter did not move last step (by any optimizer's state): debiased_trap leaves it uncorrected.
        if (i % 11 == 5) gprev[i] = m[i] = 0.f;
        prev[i] = theta[i] - 1e-3f * gprev[i];
        v[i] = fabsf(v[i]);
    }
    lca4j_optimizer o;
    memset(&o, 0, sizeof o);
    o.kind = kind; o.first_step = 0; o.lr = kind == LCA4J_ADAM ? 1e-3f : 0.01f; o.momentum = 0.9f;
    o.beta1 = 0.9f; o.beta2 = 0.999f; o.one_minus_beta1 = 1 - o.beta1; o.one_minus_beta2 = 1 - o.beta2; o.eps = 1e-8f;
    const int t = 3;
    o.step_size = (float)(o.lr / (1 - pow(o.beta1, t)));
    o.bc2_sqrt = (float)sqrt(1 - pow(o.beta2, t));
    o.prev_lr = o.lr;
    o.prev_step_size = (float)(o.lr / (1 - pow(o.beta1, t - 1)));
    o.prev_bc2_sqrt = (float)sqrt(1 - pow(o.beta2, t - 1));
    float *dth = dev(theta), *dprev = dev(prev), *dg = dev(g), *dgp = dev(gprev), *dm = dev(m), *dv = dev(v);
    float *dhalf = dev(half), *dcorr = dev(corr);
    const lca4j_debias debias = {dhalf, dcorr, 0.99f};
    size_t ws;
    CK(lca4j_optimizer_workspace(sizes.data(), L, &ws));
    void *dws;
    CK(lca4j_malloc(&dws, std::max<size_t>(ws, 1)));
    double *dsum = dev(std::vector<double>(S * L, NAN));
    int64_t *dneg = dev(std::vector<int64_t>(S * L, -1)), *dpos = dev(std::vector<int64_t>(S * L, -1));
    if (from_state && kind == LCA4J_SGD) {
        const int st = lca4j_optimizer_step_lca(&o, sizes.data(), L, dth, nullptr, dg, nullptr, nullptr, nullptr, nullptr, 1, dws, ws,
                                                dsum, dneg, dpos, nullptr);
        EXPECT(st == LCA4J_ERR_BAD_ARGUMENT, "optimizer %s: plain SGD with neither θ_{t−1} nor g_{t−1} gave %d", what, st);
    }
    CK(lca4j_optimizer_step_lca(&o, sizes.data(), L, dth, from_state ? nullptr : dprev, dg, with_gprev ? dgp : nullptr,
                                kind == LCA4J_SGD ? nullptr : dm, kind == LCA4J_ADAM ? dv : nullptr, with_debias ? &debias : nullptr, 1,
                                dws, ws, dsum, dneg, dpos, nullptr));
    auto th2 = host(dth, D), prev2 = host(dprev, D), gp2 = host(dgp, D), corr2 = host(dcorr, D);
    auto mFused = host(dm, D), vFused = host(dv, D);
    // The plain step (LCA off) from the same inputs must leave the same θ, m and v bits.
    float *pth = dev(theta), *pm = dev(m), *pv = dev(v);
    CK(lca4j_optimizer_step(&o, pth, dg, kind == LCA4J_SGD ? nullptr : pm, kind == LCA4J_ADAM ? pv : nullptr, D, nullptr));
    auto thPlain = host(pth, D), mPlain = host(pm, D), vPlain = host(pv, D);
    EXPECT(memcmp(thPlain.data(), th2.data(), D * sizeof(float)) == 0, "optimizer %s: the plain step's θ differs from the fused step's", what);
    EXPECT(kind == LCA4J_SGD || memcmp(mPlain.data(), mFused.data(), D * sizeof(float)) == 0, "optimizer %s: plain vs fused m differs", what);
    EXPECT(kind != LCA4J_ADAM || memcmp(vPlain.data(), vFused.data(), D * sizeof(float)) == 0, "optimizer %s: plain vs fused v differs", what);
    for (void *p : {(void *)pth, (void *)pm, (void *)pv}) CK(lca4j_free(p));
    auto sum = host(dsum, S * L);
    auto neg = host(dneg, S * L);
    long long badTheta = 0, badCorr = 0;
    double worst = 0;
    int64_t base = 0;
    for (int l = 0; l < L; l++) {
        double s[S] = {}, sa[S] = {};
        long long n[S] = {};
        for (int64_t k = 0; k < sizes[l]; k++) {
            size_t i = base + k;
            float gi = g[i], th = theta[i], next;
            volatile float mm = m[i], vv = v[i];  // volatile: no FMA contraction in the reference either
            double d = (double)th - prev[i];
            if (from_state) {  // the previous update from the state before this step advances it
                volatile float u;
                if (kind == LCA4J_SGD) u = o.prev_lr * gprev[i];
                else if (kind == LCA4J_SGD_MOMENTUM) u = o.prev_lr * mm;
                else { volatile float den = sqrtf(vv) / o.prev_bc2_sqrt; den = den + o.eps; u = o.prev_step_size * mm; u = u / den; }
                d = -(double)u;
            }
            if (kind == LCA4J_SGD) next = th - o.lr * gi;
            else if (kind == LCA4J_SGD_MOMENTUM) { volatile float buf = o.momentum * mm; buf = buf + gi; volatile float u = o.lr * buf; next = th - u; }
            else {
                volatile float a1 = o.beta1 * mm, a2 = o.one_minus_beta1 * gi; mm = a1 + a2;
                volatile float b1 = o.beta2 * vv, b2 = o.one_minus_beta2 * gi; b2 = b2 * gi; vv = b1 + b2;
                volatile float den = sqrtf(vv) / o.bc2_sqrt; den = den + o.eps;
                volatile float u = o.step_size * mm; u = u / den; next = th - u;
            }
            // Buffers not given stay as they were.
            if (th2[i] != next || (!from_state && prev2[i] != th) || gp2[i] != (with_gprev ? gi : gprev[i])) badTheta++;
            const double spread = 2.0 * half[i] - gi;
            const double c = -0.5 * (double)debias.keep * (spread * spread) * sensitivity_ref(o, gi, kind == LCA4J_SGD ? 0.f : mm, kind == LCA4J_ADAM ? vv : 0.f);
            if (with_debias ? fabs(corr2[i] - c) > 1e-6 * fabs(c) + 1e-30 : corr2[i] != corr[i]) badCorr++;
            double ft = (double)(float)(0.5 * ((double)gprev[i] + gi)) * d;
            // Slots a launch cannot fill are written 0.
            double A[S] = {(double)gi * d, with_gprev ? ft : 0.0, (double)gi * ((double)next - th),
                           with_gprev && with_debias ? (d == 0 ? ft : ft + (double)corr[i]) : 0.0};
            for (int q = 0; q < S; q++) { s[q] += A[q]; sa[q] += fabs(A[q]); n[q] += A[q] < 0; }
        }
        for (int q = 0; q < S; q++) {
            worst = std::max(worst, fabs(sum[q * L + l] - s[q]) / (sa[q] > 0 ? sa[q] : 1));
            EXPECT(neg[q * L + l] == n[q], "optimizer %s: slot %d layer %d helped %lld vs %lld", what, q, l, (long long)neg[q * L + l], n[q]);
        }
        base += sizes[l];
    }
    EXPECT(badTheta == 0, "optimizer %s: %lld parameters differ from the CPU step's bits", what, badTheta);
    EXPECT(badCorr == 0, "optimizer %s: %lld debiased_trap corrections differ from the CPU's", what, badCorr);
    EXPECT(worst < 1e-10, "optimizer %s: estimator sums off by %.3g", what, worst);
    printf("ok  optimizer %-52s layers %4d params %11lld  max rel err %.2e\n", what, L, (long long)D, worst);
    for (void *p : {(void *)dth, (void *)dprev, (void *)dg, (void *)dgp, (void *)dm, (void *)dv, (void *)dhalf, (void *)dcorr, dws,
                    (void *)dsum, (void *)dneg, (void *)dpos})
        CK(lca4j_free(p));
}

// ---- check 3: exact-LCA helpers ----
static void check_vector_ops(int64_t n) {
    auto x = randv(n, 1.f), a = randv(n, 1.f), b = randv(n, 1.f);
    std::vector<double> y(n);
    for (auto &e : y) e = std::uniform_real_distribution<double>(-1, 1)(rng);
    double *dy = dev(y);
    float *dx = dev(x), *da = dev(a), *db = dev(b), *dout = dev(std::vector<float>(n, NAN));
    CK(lca4j_add_f32_to_f64(dy, dx, n, nullptr));
    CK(lca4j_add_f64(dy, dy, n, nullptr));
    CK(lca4j_point_on_step(dout, da, db, 0.375, n, nullptr));
    auto y2 = host(dy, n);
    auto out = host(dout, n);
    long long bad = 0;
    for (int64_t i = 0; i < n; i++) {
        double e = y[i] + (double)x[i];
        e = e + e;
        float p = (float)(a[i] + 0.375 * ((double)b[i] - a[i]));
        if (y2[i] != e || out[i] != p) bad++;
    }
    EXPECT(bad == 0, "vector ops n=%lld: %lld elements differ", (long long)n, bad);
    printf("ok  vector ops n=%lld\n", (long long)n);
    for (void *p : {(void *)dy, (void *)dx, (void *)da, (void *)db, (void *)dout}) CK(lca4j_free(p));
}

// ---- benchmarks ----
// Variants of the per-step LCA, llm.c style (the winner is the one in cuda/src):
//   0  copy: cudaMemcpy D2D of as many bytes as the LCA must move (the ceiling)
//   1  unfused: an element-wise kernel writes A (float64) to memory, then one reduction launch per
//      layer, as a framework's mul + per-view sum would; moves A through memory twice
//   2  fused (cuda/src/layer_lca.cu): one pass, one launch for all layers, plus the cleanup launch
static FILE *json_out = nullptr;
static int64_t max_params = INT64_MAX;  // --max-params: benchmarks above it are left out (a rehearsal's sizes)

// JSON has no NaN: a benchmark that did not run is null.
static std::string json_number(double v) {
    if (std::isnan(v)) return "null";
    char b[64];
    snprintf(b, sizeof b, "%.6f", v);
    return b;
}

__global__ void v1_multiply(const float *g, const float *a, const float *b, double *A, int64_t n) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        A[i] = (double)g[i] * ((double)b[i] - (double)a[i]);
}
__global__ void v1_reduce(const double *A, int64_t n, double *out) {
    __shared__ double sh[256];
    double s = 0;
    for (int64_t i = threadIdx.x; i < n; i += 256) s += A[i];
    sh[threadIdx.x] = s;
    __syncthreads();
    for (int o = 128; o > 0; o >>= 1) {
        if (threadIdx.x < o) sh[threadIdx.x] += sh[threadIdx.x + o];
        __syncthreads();
    }
    if (threadIdx.x == 0) *out = sh[0];
}

template <typename F>
static double median_ms(F f, int reps = 20) {
    cudaEvent_t e0, e1;
    cudaEventCreate(&e0);
    cudaEventCreate(&e1);
    for (int w = 0; w < 3; w++) f();
    std::vector<float> ms;
    for (int r = 0; r < reps; r++) {
        cudaEventRecord(e0);
        f();
        cudaEventRecord(e1);
        cudaEventSynchronize(e1);
        float t;
        cudaEventElapsedTime(&t, e0, e1);
        ms.push_back(t);
    }
    CK((int)cudaGetLastError());
    std::sort(ms.begin(), ms.end());
    cudaEventDestroy(e0);
    cudaEventDestroy(e1);
    return ms[ms.size() / 2];
}

static void bench_layer_lca(int64_t D, int L, bool cumulative) {
    if (D > max_params) return;
    std::vector<int64_t> sizes(L, D / L);
    sizes[L - 1] += D % L;
    void *raw;
    CK(lca4j_malloc(&raw, (size_t)D * 12));
    float *g = (float *)raw, *a = g + D, *b = a + D;
    std::vector<float> h = randv(std::min<int64_t>(D, 1 << 24), 1.f);
    for (int64_t off = 0; off < 3 * D; off += (int64_t)h.size())
        CK(lca4j_memcpy_h2d(g + off, h.data(), std::min<int64_t>(h.size(), 3 * D - off) * 4, nullptr));
    double *cum = nullptr;
    if (cumulative) { CK(lca4j_malloc((void **)&cum, (size_t)D * 8)); CK(lca4j_memset(cum, 0, (size_t)D * 8, nullptr)); }
    std::vector<lca4j_layer> layers(L);
    int64_t off = 0;
    for (int l = 0; l < L; l++) {
        memset(&layers[l], 0, sizeof(lca4j_layer));
        layers[l].g0 = g + off; layers[l].before = a + off; layers[l].after = b + off;
        layers[l].cumulative = cum ? cum + off : nullptr; layers[l].n = sizes[l];
        off += sizes[l];
    }
    size_t ws;
    CK(lca4j_layer_lca_workspace(sizes.data(), L, &ws));
    void *dws;
    CK(lca4j_malloc(&dws, ws));
    double *s;
    int64_t *n, *p;
    CK(lca4j_malloc((void **)&s, L * 8)); CK(lca4j_malloc((void **)&n, L * 8)); CK(lca4j_malloc((void **)&p, L * 8));
    const double bytes = (double)D * (12 + (cumulative ? 16 : 0));
    void *c0, *c1;
    CK(lca4j_malloc(&c0, (size_t)(bytes / 2))); CK(lca4j_malloc(&c1, (size_t)(bytes / 2)));
    double copy = median_ms([&] { cudaMemcpyAsync(c1, c0, (size_t)(bytes / 2), cudaMemcpyDeviceToDevice); });
    CK(lca4j_free(c0)); CK(lca4j_free(c1));
    double unfused = NAN;
    if (!cumulative) {
        double *A;
        if (lca4j_malloc((void **)&A, (size_t)D * 8) == 0) {
            unfused = median_ms([&] {
                v1_multiply<<<1024, 256>>>(g, a, b, A, D);
                int64_t o = 0;
                for (int l = 0; l < L; l++) { v1_reduce<<<1, 256>>>(A + o, sizes[l], s + l); o += sizes[l]; }
            });
            CK(lca4j_free(A));
        }
    }
    double fused = median_ms([&] { CK(lca4j_layer_lca(layers.data(), L, nullptr, dws, ws, s, n, p, nullptr)); });
    printf("bench layer_lca params %11lld layers %4d cumulative %d: fused %.3f ms (%.0f GB/s, %.0f%% of copy), unfused %.3f ms, copy %.3f ms (%.0f GB/s)\n",
           (long long)D, L, cumulative, fused, bytes / (fused * 1e-3) / 1e9, 100 * copy / fused, unfused, copy, bytes / (copy * 1e-3) / 1e9);
    if (json_out)
        fprintf(json_out, "{\"kernel\":\"layer_lca\",\"params\":%lld,\"layers\":%d,\"cumulative\":%d,\"bytes\":%.0f,\"fused_ms\":%.6f,\"unfused_ms\":%s,\"copy_ms\":%.6f}\n",
                (long long)D, L, cumulative, bytes, fused, json_number(unfused).c_str(), copy);
    for (void *q : {raw, (void *)cum, dws, (void *)s, (void *)n, (void *)p}) if (q) CK(lca4j_free(q));
}

// Optimizer-step overhead of the free estimators: the library's plain momentum update (variant 1,
// timed beside a hand-written one-liner to show it is not a slow baseline), the fused optimizer + LCA
// kernel (2), and the plain update followed by a separate LCA launch (3).
__global__ void v1_momentum(float *theta, const float *g, float *m, float lr, float mu, int64_t n) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        float buf = __fadd_rn(__fmul_rn(mu, m[i]), g[i]);
        m[i] = buf;
        theta[i] = __fsub_rn(theta[i], __fmul_rn(lr, buf));
    }
}

static void bench_optimizer(int64_t D) {
    if (D > max_params) return;
    std::vector<int64_t> sizes = {D / 2, D / 4, D - D / 2 - D / 4};
    const int L = 3;
    float *th, *prev, *g, *m, *gprev;
    for (float **q : {&th, &prev, &g, &m, &gprev}) { CK(lca4j_malloc((void **)q, (size_t)D * 4)); CK(lca4j_memset(*q, 0, (size_t)D * 4, nullptr)); }
    lca4j_optimizer o;
    memset(&o, 0, sizeof o);
    o.kind = LCA4J_SGD_MOMENTUM; o.lr = 0.01f; o.momentum = 0.9f;
    size_t ws, ws2;
    CK(lca4j_optimizer_workspace(sizes.data(), L, &ws));
    CK(lca4j_layer_lca_workspace(sizes.data(), L, &ws2));
    void *dws, *dws2;
    CK(lca4j_malloc(&dws, ws)); CK(lca4j_malloc(&dws2, ws2));
    double *s; int64_t *n, *p;
    CK(lca4j_malloc((void **)&s, LCA4J_SLOTS * L * 8)); CK(lca4j_malloc((void **)&n, LCA4J_SLOTS * L * 8)); CK(lca4j_malloc((void **)&p, LCA4J_SLOTS * L * 8));
    std::vector<lca4j_layer> layers(L);
    int64_t off = 0;
    for (int l = 0; l < L; l++) {
        memset(&layers[l], 0, sizeof(lca4j_layer));
        layers[l].g0 = g + off; layers[l].before = prev + off; layers[l].after = th + off; layers[l].n = sizes[l];
        off += sizes[l];
    }
    double plain = median_ms([&] { CK(lca4j_optimizer_step(&o, th, g, m, nullptr, D, nullptr)); });
    double handwritten = median_ms([&] { v1_momentum<<<1024, 256>>>(th, g, m, 0.01f, 0.9f, D); });
    // Without g_{t−1} (next_batch_end and same_batch), and with it (free_trap too).
    double fused = median_ms([&] { CK(lca4j_optimizer_step_lca(&o, sizes.data(), L, th, prev, g, nullptr, m, nullptr, nullptr, 1, dws, ws, s, n, p, nullptr)); });
    double fusedAll = median_ms([&] { CK(lca4j_optimizer_step_lca(&o, sizes.data(), L, th, prev, g, gprev, m, nullptr, nullptr, 1, dws, ws, s, n, p, nullptr)); });
    // The same without θ_{t−1}: Δθ_{t−1} recomputed from m (8 bytes less per parameter).
    double state = median_ms([&] { CK(lca4j_optimizer_step_lca(&o, sizes.data(), L, th, nullptr, g, nullptr, m, nullptr, nullptr, 1, dws, ws, s, n, p, nullptr)); });
    double stateAll = median_ms([&] { CK(lca4j_optimizer_step_lca(&o, sizes.data(), L, th, nullptr, g, gprev, m, nullptr, nullptr, 1, dws, ws, s, n, p, nullptr)); });
    double separate = median_ms([&] {
        CK(lca4j_layer_lca(layers.data(), L, nullptr, dws2, ws2, s, n, p, nullptr));
        CK(lca4j_optimizer_step(&o, th, g, m, nullptr, D, nullptr));
    });
    printf("bench optimizer params %11lld: plain momentum %.3f ms (hand-written one-liner %.3f ms), fused +LCA %.3f ms (+%.1f%%), with free_trap %.3f ms (+%.1f%%), "
           "Δθ from state %.3f ms (+%.1f%%), with free_trap %.3f ms (+%.1f%%), plain + separate LCA %.3f ms (+%.1f%%)\n",
           (long long)D, plain, handwritten, fused, 100 * (fused / plain - 1), fusedAll, 100 * (fusedAll / plain - 1), state, 100 * (state / plain - 1),
           stateAll, 100 * (stateAll / plain - 1), separate, 100 * (separate / plain - 1));
    if (json_out)
        fprintf(json_out, "{\"kernel\":\"optimizer_momentum\",\"params\":%lld,\"plain_ms\":%.6f,\"handwritten_ms\":%.6f,\"fused_ms\":%.6f,\"fused_all_ms\":%.6f,"
                "\"state_ms\":%.6f,\"state_all_ms\":%.6f,\"separate_ms\":%.6f}\n",
                (long long)D, plain, handwritten, fused, fusedAll, state, stateAll, separate);
    for (void *q : {(void *)th, (void *)prev, (void *)g, (void *)m, (void *)gprev, dws, dws2, (void *)s, (void *)n, (void *)p}) CK(lca4j_free(q));
}

// ---- bias gradients: the library's kernel vs a candidate, for the GPU session to decide ----
// Σ over a batch's rows per output column (lca4j_bias_grad, cuda/src/mlp.cu):
//   1  library: one thread per column, rows in order (the CPU's float sum bit for bit); a narrow
//      layer (10 columns) runs on 10 threads, rows one after another
//   2  candidate: 32 columns × 8 row-strands per block, coalesced loads, strands added in a fixed
//      tree (deterministic, but not the CPU's bits: float sums in another order)
__global__ void v2_bias_grad(const float *dz, int rows, int out, float *grad_b) {
    __shared__ float sh[8][32];
    const int j = blockIdx.x * 32 + threadIdx.x;
    float s = 0.f;
    if (j < out)
        for (int r = threadIdx.y; r < rows; r += 8) s += dz[(int64_t)r * out + j];
    sh[threadIdx.y][threadIdx.x] = s;
    __syncthreads();
    for (int h = 4; h > 0; h >>= 1) {
        if (threadIdx.y < h) sh[threadIdx.y][threadIdx.x] += sh[threadIdx.y + h][threadIdx.x];
        __syncthreads();
    }
    if (threadIdx.y == 0 && j < out) grad_b[j] = sh[0][threadIdx.x];
}

static void check_and_bench_bias_grad(int rows, int out, bool bench) {
    if (bench && (int64_t)rows * out > max_params) return;
    auto dz = randv((size_t)rows * out, 1.f);
    float *ddz = dev(dz), *g1 = dev(std::vector<float>(out)), *g2 = dev(std::vector<float>(out, NAN));
    auto v2 = [&] { v2_bias_grad<<<(out + 31) / 32, dim3(32, 8)>>>(ddz, rows, out, g2); };
    v2();
    CK((int)cudaGetLastError());
    auto a = host(g2, out);
    v2();
    auto b = host(g2, out);
    double worst = 0;
    for (int j = 0; j < out; j++) {
        double ref = 0, mag = 0;
        for (int r = 0; r < rows; r++) { ref += dz[(size_t)r * out + j]; mag += fabs(dz[(size_t)r * out + j]); }
        worst = std::max(worst, fabs(a[j] - ref) / (mag > 0 ? mag : 1));
    }
    EXPECT(worst < 1e-4, "bias_grad v2 rows %d out %d: off by %.2e of Σ|dz|", rows, out, worst);
    EXPECT(memcmp(a.data(), b.data(), out * sizeof(float)) == 0, "bias_grad v2 rows %d out %d: rerun differs", rows, out);
    if (bench) {
        double t1 = median_ms([&] { CK(lca4j_bias_grad(ddz, rows, out, g1, 0, nullptr)); });
        double t2 = median_ms(v2);
        printf("bench bias_grad rows %5d out %5d: library (thread per column) %.4f ms, candidate (8 strands + tree) %.4f ms\n", rows, out, t1, t2);
        if (json_out)
            fprintf(json_out, "{\"kernel\":\"bias_grad\",\"rows\":%d,\"out\":%d,\"library_ms\":%.6f,\"candidate_ms\":%.6f}\n", rows, out, t1, t2);
    } else {
        printf("ok  bias_grad v2 rows %5d out %5d  max rel err %.2e\n", rows, out, worst);
    }
    for (void *q : {(void *)ddz, (void *)g1, (void *)g2}) CK(lca4j_free(q));
}

// ---- check 4: the GPU harness's MLP pieces against nn/Mlp's loops ----
static void check_mlp_ops(int set_rows, int rows, int dim, int k) {
    auto set_x = randv((size_t)set_rows * dim, 1.f);
    std::vector<int> set_y(set_rows), idx(rows);
    for (auto &v : set_y) v = (int)(rng() % k);
    for (auto &v : idx) v = (int)(rng() % set_rows);
    float *dsx = dev(set_x), *dx = dev(std::vector<float>((size_t)rows * dim));
    int *dsy = dev(set_y), *didx = dev(idx), *dy = dev(std::vector<int>(rows));
    CK(lca4j_gather_rows(dx, dy, dsx, dsy, didx, rows, dim, nullptr));
    auto x = host(dx, (size_t)rows * dim);
    auto y = host(dy, rows);
    long long bad = 0;
    for (int r = 0; r < rows; r++) {
        bad += y[r] != set_y[idx[r]];
        for (int c = 0; c < dim; c++) bad += x[(size_t)r * dim + c] != set_x[(size_t)idx[r] * dim + c];
    }
    EXPECT(bad == 0, "gather_rows: %lld values differ", bad);

    // logits = bias + noise, then ReLU and its mask, bias gradient, softmax cross-entropy
    auto b = randv(k, 1.f), z = randv((size_t)rows * k, 3.f), act = randv((size_t)rows * k, 1.f);
    float *dz = dev(z), *db = dev(b), *dact = dev(act);
    CK(lca4j_fill_rows(dz, db, rows, k, nullptr));
    auto filled = host(dz, (size_t)rows * k);
    bad = 0;
    for (size_t i = 0; i < filled.size(); i++) bad += filled[i] != b[i % k];
    EXPECT(bad == 0, "fill_rows: %lld values differ", bad);
    CK(lca4j_memcpy_h2d(dz, z.data(), z.size() * sizeof(float), nullptr));
    CK(lca4j_relu(dz, (int64_t)z.size(), nullptr));
    auto relu = host(dz, z.size());
    bad = 0;
    for (size_t i = 0; i < z.size(); i++) bad += relu[i] != (z[i] < 0.f ? 0.f : z[i]);
    EXPECT(bad == 0, "relu: %lld values differ", bad);
    CK(lca4j_memcpy_h2d(dz, z.data(), z.size() * sizeof(float), nullptr));
    CK(lca4j_relu_backward(dz, dact, (int64_t)z.size(), nullptr));
    auto masked = host(dz, z.size());
    bad = 0;
    for (size_t i = 0; i < z.size(); i++) bad += masked[i] != (act[i] <= 0.f ? 0.f : z[i]);
    EXPECT(bad == 0, "relu_backward: %lld values differ", bad);

    auto gb = randv(k, 1.f);
    float *dgb = dev(gb);
    CK(lca4j_memcpy_h2d(dz, z.data(), z.size() * sizeof(float), nullptr));
    CK(lca4j_bias_grad(dz, rows, k, dgb, 1, nullptr));
    auto gb2 = host(dgb, k);
    bad = 0;
    for (int j = 0; j < k; j++) {
        volatile float acc = gb[j];
        for (int r = 0; r < rows; r++) acc = acc + z[(size_t)r * k + j];
        bad += gb2[j] != acc;
    }
    EXPECT(bad == 0, "bias_grad: %lld columns differ from the CPU's row-order float sum", bad);

    float *ddz = dev(std::vector<float>(z.size()));
    double *dloss = dev(std::vector<double>(rows)), *dsum = dev(std::vector<double>(1));
    int *dcorrect = dev(std::vector<int>(rows));
    int64_t *dcsum = dev(std::vector<int64_t>(1));
    const float scale = 1.f / rows;
    CK(lca4j_softmax_xent(dz, dy, rows, k, scale, ddz, dloss, dcorrect, nullptr));
    CK(lca4j_sum_rows(dloss, dcorrect, rows, dsum, dcsum, nullptr));
    auto dzg = host(ddz, z.size());
    auto loss = host(dloss, rows);
    double lossSum = host(dsum, 1)[0];
    long long correct = host(dcsum, 1)[0];
    double refSum = 0, worstLoss = 0, worstDz = 0;
    long long refCorrect = 0;
    for (int r = 0; r < rows; r++) {
        const float *l = &z[(size_t)r * k];
        float mx = l[0];
        int arg = 0;
        for (int j = 1; j < k; j++) if (l[j] > mx) { mx = l[j]; arg = j; }
        double zz = 0;
        for (int j = 0; j < k; j++) zz += exp((double)(l[j] - mx));
        double lr = log(zz) + mx - l[y[r]];
        refSum += lr;
        refCorrect += arg == y[r];
        worstLoss = std::max(worstLoss, fabs(loss[r] - lr) / (1 + fabs(lr)));
        for (int j = 0; j < k; j++) {
            float ref = (float)((exp((double)(l[j] - mx)) / zz - (j == y[r] ? 1 : 0)) * scale);
            worstDz = std::max(worstDz, (double)fabsf(dzg[(size_t)r * k + j] - ref) / scale);
        }
    }
    EXPECT(worstLoss < 1e-14, "softmax_xent: row loss off by %.3g", worstLoss);
    EXPECT(worstDz < 1e-6, "softmax_xent: gradient off by %.3g (in units of scale)", worstDz);
    EXPECT(correct == refCorrect, "sum_rows: %lld correct vs %lld", correct, refCorrect);
    EXPECT(fabs(lossSum - refSum) <= 1e-12 * fabs(refSum), "sum_rows: %.17g vs %.17g", lossSum, refSum);
    CK(lca4j_sum_rows(dloss, dcorrect, rows, dsum, dcsum, nullptr));
    EXPECT(host(dsum, 1)[0] == lossSum, "sum_rows: a rerun gave other bits");
    printf("ok  mlp ops rows %6d dim %4d classes %3d  loss err %.1e  dz err %.1e\n", rows, dim, k, worstLoss, worstDz);
    for (void *p : {(void *)dsx, (void *)dx, (void *)dsy, (void *)didx, (void *)dy, (void *)dz, (void *)db, (void *)dact, (void *)dgb,
                    (void *)ddz, (void *)dloss, (void *)dsum, (void *)dcorrect, (void *)dcsum})
        CK(lca4j_free(p));
}

// A failed call (here: out of memory) must be reported by that call only: the runtime keeps its error
// as the thread's "last error", which the next launch check would otherwise read as its own.
static void check_error_recovery() {
    void *huge = nullptr;
    const int st = lca4j_malloc(&huge, (size_t)1 << 50);
    float *v = dev(std::vector<float>{-1.f, 2.f});
    const int next = lca4j_relu(v, 2, nullptr);
    EXPECT(st != 0 && next == 0, "error recovery: malloc of 1 PiB -> %d, then a launch -> %d (%s)", st, next, lca4j_status_string(next));
    CK(lca4j_free(v));
    if (st != 0 && next == 0) printf("ok  error recovery: a failed allocation does not fail the next launch\n");
}

static void run_checks(bool quick, bool provoke_oom) {
    if (provoke_oom) check_error_recovery();
    check_layer_lca({1}, 0, false, true, "one parameter");
    check_layer_lca({7, 1, 13, 0, 4097}, 1, false, true, "odd sizes, empty layer, misaligned");
    std::vector<int64_t> mnist_fc = {100 * 784, 100, 50 * 100, 50, 10 * 50, 10};
    check_layer_lca(mnist_fc, 0, false, true, "MNIST-FC");
    check_layer_lca(mnist_fc, 3, true, true, "MNIST-FC, Simpson combination");
    check_layer_lca({12345, 8191, 8193, 3}, 2, false, false, "delta input");
    std::vector<int64_t> many;
    for (int l = 0; l < 300; l++) many.push_back(1 + (int64_t)(rng() % 20000));
    check_layer_lca(many, 1, false, true, "300 layers");
    std::vector<int64_t> more;
    for (int l = 0; l < 700; l++) more.push_back((int64_t)(rng() % 3000));
    check_layer_lca(more, 0, true, true, "700 layers back to back");
    check_layer_lca(more, 1, false, true, "700 layers with gaps (three launches)");
    std::vector<int64_t> most;
    for (int l = 0; l < 2500; l++) most.push_back((int64_t)(rng() % 50));
    check_layer_lca(most, 0, false, true, "2500 layers");
    // The spread kernel's edge cases (LCA4J_SPREAD): blocks that span dozens of layers, and block
    // ranges that end exactly on layer ends, with empty layers at those ends.
    std::vector<int64_t> tiny;
    for (int l = 0; l < 320; l++) tiny.push_back((int64_t)(rng() % 41));
    check_layer_lca(tiny, 1, false, true, "320 tiny layers");
    const std::vector<int64_t> layer_ends = {1024, 0, 1024, 1024, 0, 0, 1024, 2048, 0};
    check_layer_lca(layer_ends, 0, false, true, "blocks end on layer ends");
    if (!quick) check_layer_lca({60000000, 39999997, 3}, 0, false, true, "1e8 parameters");
    for (int k : {LCA4J_SGD, LCA4J_SGD_MOMENTUM, LCA4J_ADAM}) {
        const char *kept[] = {"sgd", "sgd momentum", "adam"};
        const char *from_state[] = {"sgd, dtheta from g_prev", "sgd momentum, dtheta from m", "adam, dtheta from m, v"};
        for (bool fs : {false, true})
            for (const auto *sizes : {&mnist_fc, &many}) check_optimizer(k, *sizes, fs ? from_state[k] : kept[k], fs);
        // The other buffer combinations (no g_{t−1}, no debias inputs), on MNIST-FC's layers.
        for (bool fs : {false, true})
            for (int b = 0; b < 3; b++) {
                const bool gp = b & 1, db = b & 2;
                if (fs && k == LCA4J_SGD && !gp) continue;  // refused: no way to the previous step (checked above)
                const std::string w = std::string(fs ? from_state[k] : kept[k]) + (gp ? "" : ", no g_prev") + (db ? "" : ", no debias");
                check_optimizer(k, mnist_fc, w.c_str(), fs, gp, db);
            }
    }
    // The spread variant's edge cases (LCA4J_SPREAD), as for layer_lca above.
    check_optimizer(LCA4J_ADAM, tiny, "adam, 320 tiny layers", true);
    check_optimizer(LCA4J_SGD_MOMENTUM, layer_ends, "sgd momentum, blocks end on layer ends");
    check_vector_ops(1);
    check_vector_ops(1000003);
    check_mlp_ops(1000, 250, 784, 10);
    check_mlp_ops(37, 1, 3, 1);
    check_mlp_ops(5000, 4097, 17, 13);
    for (auto ro : std::vector<std::pair<int, int>>{{250, 100}, {1, 3}, {1000, 45}, {4097, 33}}) check_and_bench_bias_grad(ro.first, ro.second, false);
}

int main(int argc, char **argv) {
    int count = 0;
    CK(lca4j_device_count(&count));
    if (count == 0) { printf("SKIPPED: no CUDA device\n"); return 77; }
    char name[256]; int sms, ma, mi;
    CK(lca4j_device_info(0, name, sizeof name, &sms, &ma, &mi));
    printf("device: %s, %d SMs, cc %d.%d\n", name, sms, ma, mi);
    // --quick: small checks only; --checks-only: every check, no benchmarks; --bench-only: the reverse;
    // --max-params N: only benchmarks of at most N parameters; --no-oom: leave out the check that
    // fails an allocation on purpose (compute-sanitizer's memcheck counts that as an API error).
    bool quick = false, bench_only = false, checks_only = false, provoke_oom = true;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) quick = true;
        else if (!strcmp(argv[i], "--checks-only")) checks_only = true;
        else if (!strcmp(argv[i], "--bench-only")) bench_only = true;
        else if (!strcmp(argv[i], "--json") && i + 1 < argc) json_out = fopen(argv[++i], "w");
        else if (!strcmp(argv[i], "--max-params") && i + 1 < argc) max_params = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--no-oom")) provoke_oom = false;
        else { fprintf(stderr, "lca_check: unknown argument %s\n", argv[i]); return 2; }
    }
    if (!bench_only) run_checks(quick, provoke_oom);
    if (!quick && !checks_only) {
        for (int64_t d : {(int64_t)1000000, (int64_t)10000000, (int64_t)100000000, (int64_t)1000000000})
            for (int l : {10, 100, 1000}) bench_layer_lca(d, l, false);
        bench_layer_lca(100000000, 300, true);
        bench_layer_lca(266610, 6, false);
        for (int64_t d : {(int64_t)266610, (int64_t)10000000, (int64_t)100000000}) bench_optimizer(d);
        // MNIST-FC's layers at batch 250, and the 107M MLP's at batches 256 and 1024 (GpuStepOverhead's cases).
        for (auto ro : std::vector<std::pair<int, int>>{{250, 100}, {250, 50}, {250, 10}, {256, 8192}, {256, 4096}, {1024, 8192}})
            check_and_bench_bias_grad(ro.first, ro.second, true);
    }
    if (json_out) fclose(json_out);
    printf(failures ? "FAILED: %d checks\n" : "all checks passed\n", failures);
    return failures ? 1 : 0;
}
