// The small kernels of the GPU training harness's MLP, around cuBLAS SGEMM (bound from Java): batch
// gathering, bias broadcast, ReLU and its mask, softmax cross-entropy with its gradient, bias
// gradients, and a fixed-order sum. Each follows nn/Mlp's CPU loop operation for operation (the _rn
// intrinsics keep nvcc from fusing), so only exp/log rounding and the GEMMs differ from the CPU.
#include "common.cuh"

namespace lca4j {

__global__ void gather_rows_kernel(float *x, int *y, const float *set_x, const int *set_y, const int *idx, int rows, int dim) {
    const int64_t n = (int64_t)rows * dim;
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        const int r = (int)(i / dim), c = (int)(i % dim);
        const int src = idx[r];
        x[i] = set_x[(int64_t)src * dim + c];
        if (c == 0) y[r] = set_y[src];
    }
}

__global__ void fill_rows_kernel(float *z, const float *b, int rows, int out) {
    const int64_t n = (int64_t)rows * out;
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) z[i] = b[i % out];
}

__global__ void relu_kernel(float *v, int64_t n) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        if (v[i] < 0.f) v[i] = 0.f;
}

__global__ void relu_backward_kernel(float *d, const float *act, int64_t n) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        if (act[i] <= 0.f) d[i] = 0.f;
}

// One thread per row: classes are few (10 for MNIST), and the row's max, Σexp and loss stay in registers.
__global__ void softmax_xent_kernel(const float *logits, const int *y, int rows, int k, float scale, float *dz, double *row_loss,
                                    int *row_correct) {
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += gridDim.x * blockDim.x) {
        const float *l = logits + (int64_t)r * k;
        const int label = y[r];
        float max = l[0];
        int arg = 0;
        for (int j = 1; j < k; j++) if (l[j] > max) { max = l[j]; arg = j; }
        double z = 0;
        for (int j = 0; j < k; j++) z = __dadd_rn(z, exp((double)__fsub_rn(l[j], max)));
        row_loss[r] = __dsub_rn(__dadd_rn(log(z), (double)max), (double)l[label]);
        row_correct[r] = arg == label;
        if (dz) {
            for (int j = 0; j < k; j++) {
                const double p = __ddiv_rn(exp((double)__fsub_rn(l[j], max)), z);
                dz[(int64_t)r * k + j] = (float)__dmul_rn(__dsub_rn(p, j == label ? 1.0 : 0.0), (double)scale);
            }
        }
    }
}

// One thread per output column, rows in order: the CPU's float sum exactly, and no atomics.
__global__ void bias_grad_kernel(const float *dz, int rows, int out, float *grad_b, int accumulate) {
    for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < out; j += gridDim.x * blockDim.x) {
        float s = accumulate ? grad_b[j] : 0.f;
        for (int r = 0; r < rows; r++) s = __fadd_rn(s, dz[(int64_t)r * out + j]);
        grad_b[j] = s;
    }
}

// One block: each thread a strided sequential sum, then the fixed block tree. Same bits every run.
__global__ void sum_rows_kernel(const double *loss, const int *correct, int n, double *loss_sum, long long *correct_sum) {
    __shared__ double sh_d[THREADS / 32];
    __shared__ long long sh_i[THREADS / 32];
    double s = 0;
    long long c = 0;
    for (int i = threadIdx.x; i < n; i += THREADS) {
        s = __dadd_rn(s, loss[i]);
        c += correct[i];
    }
    s = block_sum(s, sh_d);
    c = block_sum(c, sh_i);
    if (threadIdx.x == 0) {
        *loss_sum = s;
        *correct_sum = c;
    }
}

}  // namespace lca4j

using namespace lca4j;

extern "C" int lca4j_gather_rows(float *d_x, int *d_y, const float *d_set_x, const int *d_set_y, const int *d_idx, int rows, int dim,
                                 void *stream) {
    if (rows < 0 || dim < 1 || (rows > 0 && (!d_x || !d_y || !d_set_x || !d_set_y || !d_idx))) return LCA4J_ERR_BAD_ARGUMENT;
    return launch_grid_stride("gather_rows_kernel", gather_rows_kernel, (int64_t)rows * dim, stream, d_x, d_y, d_set_x, d_set_y, d_idx,
                              rows, dim);
}

extern "C" int lca4j_fill_rows(float *d_z, const float *d_b, int rows, int out, void *stream) {
    if (rows < 0 || out < 1 || (rows > 0 && (!d_z || !d_b))) return LCA4J_ERR_BAD_ARGUMENT;
    return launch_grid_stride("fill_rows_kernel", fill_rows_kernel, (int64_t)rows * out, stream, d_z, d_b, rows, out);
}

extern "C" int lca4j_relu(float *d_v, int64_t n, void *stream) {
    if (n < 0 || (n > 0 && !d_v)) return LCA4J_ERR_BAD_ARGUMENT;
    return launch_grid_stride("relu_kernel", relu_kernel, n, stream, d_v, n);
}

extern "C" int lca4j_relu_backward(float *d_delta, const float *d_act, int64_t n, void *stream) {
    if (n < 0 || (n > 0 && (!d_delta || !d_act))) return LCA4J_ERR_BAD_ARGUMENT;
    return launch_grid_stride("relu_backward_kernel", relu_backward_kernel, n, stream, d_delta, d_act, n);
}

extern "C" int lca4j_softmax_xent(const float *d_logits, const int *d_y, int rows, int k, float scale, float *d_dz, double *d_row_loss,
                                  int *d_row_correct, void *stream) {
    if (rows < 0 || k < 1 || (rows > 0 && (!d_logits || !d_y || !d_row_loss || !d_row_correct))) return LCA4J_ERR_BAD_ARGUMENT;
    return launch_grid_stride("softmax_xent_kernel", softmax_xent_kernel, rows, stream, d_logits, d_y, rows, k, scale, d_dz, d_row_loss,
                              d_row_correct);
}

extern "C" int lca4j_bias_grad(const float *d_dz, int rows, int out, float *d_grad_b, int accumulate, void *stream) {
    if (rows < 0 || out < 1 || !d_grad_b || (rows > 0 && !d_dz)) return LCA4J_ERR_BAD_ARGUMENT;
    return launch_grid_stride("bias_grad_kernel", bias_grad_kernel, out, stream, d_dz, rows, out, d_grad_b, accumulate);
}

extern "C" int lca4j_sum_rows(const double *d_row_loss, const int *d_row_correct, int n, double *d_loss_sum, int64_t *d_correct_sum,
                              void *stream) {
    if (n < 0 || !d_loss_sum || !d_correct_sum || (n > 0 && (!d_row_loss || !d_row_correct))) return LCA4J_ERR_BAD_ARGUMENT;
    sum_rows_kernel<<<1, THREADS, 0, (cudaStream_t)stream>>>(d_row_loss, d_row_correct, n, d_loss_sum, (long long *)d_correct_sum);
    LCA4J_CHECK_LAUNCH("sum_rows_kernel");
    return 0;
}
