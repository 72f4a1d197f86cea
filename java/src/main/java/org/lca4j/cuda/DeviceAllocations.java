package org.lca4j.cuda;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * What one owner (a GPU model, gradient source, optimizer, training loop) holds on the device: its
 * buffers and the objects it built that hold their own (a cuBLAS handle, a GPU model), all released
 * by {@link #close()}. Owners register everything here in their constructors and close this if a
 * later step fails, so nothing leaks half-built and close() is one call.
 */
final class DeviceAllocations implements AutoCloseable {
    private final Lca4jNative api;
    private final List<AutoCloseable> owned = new ArrayList<>();

    DeviceAllocations(Lca4jNative api) {
        this.api = api;
    }

    /** A new buffer's device address. */
    long alloc(long bytes) {
        return own(new DeviceBuffer(api, bytes)).address();
    }

    /** A new zero-filled buffer's device address. */
    long zeroed(long bytes) {
        return own(DeviceBuffer.zeroed(api, bytes)).address();
    }

    /** A new buffer holding a copy of host data (a Java array's segment). */
    long copyOf(MemorySegment host) {
        long d = alloc(host.byteSize());
        api.copyToDevice(d, host);
        return d;
    }

    /** Takes {@code resource} over: it is closed with this. */
    <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    /** A device address as the pointer argument of a downcall. */
    static MemorySegment ptr(long address) {
        return MemorySegment.ofAddress(address);
    }

    /** Releases everything, newest first; one failure does not stop the rest and is thrown at the end. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                if (failure == null) failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                else failure.addSuppressed(e);
            }
        }
        owned.clear();
        if (failure != null) throw failure;
    }
}
