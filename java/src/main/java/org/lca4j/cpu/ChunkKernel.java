package org.lca4j.cpu;

import java.lang.foreign.MemorySegment;

/**
 * The per-chunk work of the CPU backend: for i in [from, to) of one layer, A = g·Δθ in double with
 * Δθ = after − before (or after itself when before is null), cumulative[base + i] += A, and the
 * chunk's {@link Partial}. Every implementation computes each A with the same double operations, so
 * the per-parameter cumulative sums are the same bits whichever runs; only the order of the chunk's
 * sum differs between them, and it is fixed for each.
 */
interface ChunkKernel {
    Partial run(MemorySegment g, MemorySegment before, MemorySegment after, double[] cumulative, int base, int from, int to);

    String name();
}
