// The runtime half of the CPU emulation (cuda_runtime.h says what it is for and what it is not):
// device memory is host memory with CUDA's bookkeeping (a fixed capacity, frees of unknown
// pointers refused), streams are immediate, and a launch runs each block's threads as fibers.
//
// Fibers: made once per OS thread with makecontext, then switched with _setjmp/_longjmp (no signal
// mask system call per switch). A fiber runs one emulated thread per launch and parks at the end.
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <map>
#include <mutex>
#include <vector>

#include "cuda_runtime.h"

namespace lca4j_emu {

thread_local ThreadState *current = nullptr;

namespace {

constexpr int MAX_THREADS = 1024;
constexpr size_t STACK_BYTES = 256 * 1024;
constexpr size_t CAPACITY = (size_t)16 << 30;  // what cudaMemGetInfo reports as the device's memory
// Multiprocessors the device reports: the grid-stride launchers size their grids from it, so
// LCA4J_EMU_SMS (default 4; an H100 has 132) runs the same kernels with other grid shapes.
int sm_count() {
    static const int n = [] {
        const char *v = getenv("LCA4J_EMU_SMS");
        const int k = v ? atoi(v) : 0;
        return k > 0 ? k : 4;
    }();
    return n;
}
constexpr size_t MAX_PARAM_BYTES = 32764;      // CUDA 12.1+'s kernel parameter limit

enum class Wait { RUN, BLOCK, WARP, DONE };

struct Fiber {
    jmp_buf jb;
    ucontext_t uc;
    void *stack = nullptr;
    ThreadState state;
    Wait wait = Wait::DONE;
    bool booted = false;
    unsigned long long slot[2] = {0, 0};  // shuffle exchange, alternating (see shuffle_slot)
    unsigned shuffles = 0;
};

struct Scheduler {
    jmp_buf home;
    std::vector<Fiber> fibers = std::vector<Fiber>(MAX_THREADS);
    Fiber *running = nullptr;
    Body body = nullptr;
    void *closure = nullptr;
    unsigned threads = 0;
};

thread_local Scheduler *sched = nullptr;

void fiber_main() {
    Scheduler *s = sched;
    Fiber *f = s->running;
    if (!_setjmp(f->jb)) _longjmp(s->home, 1);  // booted: park until the first launch needs it
    for (;;) {
        s = sched;
        f = s->running;
        s->body(s->closure);
        f->wait = Wait::DONE;
        if (!_setjmp(f->jb)) _longjmp(s->home, 1);
    }
}

void boot(Scheduler *s, Fiber &f) {
    if (!f.stack) {
        f.stack = mmap(nullptr, STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (f.stack == MAP_FAILED) {
            fprintf(stderr, "lca4j-emu: cannot map a fiber stack\n");
            abort();
        }
    }
    getcontext(&f.uc);
    f.uc.uc_stack.ss_sp = f.stack;
    f.uc.uc_stack.ss_size = STACK_BYTES;
    f.uc.uc_link = nullptr;
    makecontext(&f.uc, fiber_main, 0);
    s->running = &f;
    if (!_setjmp(s->home)) setcontext(&f.uc);
    f.booted = true;
}

void resume(Scheduler *s, Fiber &f) {
    s->running = &f;
    current = &f.state;
    if (!_setjmp(s->home)) _longjmp(f.jb, 1);
    current = nullptr;
}

std::mutex device_lock;  // one launch or copy at a time: the emulated device has one queue
struct Block {
    size_t bytes;  // as the caller sees it, rounded to 256
    char *base;    // the mapping, guard pages included
    size_t span;
};
std::map<const void *, Block> allocations;  // by start address
size_t allocated = 0;
// As in CUDA: a failed call's error is returned and kept for cudaGetLastError (which clears it);
// a fault inside a kernel (a barrier that cannot complete, a host pointer) is not seen by the launch
// but by the next synchronizing call. A GPU's context is dead after such a fault; the emulation
// reports it once and goes on, so one provoked fault does not fail every later test.
thread_local cudaError_t pending = cudaSuccess;
cudaError_t async_fault = cudaSuccess;  // guarded by device_lock

cudaError_t take_fault() {
    std::lock_guard<std::mutex> hold(device_lock);
    cudaError_t e = async_fault;
    async_fault = cudaSuccess;
    return e;
}
thread_local int device = 0;

cudaError_t fail(cudaError_t e) {
    pending = e;
    return e;
}

// The live device allocation starting at or before p, or none (caller holds device_lock). Device and
// host memory are both host memory here, so this lookup is what keeps a host pointer passed where
// device memory belongs (or the reverse) from working here and faulting on a GPU.
const std::pair<const void *const, Block> *at_or_before(const void *p) {
    auto it = allocations.upper_bound(p);
    return it == allocations.begin() ? nullptr : &*--it;
}

// Whether [p, p + bytes) lies inside one live device allocation (caller holds device_lock).
bool inside(const void *p, size_t bytes) {
    const auto *a = at_or_before(p);
    return a && (const char *)p + bytes <= (const char *)a->first + a->second.bytes;
}

cudaError_t misuse(const char *call, const char *what) {
    fprintf(stderr, "lca4j-emu: %s: %s\n", call, what);
    return fail(cudaErrorInvalidValue);
}

cudaError_t check_copy(const char *call, const void *dst, const void *src, size_t bytes, cudaMemcpyKind kind) {
    if (bytes == 0) return cudaSuccess;
    if (!dst || !src) return misuse(call, "null pointer");
    if (kind == cudaMemcpyHostToHost || kind == cudaMemcpyDefault) return cudaSuccess;
    const bool to_device = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice;
    const bool from_device = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice;
    if (to_device != inside(dst, bytes))
        return misuse(call, to_device ? "destination is not (all) device memory" : "destination is device memory in a copy to the host");
    if (from_device != inside(src, bytes))
        return misuse(call, from_device ? "source is not (all) device memory" : "source is device memory in a copy from the host");
    return cudaSuccess;
}

// The order things run in. CUDA promises no order between blocks, nor between warps between two
// barriers, so a correct kernel gives the same bits under any order; one that races does not. With
// LCA4J_EMU_SCHEDULE=<seed> (not 0) blocks run in a shuffled order, fibers resume in a shuffled
// order, and a warp ready to pass a shuffle may be held back while others run ahead, exposing a
// missing __syncthreads or a dependence on block order. Unset or 0: in index order, the fastest.
struct Schedule {
    unsigned long long state = 0;
    Schedule() {
        const char *v = getenv("LCA4J_EMU_SCHEDULE");
        state = v ? strtoull(v, nullptr, 10) : 0;
    }
    bool on() const { return state != 0; }
    unsigned next(unsigned bound) {  // xorshift64*: uniform enough to vary a schedule
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return (unsigned)((state * 2685821657736338717ULL) >> 33) % bound;
    }
};
Schedule schedule;

// Runs one block to completion. Returns false when the threads wait on barriers none can pass.
bool run_block(Scheduler *s, dim3 grid, dim3 block, unsigned b, const char **why) {
    const unsigned n = s->threads;
    for (unsigned t = 0; t < n; t++) {
        Fiber &f = s->fibers[t];
        if (!f.booted) boot(s, f);
        f.state = ThreadState{dim3(t % block.x, t / block.x % block.y, t / (block.x * block.y)),
                              dim3(b % grid.x, b / grid.x % grid.y, b / (grid.x * grid.y)), block, grid};
        f.wait = Wait::RUN;
        f.shuffles = 0;
    }
    const unsigned warps = (n + 31) / 32;
    unsigned held = ~0u;  // a warp kept from running (Schedule) while the others go ahead
    for (;;) {
        if (schedule.on() && warps > 1) {
            if (held == ~0u ? schedule.next(4) == 0 : schedule.next(3) == 0) held = held == ~0u ? schedule.next(warps) : ~0u;
        }
        bool progressed = false;
        const unsigned first = schedule.on() ? schedule.next(n) : 0;
        const bool reverse = schedule.on() && schedule.next(2);
        for (unsigned i = 0; i < n; i++) {
            const unsigned t = reverse ? (first + n - 1 - i) % n : (first + i) % n;
            if (s->fibers[t].wait == Wait::RUN && t / 32 != held) {
                resume(s, s->fibers[t]);
                progressed = true;
            }
        }
        // Everyone runnable is parked: release the warps whose every lane waits, else the block's barrier.
        bool all_done = true, block_ready = true, running = false;
        for (unsigned w = 0; w < warps; w++) {
            unsigned at = 0, lanes = 0;
            for (unsigned t = w * 32; t < n && t < w * 32 + 32; t++, lanes++) at += s->fibers[t].wait == Wait::WARP;
            if (at > 0 && lanes < 32) {
                *why = "warp shuffle in a warp with fewer than 32 threads";
                return false;
            }
            if (at == 32 && w != held) {
                for (unsigned t = w * 32; t < w * 32 + 32; t++) s->fibers[t].wait = Wait::RUN;
                progressed = true;
            }
        }
        for (unsigned t = 0; t < n; t++) {
            const Wait w = s->fibers[t].wait;
            all_done &= w == Wait::DONE;
            block_ready &= w == Wait::DONE || w == Wait::BLOCK;
            running |= w == Wait::RUN || (w == Wait::WARP && t / 32 == held);
        }
        if (all_done) return true;
        if (block_ready) {
            for (unsigned t = 0; t < n; t++)
                if (s->fibers[t].wait == Wait::BLOCK) s->fibers[t].wait = Wait::RUN;
            continue;
        }
        if (progressed || running) {
            if (!progressed) held = ~0u;  // only the held warp can move: let it
            continue;
        }
        *why = "threads wait at different barriers (a __syncthreads or shuffle not reached by all)";
        return false;
    }
}

}  // namespace

void barrier(bool warp) {
    Scheduler *s = sched;
    Fiber *f = s->running;
    f->wait = warp ? Wait::WARP : Wait::BLOCK;
    if (!_setjmp(f->jb)) _longjmp(s->home, 1);
    current = &f->state;
}

// Shuffle k uses slot k % 2: a lane can write shuffle k + 2's value only after every lane passed
// shuffle k + 1's barrier, i.e. after all have read shuffle k's, so one barrier per shuffle suffices.
void *shuffle_slot(unsigned lane, bool write) {
    Scheduler *s = sched;
    Fiber *f = s->running;
    const unsigned k = write ? f->shuffles++ : f->shuffles - 1;
    const size_t base = (size_t)(f - s->fibers.data()) / 32 * 32;
    return &s->fibers[base + lane].slot[k % 2];
}

bool device_pointer(const void *p) {
    if (!p) return true;
    std::lock_guard<std::mutex> hold(device_lock);
    const auto *a = at_or_before(p);
    // A pointer one past an allocation's end is a valid argument (an empty layer at the end).
    return a && (const char *)p <= (const char *)a->first + a->second.bytes;
}

bool device_range(const void *p, size_t bytes) {
    std::lock_guard<std::mutex> hold(device_lock);
    return inside(p, bytes);
}

cudaError_t launch(dim3 grid, dim3 block, size_t args_bytes, Body body, void *closure) {
    const unsigned long long blocks = (unsigned long long)grid.x * grid.y * grid.z;
    const unsigned long long threads = (unsigned long long)block.x * block.y * block.z;
    if (blocks == 0 || threads == 0 || threads > MAX_THREADS || grid.x > 0x7fffffffu || grid.y > 65535 || grid.z > 65535)
        return fail(cudaErrorInvalidConfiguration);
    if (args_bytes > MAX_PARAM_BYTES) return fail(cudaErrorInvalidValue);
    std::lock_guard<std::mutex> hold(device_lock);
    if (!sched) sched = new Scheduler();  // per OS thread, kept: its fibers are reused by every launch
    Scheduler *s = sched;
    s->body = body;
    s->closure = closure;
    s->threads = (unsigned)threads;
    // Blocks in a shuffled order when asked (Schedule): a random walk with a unit step coprime to
    // the count visits every block once.
    unsigned long long start = 0, stride = 1;
    if (schedule.on() && blocks > 1) {
        start = schedule.next((unsigned)std::min<unsigned long long>(blocks, 0xffffffffu));
        do stride = 1 + schedule.next((unsigned)std::min<unsigned long long>(blocks - 1, 0xffffffffu));
        while (std::gcd(stride, blocks) != 1);
    }
    for (unsigned long long i = 0; i < blocks; i++) {
        const unsigned long long b = (start + i * stride) % blocks;
        const char *why = nullptr;
        if (!run_block(s, grid, block, (unsigned)b, &why)) {
            fprintf(stderr, "lca4j-emu: kernel stopped in block %llu: %s\n", b, why);
            for (auto &f : s->fibers) f.booted = false;  // stuck fibers start afresh next launch
            async_fault = cudaErrorLaunchFailure;
            return cudaSuccess;
        }
    }
    return cudaSuccess;
}

void refuse_launch(int parameter) {
    fprintf(stderr, "lca4j-emu: kernel argument %d is a pointer outside device memory (a GPU would fault)\n", parameter);
    std::lock_guard<std::mutex> hold(device_lock);
    async_fault = cudaErrorIllegalAddress;
}

}  // namespace lca4j_emu

using namespace lca4j_emu;

struct CUevent_st {
    std::chrono::steady_clock::time_point at;
};

// LCA4J_EMU_DRIVER=none or old (read at every call, so a test can switch it): the runtime's answers
// on a machine without a driver (version 0) or with one older than the runtime (version 12.4);
// either way cudaGetDeviceCount says "insufficient driver" and leaves the count alone.
static const char *emulated_driver() {
    const char *v = getenv("LCA4J_EMU_DRIVER");
    return v && (!strcmp(v, "none") || !strcmp(v, "old")) ? v : nullptr;
}

cudaError_t cudaDriverGetVersion(int *version) {
    if (!version) return fail(cudaErrorInvalidValue);
    const char *d = emulated_driver();
    *version = !d ? 13000 : !strcmp(d, "old") ? 12040 : 0;
    return cudaSuccess;
}

cudaError_t cudaGetDeviceCount(int *count) {
    if (emulated_driver()) return fail(cudaErrorInsufficientDriver);
    *count = 1;
    return cudaSuccess;
}

cudaError_t cudaGetDevice(int *d) {
    *d = device;
    return cudaSuccess;
}

cudaError_t cudaSetDevice(int d) {
    if (d != 0) return fail(cudaErrorInvalidDevice);
    device = d;
    return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp *p, int d) {
    if (d != 0) return fail(cudaErrorInvalidDevice);
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "lca4j-emu (CPU emulation, not a GPU)");
    p->totalGlobalMem = CAPACITY;
    p->multiProcessorCount = sm_count();
    p->major = 9;
    p->minor = 0;
    return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int *value, cudaDeviceAttr attr, int d) {
    if (d != 0) return fail(cudaErrorInvalidDevice);
    if (attr != cudaDevAttrMultiProcessorCount) return fail(cudaErrorInvalidValue);
    *value = sm_count();
    return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t *free_bytes, size_t *total_bytes) {
    std::lock_guard<std::mutex> hold(device_lock);
    *free_bytes = CAPACITY - allocated;
    *total_bytes = CAPACITY;
    return cudaSuccess;
}

