// Checks that the CPU emulation (cuda_runtime.h) catches what docs/cuda-emulation.md says it catches:
// each case is a deliberately wrong kernel or call that must be refused, plus the right ones that
// must pass. Built by native-build/build-emu.sh; run by native-build/emu-checks.sh, once in index
// order and once with a shuffled schedule (LCA4J_EMU_SCHEDULE), which is what the race case needs.
// Exit 0: every expectation held.
#include <cuda_runtime.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures = 0;
#define EXPECT(cond, what)                                   \
    do {                                                     \
        if (cond) printf("ok    %s\n", what);                \
        else { printf("FAIL  %s\n", what); failures++; }     \
    } while (0)

__global__ void fill(float *p, int n, float v) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) p[i] = v;
}

// Odd lanes wait at the block's barrier, even lanes at a warp shuffle: neither can complete (CUDA
// leaves it undefined, a GPU may hang); the emulation must stop the launch.
__global__ void divergent_barrier(float *p) {
    float v = 1.f;
    if (threadIdx.x % 2) __syncthreads();
    else v = __shfl_xor_sync(0xffffffffu, v, 2);
    p[threadIdx.x] = v;
}

__global__ void shuffle_sum(float *out) {
    float v = (float)threadIdx.x;
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    out[blockIdx.x * blockDim.x + threadIdx.x] = v;
}

// Warp 1 reads what warp 0 wrote, with or without the barrier between. In index order warp 0 always
// runs first, so the missing barrier goes unseen; a shuffled schedule must expose it.
__device__ int source(int t) { return t >= 32 ? t - 32 : t; }
__global__ void neighbour(float *out, int synced) {
    __shared__ float sh[64];
    sh[threadIdx.x] = (float)(threadIdx.x + 1000 * blockIdx.x);
    if (synced) __syncthreads();
    out[blockIdx.x * 64 + threadIdx.x] = sh[source(threadIdx.x)];
}

// Each block adds its index to a running value left by the block before it: depends on block order.
__global__ void chained(double *acc) {
    if (threadIdx.x == 0) acc[0] = acc[0] * 3.0 + blockIdx.x;
}

__global__ void write_at(float *p, long i) { if (threadIdx.x == 0) p[i] = 1.f; }

struct Big {
    char bytes[40000];
};
__global__ void big_parameter(Big b, float *p) { p[0] = b.bytes[0]; }

// Runs fn in a child process and reports whether it died of SIGSEGV (a guard page hit).
template <typename F>
static bool segfaults(F fn) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

