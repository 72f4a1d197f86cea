package org.lca4j.data;

import java.util.Arrays;

/**
 * A labelled data set held in memory: {@code n} rows of {@code dim} features, row-major in {@code x},
 * with class labels {@code y} in {@code [0, classes)}.
 *
 * <p>The arrays are shared, not copied, so that a 60000x784 set is not duplicated on every hand-off;
 * callers must not mutate them.
 */
public record LabeledSet(float[] x, int[] y, int n, int dim, int classes) {
    public LabeledSet {
        if (n < 0) throw new IllegalArgumentException("n must be >= 0, got " + n);
        if (dim < 1) throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        if (classes < 0) throw new IllegalArgumentException("classes must be >= 0, got " + classes);
        if ((long) n * dim != x.length) {
            throw new IllegalArgumentException("x has " + x.length + " values, expected n*dim = " + n + "*" + dim + " = " + (long) n * dim);
        }
        if (y.length != n) throw new IllegalArgumentException("y has " + y.length + " labels, expected n = " + n);
        for (int i = 0; i < n; i++) {
            if (y[i] < 0 || y[i] >= classes) {
                throw new IllegalArgumentException("label y[" + i + "] = " + y[i] + " outside [0, " + classes + ")");
            }
        }
    }

    /** Infers {@code n} from {@code y.length}. */
    public static LabeledSet of(float[] x, int[] y, int dim, int classes) {
        return new LabeledSet(x, y, y.length, dim, classes);
    }

    /** A copy holding rows {@code indices[0], indices[1], ...} in that order (repeats allowed). */
    public LabeledSet subset(int[] indices) {
        float[] sx = new float[Math.multiplyExact(indices.length, dim)];
        int[] sy = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (i < 0 || i >= n) throw new IndexOutOfBoundsException("indices[" + k + "] = " + i + " outside [0, " + n + ")");
            System.arraycopy(x, i * dim, sx, k * dim, dim);
            sy[k] = y[i];
        }
        return new LabeledSet(sx, sy, indices.length, dim, classes);
    }

    /** A copy of rows {@code [from, to)}. */
    public LabeledSet rows(int from, int to) {
        if (from < 0 || to > n || from > to) {
            throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ") outside [0, " + n + ")");
        }
        return new LabeledSet(Arrays.copyOfRange(x, from * dim, to * dim), Arrays.copyOfRange(y, from, to), to - from, dim, classes);
    }

    /** Row {@code i}'s features, copied. */
    public float[] row(int i) {
        return Arrays.copyOfRange(x, i * dim, (i + 1) * dim);
    }

    @Override
    public String toString() {
        return "LabeledSet[n=" + n + ", dim=" + dim + ", classes=" + classes + "]";
    }
}
