package org.lca4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);  // big-endian by default, as IDX wants
        b.putInt(magic);
        for (int d : dims) b.putInt(d);
        return b.put(data).array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(raw);
        }
        return bos.toByteArray();
    }

    static byte[] seq(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 7 + 3);
        return b;
    }

    Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    IdxFormatException fails(Path p, boolean images) {
        return assertThrows(IdxFormatException.class, () -> {
            if (images) IdxReader.readImages(p); else IdxReader.readLabels(p);
        });
    }

    static void assertMessage(Exception e, String... parts) {
        for (String part : parts) assertTrue(e.getMessage().contains(part), () -> "'" + e.getMessage() + "' lacks '" + part + "'");
        assertTrue(!e.getMessage().contains("\n"), "message should be one line");
    }

    @Test
    void readsRawAndGzippedImages() throws IOException {
        byte[] px = seq(3 * 4 * 5);
        byte[] raw = idx(0x803, new int[] {3, 4, 5}, px);
        for (Path p : new Path[] {write("raw-images", raw), write("gz-images-no-suffix", gzip(raw))}) {
            IdxImages im = IdxReader.readImages(p);
            assertEquals(3, im.count());
            assertEquals(4, im.rows());
            assertEquals(5, im.cols());
            assertArrayEquals(px, im.pixels());
        }
    }

    @Test
    void readsRawAndGzippedLabels() throws IOException {
        byte[] lab = {0, 9, (byte) 255, 3};
        byte[] raw = idx(0x801, new int[] {4}, lab);
        for (Path p : new Path[] {write("labels", raw), write("labels.gz", gzip(raw))}) {
            IdxLabels l = IdxReader.readLabels(p);
            assertEquals(4, l.count());
            assertArrayEquals(lab, l.labels());
            assertEquals(255, l.label(2));
        }
    }

    @Test
    void wrongMagic() throws IOException {
        Path labelsAsImages = write("labels-file", idx(0x801, new int[] {2}, seq(2)));
        assertMessage(fails(labelsAsImages, true), "labels-file", "not an IDX image file", "magic 0x00000801", "expected 0x00000803");
        Path notIdx = write("png-file", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0});
        assertMessage(fails(notIdx, false), "png-file", "not an IDX file", "magic 0x89504e47", "expected 0x00000801");
    }

    @Test
    void unsupportedType() throws IOException {
        Path p = write("floats", idx(0x00000d03, new int[] {1, 1, 1}, new byte[4]));
        assertMessage(fails(p, true), "floats", "unsupported IDX element type 0x0d");
    }

    @Test
    void negativeAndAbsurdDimensions() throws IOException {
        Path neg = write("neg", idx(0x803, new int[] {2, -1, 3}, new byte[0]));
        assertMessage(fails(neg, true), "neg", "negative dimension", "2x-1");
        Path huge = write("huge", idx(0x803, new int[] {60000, 60000, 28}, new byte[0]));
        assertMessage(fails(huge, true), "huge", "absurd dimensions", "60000x60000");
    }

    @Test
    void truncatedData() throws IOException {
        Path p = write("short-images", idx(0x803, new int[] {2, 3, 4}, seq(10)));
        assertMessage(fails(p, true), "short-images", "truncated: header promises 2x3x4 = 24 bytes of data, file has 10");
        Path gz = write("short-images.gz", gzip(idx(0x803, new int[] {2, 3, 4}, seq(10))));
        assertMessage(fails(gz, true), "short-images.gz", "truncated", "file has 10");
        Path hdr = write("short-header", Arrays.copyOf(idx(0x803, new int[] {2, 3, 4}, new byte[0]), 9));
        assertMessage(fails(hdr, true), "short-header", "truncated");
    }

    @Test
    void trailingBytes() throws IOException {
        Path p = write("long-labels", idx(0x801, new int[] {3}, seq(5)));
        assertMessage(fails(p, false), "long-labels", "2 trailing bytes");
    }

    @Test
    void corruptGzip() throws IOException {
        byte[] gz = gzip(idx(0x801, new int[] {1000}, seq(1000)));
        Path cut = write("cut.gz", Arrays.copyOf(gz, gz.length / 2));
        assertMessage(fails(cut, false), "cut.gz", "corrupt gzip");
        byte[] garbled = gz.clone();
        for (int i = 12; i < garbled.length - 8; i++) garbled[i] ^= (byte) 0x5a;
        Path bad = write("garbled.gz", garbled);
        assertMessage(fails(bad, false), "garbled.gz", "corrupt gzip");
    }

    @Test
    void emptyFile() throws IOException {
        Path p = write("empty", new byte[0]);
        assertMessage(fails(p, true), "empty", "empty file");
        Path gz = write("empty-inside.gz", gzip(new byte[0]));
        assertMessage(fails(gz, false), "empty-inside.gz", "empty file");
    }

    @Test
    void mnistLoadPrefersGzAndScales() throws IOException {
        byte[] px = seq(3 * 2 * 2);
        write("train-images-idx3-ubyte.gz", gzip(idx(0x803, new int[] {3, 2, 2}, px)));
        write("train-images-idx3-ubyte", new byte[] {1, 2, 3});  // would fail if chosen
        write("train-labels-idx1-ubyte", idx(0x801, new int[] {3}, new byte[] {4, 0, 2}));
        LabeledSet s = MnistFormat.load(dir, "train");
        assertEquals(3, s.n());
        assertEquals(4, s.dim());
        assertEquals(5, s.classes());
        assertArrayEquals(new int[] {4, 0, 2}, s.y());
        for (int i = 0; i < px.length; i++) assertEquals((px[i] & 0xff) / 255f, s.x()[i]);
    }

    @Test
    void aLabelTheModelHasNoClassForIsNamedWithItsFileAndRecord() throws IOException {
        write("train-images-idx3-ubyte", idx(0x803, new int[] {3, 1, 1}, seq(3)));
        write("train-labels-idx1-ubyte", idx(0x801, new int[] {3}, new byte[] {1, (byte) 255, 2}));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> MnistFormat.load(dir, "train", 10));
        assertMessage(e, "train-labels-idx1-ubyte", "label 255 of record 1", "10 classes");
        assertEquals(256, MnistFormat.load(dir, "train").classes(), "without a model, any byte is a class");
    }

    @Test
    void mnistCountMismatch() throws IOException {
        write("t10k-images-idx3-ubyte", idx(0x803, new int[] {3, 1, 1}, seq(3)));
        write("t10k-labels-idx1-ubyte.gz", gzip(idx(0x801, new int[] {2}, seq(2))));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> MnistFormat.load(dir, "t10k"));
        assertMessage(e, "t10k-images-idx3-ubyte has 3 images", "t10k-labels-idx1-ubyte.gz has 2 labels");
    }

    @Test
    void mnistMissingFile() throws IOException {
        write("train-images-idx3-ubyte", idx(0x803, new int[] {1, 1, 1}, seq(1)));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> MnistFormat.load(dir, "train"));
        assertMessage(e, dir.toString(), "train-labels-idx1-ubyte", "train-labels-idx1-ubyte.gz");
        assertThrows(IllegalArgumentException.class, () -> MnistFormat.load(dir, "validation"));
    }

    @Test
    void labeledSetValidatesAndSlices() {
        float[] x = {0, 1, 10, 11, 20, 21};
        LabeledSet s = LabeledSet.of(x, new int[] {0, 1, 2}, 2, 3);
        LabeledSet sub = s.subset(new int[] {2, 0, 2});
        assertArrayEquals(new float[] {20, 21, 0, 1, 20, 21}, sub.x());
        assertArrayEquals(new int[] {2, 0, 2}, sub.y());
        LabeledSet r = s.rows(1, 3);
        assertArrayEquals(new float[] {10, 11, 20, 21}, r.x());
        assertEquals(2, r.n());
        assertMessage(assertThrows(IllegalArgumentException.class, () -> LabeledSet.of(x, new int[] {0, 3, 1}, 2, 3)), "y[1] = 3");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> LabeledSet.of(x, new int[] {0, 1}, 2, 3)), "x has 6 values");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new LabeledSet(x, new int[] {0, 1}, 3, 2, 3)), "y has 2 labels");
        assertThrows(IndexOutOfBoundsException.class, () -> s.subset(new int[] {3}));
        assertThrows(IndexOutOfBoundsException.class, () -> s.rows(2, 4));
    }

    @Test
    void fashionMnistIfPresent() throws IOException {
        Path fm = Path.of("/usr/share/datasets/fashion-mnist");
        Assumptions.assumeTrue(Files.isDirectory(fm), "no Fashion-MNIST at " + fm);
        LabeledSet train = MnistFormat.load(fm, "train");
        assertEquals(60000, train.n());
        assertEquals(784, train.dim());
        assertEquals(10, train.classes());
        LabeledSet test = MnistFormat.load(fm, "t10k");
        assertEquals(10000, test.n());
        float max = 0;
        for (float v : train.x()) max = Math.max(max, v);
        assertEquals(1f, max);
    }
}
