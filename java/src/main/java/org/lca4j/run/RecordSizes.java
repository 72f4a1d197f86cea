package org.lca4j.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.lca4j.train.RunContext;
import org.lca4j.train.Trainer;

/**
 * How many bytes a run directory will hold at its end, known before the first step, so a run that
 * cannot fit on its disk is named at the start rather than when the disk fills hours later (the
 * records written until then are kept either way; README, "Outputs"). The files that grow with the
 * model are counted exactly; the CSVs by a typical row length.
 */
public final class RecordSizes {
    /** Typical lengths of a layers.csv and a steps.csv row (numbers in full double precision). */
    private static final long LAYER_ROW = 64, STEP_ROW = 220;

    private RecordSizes() {
    }

    /**
     * Bytes at the end of the run, plus the largest transient extra: a cumulative snapshot is staged
     * beside the last one before it replaces it, so for a moment both are on disk.
     */
    public static long estimate(RunContext c) {
        long d = c.layout().size(), steps = c.totalSteps();
        int estimators = c.accumulators().size();
        long cumulative = Math.multiplyExact(Math.multiplyExact(estimators, d), Double.BYTES);
        long total = 2 * cumulative;
        total += steps * (estimators * c.layout().layerCount() * LAYER_ROW + STEP_ROW);
        // samples/ holds exact and each approximate estimator, not exact_val.
        int sampled = estimators - (c.accumulators().containsKey(Trainer.EXACT_VALIDATION) ? 1 : 0);
        if (c.sampleIndices() != null) total += Math.multiplyExact((long) sampled * steps, (long) c.sampleIndices().length * Double.BYTES);
        if (c.config().saveTrajectory()) {
            total += Math.multiplyExact(Math.multiplyExact(steps + 1, d), Float.BYTES);
            total += (long) c.reference().n() * (c.reference().dim() + 1) * Float.BYTES;
        }
        return total;
    }

    /**
     * A warning when the records will not fit in the space left where {@code dir} lives, else empty.
     * A file system that does not say how much is free gets no warning.
     */
    public static Optional<String> shortfall(RunContext c, Path dir) {
        try {
            return shortfall(c, dir, Files.getFileStore(dir).getUsableSpace());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    static Optional<String> shortfall(RunContext c, Path dir, long free) {
        long need = estimate(c);
        if (need <= free) return Optional.empty();
        return Optional.of("warning: this run's records will take about " + bytes(need) + " but " + dir.toAbsolutePath() + " has " + bytes(free)
                + " free; it will stop when the disk fills, keeping every whole step written"
                + (c.config().saveTrajectory() ? " (trajectory/theta.npy alone: " + bytes((c.totalSteps() + 1) * c.layout().size() * Float.BYTES) + ")" : ""));
    }

    static String bytes(long n) {
        if (n < 1024) return n + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
