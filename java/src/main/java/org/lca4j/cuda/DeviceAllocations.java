package org.lca4j.cuda;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The device buffers of one owner (a GPU model, gradient source, optimizer), freed together by
 * {@link #close()}: owners allocate in their constructors and close this if a later allocation
 * fails, so nothing leaks half-built.
 */
final class DeviceAllocations implements AutoCloseable {
    private final Lca4jNative api;
    private final List<DeviceBuffer> owned = new ArrayList<>();

    DeviceAllocations(Lca4jNative api) {
        this.api = api;
    }

    /** A new buffer's device address. */
    long alloc(long bytes) {
        return add(new DeviceBuffer(api, bytes));
    }

    /** A new zero-filled buffer's device address. */
    long zeroed(long bytes) {
        return add(DeviceBuffer.zeroed(api, bytes));
    }

    /** A new buffer holding a copy of host data (a Java array's segment). */
    long copyOf(MemorySegment host) {
        long d = alloc(host.byteSize());
        api.copyToDevice(d, host);
        return d;
    }

    private long add(DeviceBuffer b) {
        owned.add(b);
        return b.address();
    }

    /** A device address as the pointer argument of a downcall. */
    static MemorySegment ptr(long address) {
        return MemorySegment.ofAddress(address);
    }

    @Override
    public void close() {
        owned.forEach(DeviceBuffer::close);
        owned.clear();
    }
}
