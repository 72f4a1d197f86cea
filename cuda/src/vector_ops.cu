// Element-wise helpers for exact LCA on the GPU: the Simpson running sums and the points on a step,
// with the same operations as exact/ExactLca on the CPU. Grid-stride loops sized from the SM count.
#include "common.cuh"

namespace lca4j {

__global__ void add_f32_to_f64_kernel(double *y, const float *x, int64_t n) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        y[i] = __dadd_rn(y[i], (double)x[i]);
}

__global__ void add_f64_kernel(double *y, const double *x, int64_t n) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        y[i] = __dadd_rn(y[i], x[i]);
}

__global__ void point_on_step_kernel(float *out, const float *before, const float *after, double s, int64_t n) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        const double b = before[i];
        out[i] = (float)__dadd_rn(b, __dmul_rn(s, __dsub_rn((double)after[i], b)));
    }
}

}  // namespace lca4j

using namespace lca4j;

extern "C" int lca4j_add_f32_to_f64(double *d_y, const float *d_x, int64_t n, void *stream) {
    if (n < 0 || (n > 0 && (!d_y || !d_x))) return LCA4J_ERR_BAD_ARGUMENT;
    return launch_grid_stride("add_f32_to_f64_kernel", add_f32_to_f64_kernel, n, stream, d_y, d_x, n);
}

extern "C" int lca4j_add_f64(double *d_y, const double *d_x, int64_t n, void *stream) {
    if (n < 0 || (n > 0 && (!d_y || !d_x))) return LCA4J_ERR_BAD_ARGUMENT;
    return launch_grid_stride("add_f64_kernel", add_f64_kernel, n, stream, d_y, d_x, n);
}

extern "C" int lca4j_point_on_step(float *d_out, const float *d_before, const float *d_after, double s, int64_t n, void *stream) {
    if (n < 0 || (n > 0 && (!d_out || !d_before || !d_after))) return LCA4J_ERR_BAD_ARGUMENT;
    return launch_grid_stride("point_on_step_kernel", point_on_step_kernel, n, stream, d_out, d_before, d_after, s, n);
}
