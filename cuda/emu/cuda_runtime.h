// A CPU emulation of the part of CUDA that lca4j's sources use, so the very kernels and launchers in
// cuda/src compile with g++ and run on a machine without a GPU (native-build/build-emu.sh). What it
// is for: running the Java GPU tests and lca_check's checks in CI, where no GPU exists, so index
// arithmetic, reductions, launch bookkeeping and the FFM calls are exercised before a real device
// sees them. What it is not: a GPU. It says nothing about speed, the memory model or cuBLAS itself,
// and every report from it names the device "lca4j-emu" so no result can pass for a GPU's.
//
// Model: blocks run one after another on the calling thread; the threads of a block are fibers that
// switch only at __syncthreads and warp shuffles (which wait for the whole warp), so any kernel that
// is correct under CUDA's rules gives the same result here. A barrier that not every live thread of
// its scope reaches is reported as an error, as are launch configurations CUDA would refuse.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <tuple>
#include <type_traits>
#include <utility>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
// One block runs at a time, so a function-static array is that block's shared memory.
#define __shared__ static
// build-emu.sh rewrites `const __grid_constant__ T a` into `const T &a` (one copy per launch, as on
// the GPU, instead of one per emulated thread); the macro covers any it leaves.
#define __grid_constant__

struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
using uint3 = dim3;

struct alignas(16) float4 { float x, y, z, w; };
struct alignas(16) double2 { double x, y; };
inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }
inline double2 make_double2(double x, double y) { return double2{x, y}; }

typedef enum cudaError {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInvalidConfiguration = 9,
    cudaErrorInsufficientDriver = 35,
    cudaErrorNoDevice = 100,
    cudaErrorInvalidDevice = 101,
    cudaErrorInvalidResourceHandle = 400,
    cudaErrorIllegalAddress = 700,
    cudaErrorLaunchFailure = 719,
} cudaError_t;

typedef struct CUstream_st *cudaStream_t;
typedef struct CUevent_st *cudaEvent_t;

enum cudaMemcpyKind { cudaMemcpyHostToHost = 0, cudaMemcpyHostToDevice = 1, cudaMemcpyDeviceToHost = 2, cudaMemcpyDeviceToDevice = 3, cudaMemcpyDefault = 4 };
enum cudaDeviceAttr { cudaDevAttrMultiProcessorCount = 16 };

struct cudaDeviceProp {
    char name[256];
    size_t totalGlobalMem;
    int multiProcessorCount;
    int major, minor;
};

cudaError_t cudaGetDeviceCount(int *count);
cudaError_t cudaDriverGetVersion(int *version);
cudaError_t cudaGetDevice(int *device);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp *prop, int device);
cudaError_t cudaDeviceGetAttribute(int *value, cudaDeviceAttr attr, int device);
cudaError_t cudaMemGetInfo(size_t *free_bytes, size_t *total_bytes);
cudaError_t cudaMalloc(void **ptr, size_t bytes);
template <typename T>
inline cudaError_t cudaMalloc(T **ptr, size_t bytes) { return cudaMalloc((void **)ptr, bytes); }
cudaError_t cudaFree(void *ptr);
cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind, cudaStream_t stream = nullptr);
cudaError_t cudaMemsetAsync(void *ptr, int value, size_t bytes, cudaStream_t stream = nullptr);
cudaError_t cudaStreamSynchronize(cudaStream_t stream);
cudaError_t cudaDeviceSynchronize(void);
cudaError_t cudaGetLastError(void);
const char *cudaGetErrorString(cudaError_t e);
cudaError_t cudaEventCreate(cudaEvent_t *e);
cudaError_t cudaEventDestroy(cudaEvent_t e);
cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t stream = nullptr);
cudaError_t cudaEventSynchronize(cudaEvent_t e);
cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end);

// ---- device-side intrinsics: plain IEEE operations (built with -ffp-contract=off, so no FMAs) ----
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dsub_rn(double a, double b) { return a - b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __ddiv_rn(double a, double b) { return a / b; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return std::sqrt(a); }
template <typename T>
inline T min(T a, T b) { return b < a ? b : a; }
template <typename T>
inline T max(T a, T b) { return a < b ? b : a; }
using std::exp;
using std::log;
using std::sqrt;

namespace lca4j_emu {

// The emulated thread now running: its indices and the launch's shape.
struct ThreadState {
    dim3 thread, block, block_dim, grid_dim;
};
extern thread_local ThreadState *current;

// Waits until every live thread of the block (warp = false) or of this thread's warp (warp = true)
// arrives; the warp form is what a full-mask shuffle implies.
void barrier(bool warp);
// The 8-byte slot of `lane` in this thread's warp for the current shuffle: write = this thread's own
// value for a new shuffle, else a warp mate's value to read.
void *shuffle_slot(unsigned lane, bool write);

// Runs body(tid) as a grid of fibers; reports a refused configuration as CUDA would.
using Body = void (*)(void *closure);
cudaError_t launch(dim3 grid, dim3 block, size_t args_bytes, Body body, void *closure);
// Null, or inside (or one past) a live device allocation: what a kernel's pointer argument must be.
bool device_pointer(const void *p);
// [p, p + bytes) inside one live device allocation.
bool device_range(const void *p, size_t bytes);
// A kernel given a host pointer: reported as the GPU would fault (an illegal address), not run.
void refuse_launch(int parameter);

template <typename T>
bool pointer_ok(const T &v, int index) {
    if constexpr (std::is_pointer<T>::value) {
        if (!device_pointer((const void *)v)) {
            refuse_launch(index);
            return false;
        }
    }
    return true;
}

template <typename... P>
struct Launcher {
    void (*kernel)(P...);
    dim3 grid, block;

    template <typename... A>
    void operator()(A &&...args) const {
        // The kernel's parameters as values, held once for all threads (the GPU's parameter space).
        std::tuple<std::decay_t<P>...> params(std::forward<A>(args)...);
        const bool ok = std::apply([](const auto &...v) {
            int i = 0;
            return (pointer_ok(v, i++) && ...);
        }, params);
        if (!ok) return;
        struct Closure {
            void (*kernel)(P...);
            std::tuple<std::decay_t<P>...> *params;
        } c{kernel, &params};
        launch(grid, block, sizeof params, [](void *p) {
            auto *cl = static_cast<Closure *>(p);
            std::apply(cl->kernel, *cl->params);
        }, &c);
    }
};

template <typename... P>
Launcher<P...> launcher(void (*kernel)(P...), dim3 grid, dim3 block, size_t = 0, cudaStream_t = nullptr) {
    return Launcher<P...>{kernel, grid, block};
}

}  // namespace lca4j_emu

#define threadIdx (::lca4j_emu::current->thread)
#define blockIdx (::lca4j_emu::current->block)
#define blockDim (::lca4j_emu::current->block_dim)
#define gridDim (::lca4j_emu::current->grid_dim)

inline void __syncthreads() { ::lca4j_emu::barrier(false); }

template <typename T>
inline T __shfl_xor_sync(unsigned mask, T v, int lane_mask, int width = 32) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable<T>::value, "emulated shuffles move up to 8 bytes");
    (void)mask;
    (void)width;
    const unsigned lane = threadIdx.x % 32;
    std::memcpy(::lca4j_emu::shuffle_slot(lane, true), &v, sizeof v);
    ::lca4j_emu::barrier(true);
    T r;
    std::memcpy(&r, ::lca4j_emu::shuffle_slot(lane ^ (unsigned)lane_mask, false), sizeof r);
    return r;
}