cudaError_t cudaMalloc(void **ptr, size_t bytes) {
    if (!ptr) return fail(cudaErrorInvalidValue);
    std::lock_guard<std::mutex> hold(device_lock);
    const size_t rounded = (bytes + 255) / 256 * 256;  // cudaMalloc's 256-byte granularity
    if (rounded > CAPACITY - allocated) return fail(cudaErrorMemoryAllocation);
    // Own pages with a guard page on both sides, the block ending where the upper guard starts:
    // a kernel or copy that runs past either end faults at once instead of corrupting a neighbour.
    const size_t page = 4096, body = (rounded + page - 1) / page * page, span = body + 2 * page;
    char *base = (char *)mmap(nullptr, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) return fail(cudaErrorMemoryAllocation);
    if (mprotect(base + page, body, PROT_READ | PROT_WRITE) != 0) {
        munmap(base, span);
        return fail(cudaErrorMemoryAllocation);
    }
    char *p = base + page + body - (rounded == 0 ? 256 : rounded);
    // Fresh pages are zero, cudaMalloc's memory is not: poison it (all bits set: NaN in a float or
    // double, −1 in an integer) so code that reads what it never wrote fails here too.
    memset(p, 0xff, rounded);
    allocations[p] = Block{rounded, base, span};
    allocated += rounded;
    *ptr = p;
    return cudaSuccess;
}

