package org.lca4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads and writes NumPy {@code .npy} files (C order, little-endian {@code <f4 <f8 <i4 <i8}).
 *
 * <p>Files written here are byte-identical to {@code np.save} of the same array.
 */
public final class Npy {
    static final int CHUNK = 1 << 20;
    // The JVM refuses arrays a few elements short of Integer.MAX_VALUE.
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private Npy() {}

    public static void write(Path p, float[] data, long... shape) throws IOException {
        writeAtomically(p, NpyDtype.F4, shape, data.length, (b, from, n) -> b.asFloatBuffer().put(data, from, n));
    }

    public static void write(Path p, double[] data, long... shape) throws IOException {
        writeAtomically(p, NpyDtype.F8, shape, data.length, (b, from, n) -> b.asDoubleBuffer().put(data, from, n));
    }

    public static void write(Path p, int[] data, long... shape) throws IOException {
        writeAtomically(p, NpyDtype.I4, shape, data.length, (b, from, n) -> b.asIntBuffer().put(data, from, n));
    }

    public static void write(Path p, long[] data, long... shape) throws IOException {
        writeAtomically(p, NpyDtype.I8, shape, data.length, (b, from, n) -> b.asLongBuffer().put(data, from, n));
    }

    /** Writes the file beside {@code p} without replacing it yet (see {@link Staged}). */
    public static Staged stage(Path p, double[] data, long... shape) throws IOException {
        return writeStaged(p, NpyDtype.F8, shape, data.length, (b, from, n) -> b.asDoubleBuffer().put(data, from, n));
    }

    /** Reads a whole file; any missing or extra data is an error. */
    public static NpyArray read(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            NpyHeader.Parsed h = NpyHeader.read(p, ch);
            long expected = dataBytes(p, h, h.shape());
            long present = ch.size() - h.dataOffset();
            if (present < expected) {
                throw new NpyFormatException(p + ": truncated: header says shape " + NpyHeader.shapeString(h.shape()) + " of "
                        + h.dtype().descr + " = " + expected + " bytes, file has " + present);
            }
            checkTrailing(p, h, expected, present);
            return new NpyArray(h.dtype().descr, h.shape(), load(p, ch, h.dataOffset(), expected));
        }
    }

    /**
     * Reads the complete rows of a file that is still being written or was cut short: at most the rows
     * its header counts, and of those only the ones wholly present. Bytes after the counted rows (an
     * {@link NpyRowWriter}'s row not yet counted, or one cut by a kill) are ignored, as numpy does;
     * {@link NpyArray#declaredRows()} tells how many rows the header counts.
     */
    public static NpyArray readRows(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            NpyHeader.Parsed h = NpyHeader.read(p, ch);
            long[] shape = h.shape();
            if (shape.length == 0) throw new NpyFormatException(p + ": readRows needs at least one dimension, shape is ()");
            long declared = shape[0];
            shape[0] = 1;
            long rowBytes = dataBytes(p, h, shape);
            // Take one size snapshot: a writer may append while we read, and we only want whole rows.
            long present = ch.size() - h.dataOffset();
            // Bytes after the counted rows are a writer's row not yet counted, or one cut by a kill: ignored, as numpy does.
            long rows = rowBytes == 0 ? declared : Math.min(declared, present / rowBytes);
            shape[0] = rows;
            long bytes = dataBytes(p, h, shape);
            return new NpyArray(h.dtype().descr, shape, load(p, ch, h.dataOffset(), bytes), declared);
        }
    }

    /** Fills {@code b} (little-endian, at position 0) with {@code n} elements starting at {@code from}. */
    @FunctionalInterface
    interface Filler {
        void fill(ByteBuffer b, int from, int n);
    }

    /**
     * Writes to a sibling temp file and renames it over {@code p}: the file is rewritten every training
     * step, and a kill mid-write must leave the previous version, never a half file.
     */
    private static void writeAtomically(Path p, NpyDtype dtype, long[] shape, int count, Filler filler) throws IOException {
        writeStaged(p, dtype, shape, count, filler).commitOrDiscard();
    }

    private static Staged writeStaged(Path p, NpyDtype dtype, long[] shape, int count, Filler filler) throws IOException {
        long product = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException(p + ": negative dimension in shape " + NpyHeader.shapeString(shape));
            product = Math.multiplyExact(product, d);
        }
        if (product != count) {
            throw new IllegalArgumentException(p + ": shape " + NpyHeader.shapeString(shape) + " holds " + product
                    + " values but data has " + count);
        }
        return Staged.write(p, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writeFully(ch, ByteBuffer.wrap(NpyHeader.encode(dtype.descr, shape)));
                ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                int perChunk = CHUNK / dtype.size;
                for (int from = 0; from < count; from += perChunk) {
                    int n = Math.min(perChunk, count - from);
                    buf.clear();
                    filler.fill(buf, from, n);
                    buf.limit(n * dtype.size);
                    writeFully(ch, buf);
                }
            }
        });
    }

    static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    private static long dataBytes(Path p, NpyHeader.Parsed h, long[] shape) throws NpyFormatException {
        try {
            long n = h.dtype().size;
            for (long d : shape) n = Math.multiplyExact(n, d);
            return n;
        } catch (ArithmeticException e) {
            throw new NpyFormatException(p + ": absurd shape " + NpyHeader.shapeString(shape) + " of " + h.dtype().descr);
        }
    }

    private static void checkTrailing(Path p, NpyHeader.Parsed h, long expected, long present) throws NpyFormatException {
        if (present > expected) {
            throw new NpyFormatException(p + ": " + (present - expected) + " trailing bytes after the " + expected
                    + " bytes of data for shape " + NpyHeader.shapeString(h.shape()) + " of " + h.dtype().descr);
        }
    }

    private static ByteBuffer load(Path p, FileChannel ch, long offset, long bytes) throws IOException {
        if (bytes > MAX_BYTES) {
            throw new NpyFormatException(p + ": too large: " + bytes + " bytes of data, this reader is limited to 2 GiB");
        }
        ByteBuffer b = NpyHeader.readAt(ch, offset, (int) bytes);
        if (b.limit() != bytes) {
            throw new NpyFormatException(p + ": truncated while reading: expected " + bytes + " bytes of data, got " + b.limit());
        }
        return b;
    }
}
