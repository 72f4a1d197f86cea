package org.lca4j.cuda;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Device memory with one owner: allocated on construction, freed once by {@link #close()}. The live
 * count lets tests check that many steps leave no allocation behind.
 */
final class DeviceBuffer implements AutoCloseable {
    private static final AtomicLong LIVE = new AtomicLong();
    private final Lca4jNative api;
    private final long bytes;
    private long address;

    DeviceBuffer(Lca4jNative api, long bytes) {
        this.api = api;
        this.bytes = bytes;
        this.address = api.malloc(Math.max(bytes, 1));
        LIVE.incrementAndGet();
    }

    /** A zero-filled buffer. */
    static DeviceBuffer zeroed(Lca4jNative api, long bytes) {
        DeviceBuffer b = new DeviceBuffer(api, bytes);
        api.zero(b.address, Math.max(bytes, 1));
        return b;
    }

    long address() {
        if (address == 0) throw new IllegalStateException("device buffer already freed");
        return address;
    }

    long bytes() {
        return bytes;
    }

    static long live() {
        return LIVE.get();
    }

    @Override
    public void close() {
        if (address != 0) {
            long a = address;
            address = 0;
            LIVE.decrementAndGet();
            api.free(a);
        }
    }
}
