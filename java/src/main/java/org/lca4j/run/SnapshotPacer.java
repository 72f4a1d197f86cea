package org.lca4j.run;

/**
 * When to rewrite the per-parameter cumulative files: after a snapshot that took w to write, not
 * before {@value #SPACING}·w has passed, so snapshots cost at most 1/{@value #SPACING} of the run's
 * time. How many steps lie between two depends on w against a step: a small model with only the
 * free estimators steps faster than it writes even a small snapshot and gets one every few dozen
 * steps; a 1.9M-parameter model with three estimators writes 45 MB a snapshot, several times its
 * training step, and gets one every few seconds instead of multiplying the run's time (README,
 * "Outputs").
 */
final class SnapshotPacer {
    static final int SPACING = 20;
    private long lastEnd;
    private long lastTook;
    private boolean any;

    /** Whether a snapshot is due at {@code now} (the first one always is). */
    boolean due(long now) {
        return !any || now - lastEnd >= SPACING * lastTook;
    }

    /** A snapshot took {@code took} to write and was done at {@code end} (nanoseconds, one clock). */
    void wrote(long took, long end) {
        any = true;
        lastEnd = end;
        lastTook = Math.max(0, took);
    }
}
