package org.lca4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a 2-D {@code <f8} file row by row through a small buffer, so a file of any length (a long
 * run's {@code samples/*.npy}) is read in constant memory. The rows are those {@link Npy#readRows}
 * takes: at most the header's count, and of those only the ones wholly present.
 */
public final class NpyRowReader implements AutoCloseable {
    private final Path path;
    private final FileChannel ch;
    private final long rows;
    private final int columns;
    private final ByteBuffer buf;
    private long position;
    private long next;

    public NpyRowReader(Path p) throws IOException {
        path = p;
        ch = FileChannel.open(p, StandardOpenOption.READ);
        try {
            NpyHeader.Parsed h = NpyHeader.read(p, ch);
            if (h.dtype() != NpyDtype.F8 || h.shape().length != 2) {
                throw new NpyFormatException(p + ": expected a 2-D <f8 array, found " + h.dtype().descr + " of shape " + NpyHeader.shapeString(h.shape()));
            }
            if (h.shape()[1] > Integer.MAX_VALUE / 8) throw new NpyFormatException(p + ": rows of " + h.shape()[1] + " values are too long");
            columns = (int) h.shape()[1];
            long rowBytes = 8L * columns;
            long present = ch.size() - h.dataOffset();
            rows = rowBytes == 0 ? h.shape()[0] : Math.min(h.shape()[0], present / rowBytes);
            position = h.dataOffset();
            buf = ByteBuffer.allocate((int) Math.max(rowBytes, Math.min(Npy.CHUNK, rowBytes * Math.max(1, rows)))).order(ByteOrder.LITTLE_ENDIAN);
            buf.limit(0);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The whole rows present. */
    public long rows() {
        return rows;
    }

    public int columns() {
        return columns;
    }

    /** Reads the next row into {@code row} (length {@link #columns()}). */
    public void next(double[] row) throws IOException {
        if (next >= rows) throw new IllegalStateException(path + ": no row " + next + " (" + rows + " rows)");
        int bytes = 8 * columns;
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

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
