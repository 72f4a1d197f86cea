package org.lca4j.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/** Resolves the CLI's {@code --data} value into a training split and a held-out validation split. */
public final class DataSources {
    /** Where Debian's dataset-fashion-mnist package installs the files. */
    public static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    private DataSources() {
    }

    /** The two splits and a one-line description of where they came from. */
    public record Splits(LabeledSet train, LabeledSet validation, String source) {
    }

    /**
     * @param spec           "fashion-mnist", "synthetic", or an MNIST-format directory
     * @param validationSize rows to hold out (-1: one twelfth, the paper's 5,000 of 60,000)
     * @param split          the seeded stream that picks the held-out rows
     * @param synthetic      the seeded stream for synthetic data, and its row count, input width and classes
     */
    public static Splits load(String spec, int validationSize, Random split, Random synthetic, int syntheticRows, int inputs, int classes) throws IOException {
        LabeledSet all;
        String source;
        switch (spec) {
            case "synthetic" -> {
                all = SyntheticData.teacher(synthetic, syntheticRows, inputs, classes);
                source = "synthetic teacher-network data (" + syntheticRows + " rows, " + inputs + " features, " + classes + " classes)";
            }
            case "fashion-mnist" -> {
                if (!Files.isDirectory(FASHION_MNIST)) {
                    throw new IOException("Fashion-MNIST is not installed at " + FASHION_MNIST
                            + ": run `apt-get install dataset-fashion-mnist` (./lca demo does this when it can), or pass --data synthetic or --data DIR");
                }
                all = MnistFormat.load(FASHION_MNIST, "train", classes);
                source = "Fashion-MNIST training file at " + FASHION_MNIST;
            }
            default -> {
                Path dir = Path.of(spec);
                if (!Files.isDirectory(dir)) {
                    throw new IOException("--data '" + spec + "' is neither fashion-mnist, synthetic nor a directory");
                }
                all = MnistFormat.load(dir, "train", classes);
                source = "MNIST-format training file in " + dir.toAbsolutePath();
            }
        }
        int v = validationSize < 0 ? all.n() / 12 : validationSize;
        if (v >= all.n()) throw new IllegalArgumentException("--validation-size " + v + " leaves no training rows out of " + all.n());
        int[] perm = permutation(all.n(), split);
        int[] val = Arrays.copyOfRange(perm, 0, v);
        int[] train = Arrays.copyOfRange(perm, v, perm.length);
        // File order within each split: the split is random, the rows stay recognisable.
        Arrays.sort(val);
        Arrays.sort(train);
        return new Splits(all.subset(train), v == 0 ? null : all.subset(val), source);
    }

    /** A seeded Fisher–Yates permutation of 0..n-1. */
    public static int[] permutation(int n, Random rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