int main() {
    setvbuf(stdout, nullptr, _IONBF, 0);  // the emulation's refusals (stderr) interleave in order
    const bool shuffled = getenv("LCA4J_EMU_SCHEDULE") && atoll(getenv("LCA4J_EMU_SCHEDULE")) != 0;
    printf("emulation self-test, %s schedule\n", shuffled ? "shuffled" : "index-order");
    float *d = nullptr;
    cudaMalloc(&d, 4096 * sizeof(float));
    size_t free0, total;
    cudaMemGetInfo(&free0, &total);
    EXPECT(total - free0 >= 4096 * sizeof(float), "cudaMemGetInfo counts an allocation");

    float first = 0;
    cudaMemcpy(&first, d, sizeof first, cudaMemcpyDeviceToHost);
    EXPECT(first != first, "fresh device memory reads as NaN (poisoned), not zero");
    fill<<<3, 256>>>(d, 4096, 2.f);
    float h[4096];
    cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost);
    bool all = cudaGetLastError() == cudaSuccess;
    for (float x : h) all &= x == 2.f;
    EXPECT(all, "a grid-stride kernel writes every element");

    shuffle_sum<<<2, 64>>>(d);
    cudaMemcpy(h, d, 128 * sizeof(float), cudaMemcpyDeviceToHost);
    bool sums = cudaGetLastError() == cudaSuccess;
    for (int t = 0; t < 128; t++) sums &= h[t] == (float)((t % 64 / 32) * 32 * 32 + 496);
    EXPECT(sums, "xor shuffles sum each warp");

    // Faults inside a kernel show at the next synchronizing call, as on a GPU, and only once here.
    divergent_barrier<<<1, 64>>>(d);
    EXPECT(cudaGetLastError() == cudaSuccess && cudaDeviceSynchronize() == cudaErrorLaunchFailure,
           "lanes split between a __syncthreads and a shuffle stop the kernel (seen at the next sync)");
    EXPECT(cudaDeviceSynchronize() == cudaSuccess, "a kernel fault is reported once");
    shuffle_sum<<<1, 16>>>(d);
    EXPECT(cudaDeviceSynchronize() == cudaErrorLaunchFailure, "a full-mask shuffle in a 16-thread block is refused");

    float host[4] = {0, 0, 0, 0};
    fill<<<1, 32>>>(host, 4, 5.f);
    EXPECT(cudaStreamSynchronize(nullptr) == cudaErrorIllegalAddress && host[0] == 0.f, "a host pointer as a kernel argument is refused, kernel not run");

    void *huge = nullptr;
    EXPECT(cudaMalloc(&huge, (size_t)1 << 50) == cudaErrorMemoryAllocation && cudaStreamSynchronize(nullptr) == cudaSuccess &&
               cudaGetLastError() == cudaErrorMemoryAllocation && cudaGetLastError() == cudaSuccess,
           "out of memory fails that call only (kept for cudaGetLastError, not returned by a sync)");
    EXPECT(cudaMemcpy(host, d, 16, cudaMemcpyHostToDevice) == cudaErrorInvalidValue, "a host-to-device copy into host memory is refused");
    cudaGetLastError();
    EXPECT(cudaMemcpy(d, host, 16, cudaMemcpyDeviceToHost) == cudaErrorInvalidValue, "a device-to-host copy from host memory is refused");
    cudaGetLastError();
    EXPECT(cudaMemcpy(d, d + 4090, 64, cudaMemcpyDeviceToDevice) == cudaErrorInvalidValue, "a copy past an allocation's end is refused");
    cudaGetLastError();

    fill<<<0, 32>>>(d, 1, 0.f);
    EXPECT(cudaGetLastError() == cudaErrorInvalidConfiguration, "a grid of 0 blocks is refused");
    fill<<<1, 2048>>>(d, 1, 0.f);
    EXPECT(cudaGetLastError() == cudaErrorInvalidConfiguration, "2048 threads per block are refused");
    static Big big;
    big_parameter<<<1, 1>>>(big, d);
    EXPECT(cudaGetLastError() == cudaErrorInvalidValue, "kernel parameters over 32,764 bytes are refused");

    EXPECT(cudaFree(host) == cudaErrorInvalidValue, "freeing memory that is not device memory is refused");
    cudaGetLastError();
    float *e = nullptr;
    cudaMalloc(&e, 100 * sizeof(float));
    cudaFree(e);
    EXPECT(cudaFree(e) == cudaErrorInvalidValue, "a double free is refused");
    cudaGetLastError();

    EXPECT(segfaults([&] { write_at<<<1, 32>>>(d, 4096 + 64); }), "a kernel writing past its allocation faults (guard page)");
    EXPECT(segfaults([&] { write_at<<<1, 32>>>(d, -1); }), "a kernel writing before its allocation faults (guard page)");
    EXPECT(!segfaults([&] { write_at<<<1, 32>>>(d, 4095); }), "a kernel writing the last element does not fault");

    // Races: without the barrier, a thread may read its neighbour's slot before it is written.
    float *out = nullptr;
    cudaMalloc(&out, 64 * 64 * sizeof(float));
    neighbour<<<64, 64>>>(out, 1);
    float r[64 * 64];
    cudaMemcpy(r, out, sizeof r, cudaMemcpyDeviceToHost);
    bool right = true;
    for (int i = 0; i < 64 * 64; i++) right &= r[i] == (float)(source(i % 64) + 1000 * (i / 64));
    EXPECT(right, "with the barrier every thread reads its neighbour's value");
    double *acc = nullptr;
    cudaMalloc(&acc, sizeof(double));
    double zero = 0, got = 0, in_order = 0;
    cudaMemcpy(acc, &zero, sizeof zero, cudaMemcpyHostToDevice);
    chained<<<50, 32>>>(acc);
    cudaMemcpy(&got, acc, sizeof got, cudaMemcpyDeviceToHost);
    for (int b = 0; b < 50; b++) in_order = in_order * 3.0 + b;
    neighbour<<<64, 64>>>(out, 0);
    cudaMemcpy(r, out, sizeof r, cudaMemcpyDeviceToHost);
    int stale = 0;
    for (int i = 0; i < 64 * 64; i++) stale += r[i] != (float)(source(i % 64) + 1000 * (i / 64));
    if (shuffled) {
        EXPECT(stale > 0, "without the barrier the shuffled schedule shows stale reads (a race is exposed)");
        EXPECT(got != in_order, "a kernel that depends on block order gets another answer under the shuffled schedule");
    } else {
        EXPECT(stale == 0 && got == in_order, "index order hides the race and runs blocks in order (so only the shuffled run can expose them)");
    }
    printf(failures ? "FAILED: %d expectations\n" : "all expectations held\n", failures);
    return failures ? 1 : 0;
}
