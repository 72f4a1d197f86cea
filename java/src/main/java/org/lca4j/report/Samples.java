package org.lca4j.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.lca4j.io.Npy;
import org.lca4j.io.NpyArray;

/**
 * samples/: per-step A_t,i of S sampled parameters, {@code indices.npy} int [S] and one float64 [T, S]
 * file per estimator. All series are cut to the fewest steps any file holds.
 */
final class Samples {
    private final int[] indices;
    private final int steps;
    private final Map<String, double[]> values;

    private Samples(int[] indices, int steps, Map<String, double[]> values) {
        this.indices = indices;
        this.steps = steps;
        this.values = values;
    }

    /** The samples, or empty when samples/indices.npy or samples/exact.npy is missing. */
    static Optional<Samples> readIfPresent(Path samplesDir, Collection<String> estimators) throws IOException {
        Path idx = samplesDir.resolve("indices.npy");
        if (!Files.isRegularFile(idx) || !Files.isRegularFile(samplesDir.resolve(RunData.EXACT + ".npy"))) return Optional.empty();
        int[] indices = Npy.read(idx).asInts();
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put(RunData.EXACT, Npy.read(samplesDir.resolve(RunData.EXACT + ".npy")));
        for (String e : estimators) {
            Path p = samplesDir.resolve(e + ".npy");
            if (Files.isRegularFile(p)) arrays.put(e, Npy.read(p));
        }
        long steps = Long.MAX_VALUE;
        for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
            long[] shape = e.getValue().shape();
            if (shape.length != 2 || shape[1] != indices.length) {
                throw new IOException(samplesDir.resolve(e.getKey() + ".npy") + ": expected shape [T, " + indices.length
                        + "] to match indices.npy, found " + Arrays.toString(shape));
            }
            steps = Math.min(steps, shape[0]);
        }
        int t = (int) steps;
        Map<String, double[]> values = new LinkedHashMap<>();
        for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
            double[] all = e.getValue().asDoubles();
            values.put(e.getKey(), all.length == (long) t * indices.length ? all : Arrays.copyOf(all, t * indices.length));
        }
        return Optional.of(new Samples(indices, t, values));
    }

    int parameterCount() {
        return indices.length;
    }

    int steps() {
        return steps;
    }

    boolean has(String estimator) {
        return values.containsKey(estimator);
    }

    /** A_t,i of every sampled parameter at step row {@code t}. */
    double[] row(String estimator, int t) {
        int s = indices.length;
        return Arrays.copyOfRange(values.get(estimator), t * s, (t + 1) * s);
    }

    /** All T×S values, step-major. */
    double[] all(String estimator) {
        return values.get(estimator).clone();
    }
}
