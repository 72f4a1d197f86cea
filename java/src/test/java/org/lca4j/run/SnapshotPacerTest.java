package org.lca4j.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SnapshotPacerTest {
    private static final long MS = 1_000_000;

    /** Steps of {@code stepMs} whose snapshot (when due) takes {@code writeMs}; returns the snapshots taken in 1,000 steps. */
    private static int snapshots(long stepMs, long writeMs) {
        SnapshotPacer pacer = new SnapshotPacer();
        long now = 0;
        int n = 0;
        for (int step = 0; step < 1000; step++) {
            now += stepMs * MS;
            if (pacer.due(now)) {
                now += writeMs * MS;
                pacer.wrote(writeMs * MS, now);
                n++;
            }
        }
        return n;
    }

    @Test
    void cheapSnapshotsAreTakenEveryStep() {
        assertEquals(1000, snapshots(30, 1));
    }

    @Test
    void costlySnapshotsTakeAtMostATwentiethOfTheRun() {
        // A 250 ms snapshot after 32 ms steps (the 1.9M-parameter model, three estimators): every
        // 5 s of run, about one step in 157, instead of 8x the training time.
        int n = snapshots(32, 250);
        assertTrue(n >= 2 && n <= 1000 * 32 / (SnapshotPacer.SPACING * 250) + 1, n + " snapshots");
        long spent = n * 250L, run = 1000 * 32L + spent;
        assertTrue(spent <= run / SnapshotPacer.SPACING + 250, spent + " of " + run + " ms");
    }

    @Test
    void theFirstIsAlwaysDueAndTheNextWaits() {
        SnapshotPacer pacer = new SnapshotPacer();
        assertTrue(pacer.due(0));
        pacer.wrote(10 * MS, 100 * MS);
        assertFalse(pacer.due(100 * MS + SnapshotPacer.SPACING * 10 * MS - 1));
        assertTrue(pacer.due(100 * MS + SnapshotPacer.SPACING * 10 * MS));
    }
}
