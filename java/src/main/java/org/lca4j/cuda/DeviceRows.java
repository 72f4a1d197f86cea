package org.lca4j.cuda;

import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;
import org.lca4j.data.LabeledSet;

/**
 * One device copy of a labeled set's rows (x as float32 rows, y as int32), shared by everyone on the
 * GPU who reads that same set: under {@code --device cuda} with exact LCA on the whole training split,
 * training's batch gradients and the reference objective read the same rows, which would otherwise
 * sit on the device twice (172 MB for Fashion-MNIST's 55,000 rows). Each {@link #of} is one
 * reference, released by {@link #close()}; the copy is freed with the last. Sets are matched by
 * identity: a {@link LabeledSet} is immutable, so equal contents in another object are another copy.
 */
final class DeviceRows implements AutoCloseable {
    private static final Map<LabeledSet, Copy> COPIES = new IdentityHashMap<>();

    private static final class Copy {
        final DeviceAllocations buffers;
        final long x, y;
        int users;

        Copy(LabeledSet set) {
            buffers = new DeviceAllocations(CudaDevice.api());
            try {
                x = buffers.copyOf(MemorySegment.ofArray(set.x()));
                y = buffers.copyOf(MemorySegment.ofArray(set.y()));
            } catch (RuntimeException e) {
                buffers.close();
                throw e;
            }
        }
    }

    private final LabeledSet set;
    private final Copy copy;
    private boolean closed;

    private DeviceRows(LabeledSet set, Copy copy) {
        this.set = set;
        this.copy = copy;
    }

    /** A reference to {@code set}'s device copy, uploading it if nobody holds one. */
    static synchronized DeviceRows of(LabeledSet set) {
        Copy c = COPIES.get(set);
        if (c == null) {
            c = new Copy(set);
            COPIES.put(set, c);
        }
        c.users++;
        return new DeviceRows(set, c);
    }

    /** How many device copies of {@code set} exist now (0 or 1): for tests. */
    static synchronized int copies(LabeledSet set) {
        return COPIES.containsKey(set) ? 1 : 0;
    }

    /** Device address of the rows, row-major float32 [n × dim]. */
    long x() {
        return copy.x;
    }

    /** Device address of the labels, int32 [n]. */
    long y() {
        return copy.y;
    }

    @Override
    public void close() {
        synchronized (DeviceRows.class) {
            if (closed) return;
            closed = true;
            if (--copy.users > 0) return;
            COPIES.remove(set);
        }
        copy.buffers.close();
    }
}
