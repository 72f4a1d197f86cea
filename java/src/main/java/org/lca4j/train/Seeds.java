package org.lca4j.train;

import java.util.Random;

/**
 * Independent random streams derived from the run seed, one per purpose, so that switching one
 * feature on (an estimator drawing extra batches, say) never shifts the numbers another one draws.
 */
public final class Seeds {
    private final long seed;

    public Seeds(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    public Random stream(String purpose) {
        return new Random(mix(seed, purpose.hashCode()));
    }

    public Random stream(String purpose, long index) {
        return new Random(mix(mix(seed, purpose.hashCode()), index));
    }

    /** SplitMix64 finalizer: nearby seeds give unrelated streams. */
    private static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
