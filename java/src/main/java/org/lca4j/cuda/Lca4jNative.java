package org.lca4j.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * FFM bindings to cuda/include/lca4j.h. Every call's status is checked here and a failure becomes a
 * {@link CudaException} naming the function and the CUDA call inside it. Device pointers are plain
 * addresses ({@link MemorySegment#ofAddress}); host buffers may be heap segments for the copies, which
 * are bound as critical calls so a Java array reaches cudaMemcpy without an extra copy.
 */
final class Lca4jNative {
    /** struct lca4j_layer: g0, g1, g2, d0, d1, before, after, cumulative, step_a, n. */
    static final StructLayout LAYER = MemoryLayout.structLayout(
            ADDRESS.withName("g0"), ADDRESS.withName("g1"), ADDRESS.withName("g2"), ADDRESS.withName("d0"), ADDRESS.withName("d1"),
            ADDRESS.withName("before"), ADDRESS.withName("after"), ADDRESS.withName("cumulative"), ADDRESS.withName("step_a"),
            JAVA_LONG.withName("n"));
    /** struct lca4j_combine: c_g1, c_g2, c_d0, c_d1, divisor, keep_double (+ padding). */
    static final StructLayout COMBINE = MemoryLayout.structLayout(
            JAVA_DOUBLE.withName("c_g1"), JAVA_DOUBLE.withName("c_g2"), JAVA_DOUBLE.withName("c_d0"), JAVA_DOUBLE.withName("c_d1"),
            JAVA_DOUBLE.withName("divisor"), JAVA_INT.withName("keep_double"), MemoryLayout.paddingLayout(4));
    static final long LAYER_G0 = offset("g0"), LAYER_BEFORE = offset("before"), LAYER_AFTER = offset("after"),
            LAYER_CUMULATIVE = offset("cumulative"), LAYER_N = offset("n");
    static final int ABI_VERSION = 3;
    /** lca4j.h's LCA4J_ERR_* statuses are above this; below are cudaError_t values. */
    static final int LCA4J_OWN_ERRORS = 10000;

    private static long offset(String field) {
        return LAYER.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private final SymbolLookup lookup;
    private final MethodHandle abiVersion, statusString, lastCall, structLayout, deviceCount, setDevice, deviceInfo, memInfo, malloc, free,
            memcpyH2d, memcpyD2h, memcpyD2d, memset, synchronize, layerLcaWorkspace, layerLca;

    Lca4jNative(SymbolLookup lookup) {
        this.lookup = lookup;
        abiVersion = bind("lca4j_abi_version");
        statusString = bind("lca4j_status_string");
        lastCall = bind("lca4j_last_call");
        structLayout = bind("lca4j_struct_layout");
        deviceCount = bind("lca4j_device_count");
        setDevice = bind("lca4j_set_device");
        deviceInfo = bind("lca4j_device_info");
        memInfo = bind("lca4j_mem_info");
        malloc = bind("lca4j_malloc");
        free = bind("lca4j_free");
        memcpyH2d = bind("lca4j_memcpy_h2d", Linker.Option.critical(true));
        memcpyD2h = bind("lca4j_memcpy_d2h", Linker.Option.critical(true));
        memcpyD2d = bind("lca4j_memcpy_d2d");
        memset = bind("lca4j_memset");
        synchronize = bind("lca4j_stream_synchronize");
        layerLcaWorkspace = bind("lca4j_layer_lca_workspace");
        layerLca = bind("lca4j_layer_lca");
        int v = abiVersion();
        if (v != ABI_VERSION) throw new IllegalStateException("liblca4j ABI version " + v + ", this lca4j needs " + ABI_VERSION);
        // Every function of lca4j.h, not only those bound here: a stale build that lacks a kernel entry
        // point must fail the probe (--device auto then uses the CPU), not a run that is under way.
        for (String name : NativeSignatures.names()) {
            if (lookup.find(name).isEmpty()) throw missing(name);
        }
    }

    private static IllegalStateException missing(String name) {
        return new IllegalStateException("liblca4j has no symbol " + name + " (a stale build: rebuild it with native-build/build.sh, or point "
                + NativeLibrary.PROPERTY + " / " + NativeLibrary.ENV + " at a current one)");
    }

    /** A downcall handle for a function of lca4j.h, typed as {@link NativeSignatures} describes it. */
    MethodHandle bind(String name, Linker.Option... options) {
        MemorySegment symbol = lookup.find(name).orElseThrow(() -> missing(name));
        return LINKER.downcallHandle(symbol, NativeSignatures.of(name), options);
    }

    int abiVersion() {
        try {
            return (int) abiVersion.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(JAVA_INT);
            call("lca4j_device_count", () -> (int) deviceCount.invokeExact(n));
            return n.get(JAVA_INT, 0);
        }
    }

    void setDevice(int device) {
        call("lca4j_set_device", () -> (int) setDevice.invokeExact(device));
    }

    /** Name, multiprocessors, compute capability. */
    record DeviceInfo(String name, int multiprocessors, int major, int minor) {
    }

    DeviceInfo deviceInfo(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment name = a.allocate(256), sm = a.allocate(JAVA_INT), ma = a.allocate(JAVA_INT), mi = a.allocate(JAVA_INT);
            call("lca4j_device_info", () -> (int) deviceInfo.invokeExact(device, name, 256, sm, ma, mi));
            return new DeviceInfo(name.getString(0), sm.get(JAVA_INT, 0), ma.get(JAVA_INT, 0), mi.get(JAVA_INT, 0));
        }
    }

    /** Free and total device memory in bytes. */
    long[] memInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = a.allocate(JAVA_LONG), tot = a.allocate(JAVA_LONG);
            call("lca4j_mem_info", () -> (int) memInfo.invokeExact(f, tot));
            return new long[] {f.get(JAVA_LONG, 0), tot.get(JAVA_LONG, 0)};
        }
    }

    long malloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            call("lca4j_malloc(" + bytes + " bytes)", () -> (int) malloc.invokeExact(p, bytes));
            return p.get(ADDRESS, 0).address();
        }
    }

    void free(long address) {
        call("lca4j_free", () -> (int) free.invokeExact(MemorySegment.ofAddress(address)));
    }

    void copyToDevice(long dst, MemorySegment src) {
        call("lca4j_memcpy_h2d", () -> (int) memcpyH2d.invokeExact(MemorySegment.ofAddress(dst), src, src.byteSize(), MemorySegment.NULL));
    }

    void copyToHost(MemorySegment dst, long src) {
        call("lca4j_memcpy_d2h", () -> (int) memcpyD2h.invokeExact(dst, MemorySegment.ofAddress(src), dst.byteSize(), MemorySegment.NULL));
    }

    void copyOnDevice(long dst, long src, long bytes) {
        call("lca4j_memcpy_d2d", () -> (int) memcpyD2d.invokeExact(MemorySegment.ofAddress(dst), MemorySegment.ofAddress(src), bytes, MemorySegment.NULL));
    }

    /** The C compiler's sizeof ("lca4j_layer") or offsetof ("lca4j_layer.n"), to check the layouts here. */
    long structLayout(String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment value = a.allocate(JAVA_LONG);
            call("lca4j_struct_layout(" + name + ")", () -> (int) structLayout.invokeExact(a.allocateFrom(name), value));
            return value.get(JAVA_LONG, 0);
        }
    }

    void zero(long dst, long bytes) {
        call("lca4j_memset", () -> (int) memset.invokeExact(MemorySegment.ofAddress(dst), 0, bytes, MemorySegment.NULL));
    }

    void synchronize() {
        call("lca4j_stream_synchronize", () -> (int) synchronize.invokeExact(MemorySegment.NULL));
    }

    long layerLcaWorkspace(MemorySegment sizes, int layers) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment bytes = a.allocate(JAVA_LONG);
            call("lca4j_layer_lca_workspace", () -> (int) layerLcaWorkspace.invokeExact(sizes, layers, bytes));
            return bytes.get(JAVA_LONG, 0);
        }
    }

    void layerLca(MemorySegment layers, int count, MemorySegment combine, long workspace, long workspaceBytes, long sum, long helped, long hurt) {
        call("lca4j_layer_lca", () -> (int) layerLca.invokeExact(layers, count, combine, MemorySegment.ofAddress(workspace), workspaceBytes,
                    MemorySegment.ofAddress(sum), MemorySegment.ofAddress(helped), MemorySegment.ofAddress(hurt), MemorySegment.NULL));
    }

    /** One status-returning downcall, written at the call site as {@code () -> (int) h.invokeExact(...)}. */
    @FunctionalInterface
    interface Call {
        int run() throws Throwable;
    }

    /**
     * Runs a downcall and turns a failed status into a {@link CudaException} naming the function.
     * Call sites use invokeExact (no boxing and no generic invocation per call, which adds up at a
     * dozen launches per training step); NativeBindingsTest drives the kernel entry points with a
     * rejected argument, so a Java type that does not match the descriptor fails in CI.
     */
    void call(String function, Call c) {
        try {
            check(function, c.run());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private void check(String function, int status) throws Throwable {
        if (status == 0) return;
        String message = ((MemorySegment) statusString.invokeExact(status)).reinterpret(1024).getString(0);
        // lca4j_last_call() names the CUDA call that failed last on this thread; lca4j's own refusals
        // (LCA4J_ERR_*: a bad argument, a small workspace) make no CUDA call, so it would name an
        // earlier, unrelated failure (a handled out-of-memory, say).
        String call = status > LCA4J_OWN_ERRORS ? "" : ((MemorySegment) lastCall.invokeExact()).reinterpret(1024).getString(0);
        throw new CudaException(function, status, message, call);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
