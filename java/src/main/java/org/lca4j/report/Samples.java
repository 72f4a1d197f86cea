package org.lca4j.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.lca4j.io.Npy;
import org.lca4j.io.NpyRowReader;

/**
 * samples/: per-step A_t,i of S sampled parameters, {@code indices.npy} int [S] and one float64 [T, S]
 * file per estimator. All series are cut to the fewest steps any file holds. The files are read a row
 * at a time ({@link #scan}), never whole: T × S doubles per estimator grow with the run.
 */
final class Samples {
    private final Path dir;
    private final int[] indices;
    private final int steps;
    private final List<String> present;

    private Samples(Path dir, int[] indices, int steps, List<String> present) {
        this.dir = dir;
        this.indices = indices;
        this.steps = steps;
        this.present = present;
    }

    /** The samples, or empty when samples/indices.npy or samples/exact.npy is missing. */
    static Optional<Samples> readIfPresent(Path samplesDir, Collection<String> estimators) throws IOException {
        Path idx = samplesDir.resolve("indices.npy");
        if (!Files.isRegularFile(idx) || !Files.isRegularFile(file(samplesDir, RunData.EXACT))) return Optional.empty();
        int[] indices = Npy.read(idx).asInts();
        List<String> present = new ArrayList<>(List.of(RunData.EXACT));
        for (String e : estimators) {
            if (Files.isRegularFile(file(samplesDir, e))) present.add(e);
        }
        long steps = Long.MAX_VALUE;
        for (String e : present) {
            try (NpyRowReader r = new NpyRowReader(file(samplesDir, e))) {
                if (r.shape().length != 2 || r.columns() != indices.length) {
                    throw new IOException(file(samplesDir, e) + ": expected shape [T, " + indices.length + "] to match indices.npy, found "
                            + Arrays.toString(r.shape()));
                }
                steps = Math.min(steps, r.rows());
            }
        }
        return Optional.of(new Samples(samplesDir, indices, Math.toIntExact(steps), List.copyOf(present)));
    }

    private static Path file(Path dir, String estimator) {
        return dir.resolve(estimator + ".npy");
    }

    int parameterCount() {
        return indices.length;
    }

    int steps() {
        return steps;
    }

    boolean has(String estimator) {
        return present.contains(estimator);
    }

    /** What {@link #scan} hands over at each step: exact's row and each estimator's, in the order asked. */
    @FunctionalInterface
    interface Rows {
        void step(int t, double[] exact, double[][] estimates);
    }

    /** One pass over the steps in order, reading a row of exact and of each of {@code estimators} at a time. */
    void scan(List<String> estimators, Rows rows) throws IOException {
        List<NpyRowReader> readers = new ArrayList<>();
        try {
            readers.add(new NpyRowReader(file(dir, RunData.EXACT)));
            for (String e : estimators) readers.add(new NpyRowReader(file(dir, e)));
            double[] exact = new double[indices.length];
            double[][] est = new double[estimators.size()][indices.length];
            for (int t = 0; t < steps; t++) {
                readers.getFirst().next(exact);
                for (int i = 0; i < est.length; i++) readers.get(i + 1).next(est[i]);
                rows.step(t, exact, est);
            }
        } finally {
            for (NpyRowReader r : readers) r.close();
        }
    }
}