cudaError_t cudaFree(void *ptr) {
    if (!ptr) return cudaSuccess;
    std::lock_guard<std::mutex> hold(device_lock);
    auto it = allocations.find(ptr);
    if (it == allocations.end()) return fail(cudaErrorInvalidValue);  // not ours, or freed twice
    allocated -= it->second.bytes;
    munmap(it->second.base, it->second.span);
    allocations.erase(it);
    return cudaSuccess;
}

cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind) {
    if (cudaError_t f = take_fault()) return f;
    std::lock_guard<std::mutex> hold(device_lock);
    if (cudaError_t e = check_copy("cudaMemcpy", dst, src, bytes, kind)) return e;
    memmove(dst, src, bytes);
    return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind, cudaStream_t) {
    return cudaMemcpy(dst, src, bytes, kind);
}

cudaError_t cudaMemsetAsync(void *ptr, int value, size_t bytes, cudaStream_t) {
    std::lock_guard<std::mutex> hold(device_lock);
    if (bytes && !inside(ptr, bytes)) return misuse("cudaMemsetAsync", "not (all) device memory");
    memset(ptr, value, bytes);
    return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t) { return take_fault(); }
cudaError_t cudaDeviceSynchronize(void) { return take_fault(); }

cudaError_t cudaGetLastError(void) {
    cudaError_t e = pending;
    pending = cudaSuccess;
    return e;
}

