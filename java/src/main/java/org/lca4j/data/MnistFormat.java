package org.lca4j.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Loads an MNIST-layout directory ({@code train-images-idx3-ubyte[.gz]} and friends), which also
 * covers Fashion-MNIST and KMNIST.
 */
public final class MnistFormat {
    private MnistFormat() {}

    /**
     * Loads split {@code "train"} or {@code "t10k"} as pixels scaled to [0,1]. The class count is
     * max label + 1, so a split that lacks the top class reports fewer classes.
     */
    public static LabeledSet load(Path dir, String split) throws IOException {
        return load(dir, split, Integer.MAX_VALUE);
    }

    /**
     * As {@link #load(Path, String)}, refusing a label outside [0, classes) with the file and record
     * it is in: a corrupt label byte would otherwise show up only as a class count the model lacks.
     */
    public static LabeledSet load(Path dir, String split, int classes) throws IOException {
        if (!split.equals("train") && !split.equals("t10k")) {
            throw new IllegalArgumentException("split must be \"train\" or \"t10k\", got \"" + split + "\"");
        }
        Path imagesFile = find(dir, split + "-images-idx3-ubyte");
        Path labelsFile = find(dir, split + "-labels-idx1-ubyte");
        IdxImages images = IdxReader.readImages(imagesFile);
        IdxLabels labels = IdxReader.readLabels(labelsFile);
        if (images.count() != labels.count()) {
            throw new IdxFormatException(imagesFile + " has " + images.count() + " images but " + labelsFile
                    + " has " + labels.count() + " labels");
        }
        int n = images.count();
        int dim = images.imageSize();
        byte[] px = images.pixels();
        float[] x = new float[px.length];
        for (int i = 0; i < px.length; i++) x[i] = (px[i] & 0xff) / 255f;
        int[] y = new int[n];
        int max = -1;
        for (int i = 0; i < n; i++) {
            y[i] = labels.label(i);
            if (y[i] >= classes) {
                throw new IdxFormatException(labelsFile + ": label " + y[i] + " of record " + i + " is outside the model's " + classes + " classes [0, " + classes + ")");
            }
            max = Math.max(max, y[i]);
        }
        return new LabeledSet(x, y, n, dim, max + 1);
    }

    /** Prefers the .gz: it is what the mirrors ship, and its CRC catches corruption a raw copy would hide. */
    private static Path find(Path dir, String name) throws NoSuchFileException {
        Path gz = dir.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) return gz;
        Path raw = dir.resolve(name);
        if (Files.isRegularFile(raw)) return raw;
        throw new NoSuchFileException(dir.toString(), null, "found neither " + name + " nor " + name + ".gz");
    }
}
