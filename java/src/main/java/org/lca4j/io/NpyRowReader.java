package org.lca4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the rows of a {@code .npy} file one at a time, never the whole file, so a file of any length
 * (a long run's {@code samples/*.npy} or {@code trajectory/theta.npy}) is read in constant memory
 * and past the 2 GiB a whole read is limited to. The rows are those {@link Npy#readRows} takes: at
 * most the header's count, and of those only the ones wholly present.
 */
public final class NpyRowReader implements AutoCloseable {
    private final Path path;
    private final FileChannel ch;
    private final NpyDtype dtype;
    private final long[] shape;
    private final long declaredRows;
    private final long dataOffset;
    private final int columns;
    private ByteBuffer buf;
    private long position;
    private long next;

    public NpyRowReader(Path p) throws IOException {
        path = p;
        ch = FileChannel.open(p, StandardOpenOption.READ);
        try {
            NpyHeader.Parsed h = NpyHeader.read(p, ch);
            dtype = h.dtype();
            shape = h.shape();
            if (shape.length == 0) throw new NpyFormatException(p + ": a 0-D array has no rows");
            declaredRows = shape[0];
            long values = 1;
            for (int i = 1; i < shape.length; i++) values = Math.multiplyExact(values, shape[i]);
            if (values > Integer.MAX_VALUE / 8) throw new NpyFormatException(p + ": rows of " + values + " values are too long");
            columns = (int) values;
            long rowBytes = (long) dtype.size * columns;
            long present = ch.size() - h.dataOffset();
            shape[0] = rowBytes == 0 ? declaredRows : Math.min(declaredRows, present / rowBytes);
            dataOffset = h.dataOffset();
            position = dataOffset;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The shape, with the whole rows present as its first dimension. */
    public long[] shape() {
        return shape.clone();
    }

    /** The whole rows present. */
    public long rows() {
        return shape[0];
    }

    /** The rows the header counts (more than {@link #rows()} in a file cut short). */
    public long declaredRows() {
        return declaredRows;
    }

    /** Values per row. */
    public int columns() {
        return columns;
    }

    public String descr() {
        return dtype.descr;
    }

    /** Reads the next row of a {@code <f8} file into {@code row} (length {@link #columns()}), in order from the first. */
    public void next(double[] row) throws IOException {
        require(NpyDtype.F8, "next");
        if (next >= rows()) throw new IllegalStateException(path + ": no row " + next + " (" + rows() + " rows)");
        int bytes = 8 * columns;
        if (buf == null) {
            buf = ByteBuffer.allocate((int) Math.max(bytes, Math.min(Npy.CHUNK, (long) bytes * rows()))).order(ByteOrder.LITTLE_ENDIAN);
            buf.limit(0);
        }
        if (buf.remaining() < bytes) {
            buf.compact();
            while (buf.position() < bytes) {
                int n = ch.read(buf, position);
                if (n < 0) throw new NpyFormatException(path + ": truncated while reading row " + next);
                position += n;
            }
            buf.flip();
        }
        buf.asDoubleBuffer().get(row, 0, columns);
        buf.position(buf.position() + bytes);
        next++;
    }

    /** Row {@code r} of a {@code <f4} file, read from disk. */
    public float[] floatRow(long r) throws IOException {
        require(NpyDtype.F4, "floatRow");
        if (r < 0 || r >= rows()) throw new IndexOutOfBoundsException("row " + r + " outside [0, " + rows() + ")");
        ByteBuffer b = ByteBuffer.allocate(4 * columns).order(ByteOrder.LITTLE_ENDIAN);
        long at = dataOffset + r * 4L * columns;
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) throw new NpyFormatException(path + ": truncated while reading row " + r);
        }
        float[] out = new float[columns];
        b.flip().asFloatBuffer().get(out);
        return out;
    }

    private void require(NpyDtype want, String what) throws NpyFormatException {
        if (dtype != want) throw new NpyFormatException(path + ": " + what + " reads " + want.descr + " rows, the file holds " + dtype.descr);
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