const char *cudaGetErrorString(cudaError_t e) {
    switch (e) {
        case cudaSuccess: return "no error";
        case cudaErrorInvalidValue: return "invalid argument";
        case cudaErrorMemoryAllocation: return "out of memory";
        case cudaErrorInvalidConfiguration: return "invalid configuration argument";
        case cudaErrorInsufficientDriver: return "CUDA driver version is insufficient for CUDA runtime version";
        case cudaErrorNoDevice: return "no CUDA-capable device is detected";
        case cudaErrorInvalidDevice: return "invalid device ordinal";
        case cudaErrorInvalidResourceHandle: return "invalid resource handle";
        case cudaErrorLaunchFailure: return "unspecified launch failure";
        case cudaErrorIllegalAddress: return "an illegal memory access was encountered";
    }
    return "unknown error";
}

cudaError_t cudaEventCreate(cudaEvent_t *e) {
    *e = new CUevent_st();
    return cudaSuccess;
}

cudaError_t cudaEventDestroy(cudaEvent_t e) {
    delete e;
    return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t) {
    if (!e) return fail(cudaErrorInvalidResourceHandle);
    e->at = std::chrono::steady_clock::now();
    return cudaSuccess;
}

cudaError_t cudaEventSynchronize(cudaEvent_t) { return take_fault(); }

cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end) {
    if (!start || !end) return fail(cudaErrorInvalidResourceHandle);
    *ms = std::chrono::duration<float, std::milli>(end->at - start->at).count();
    return cudaSuccess;
}
