package org.lca4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Streams rows into a .npy file of shape {@code (plannedRows, rowShape...)}, e.g. one parameter
 * vector per training step.
 *
 * <p>The header's row count follows the rows handed to the OS: {@link #flush()} writes the rows, then
 * rewrites the count in place (the header is padded to a fixed length, so only those bytes change).
 * A run killed outright (SIGKILL, a crash) therefore leaves a file that {@code numpy.load} and
 * {@link Npy#read} accept as it stands, holding every row flushed before the kill; a kill between a
 * row and its count leaves bytes after the counted rows, which numpy and {@link Npy#readRows} ignore.
 * More than {@code plannedRows} rows are refused. Not thread-safe.
 */
public final class NpyRowWriter implements AutoCloseable {
    private final Path path;
    private final FileChannel ch;
    private final NpyDtype dtype;
    private final long[] rowShape;
    private final long plannedRows;
    private final int rowValues;
    private final int headerLength;
    private final ByteBuffer buf;
    private long rows;
    /** The row count the header on disk states. */
    private long headerRows;
    private boolean closed;

    private NpyRowWriter(Path path, FileChannel ch, NpyDtype dtype, long plannedRows, long[] rowShape, int rowValues, int headerLength) {
        this.path = path;
        this.ch = ch;
        this.dtype = dtype;
        this.plannedRows = plannedRows;
        this.rowShape = rowShape;
        this.rowValues = rowValues;
        this.headerLength = headerLength;
        this.buf = ByteBuffer.allocate(Npy.CHUNK).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Creates or truncates {@code p}; {@code descr} is {@code "<f4"} or {@code "<f8"}. */
    public static NpyRowWriter open(Path p, String descr, long plannedRows, long... rowShape) throws IOException {
        NpyDtype dtype = NpyDtype.require(descr);
        if (dtype != NpyDtype.F4 && dtype != NpyDtype.F8) {
            throw new IllegalArgumentException(p + ": NpyRowWriter writes <f4 or <f8, not " + descr);
        }
        if (plannedRows < 0) throw new IllegalArgumentException(p + ": plannedRows must be >= 0, got " + plannedRows);
        long values = 1;
        for (long d : rowShape) {
            if (d < 0) throw new IllegalArgumentException(p + ": negative dimension in row shape " + NpyHeader.shapeString(rowShape));
            values = Math.multiplyExact(values, d);
        }
        if (values > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(p + ": row shape " + NpyHeader.shapeString(rowShape) + " is too large for a Java array");
        }
        byte[] header = NpyHeader.encode(dtype.descr, fullShape(0, rowShape));
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        try {
            Npy.writeFully(ch, ByteBuffer.wrap(header));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new NpyRowWriter(p, ch, dtype, plannedRows, rowShape.clone(), (int) values, header.length);
    }

    public void appendRow(float[] row) throws IOException {
        checkRow(row.length);
        for (float v : row) {
            if (buf.remaining() < 8) drain();
            if (dtype == NpyDtype.F4) buf.putFloat(v); else buf.putDouble(v);
        }
        rows++;
    }

    /** For {@code <f8} files only: narrowing to {@code <f4} silently would lose precision. */
    public void appendRow(double[] row) throws IOException {
        if (dtype != NpyDtype.F8) throw new IllegalArgumentException(path + ": appendRow(double[]) on a " + dtype.descr + " file");
        checkRow(row.length);
        for (double v : row) {
            if (buf.remaining() < 8) drain();
            buf.putDouble(v);
        }
        rows++;
    }

    /** Hands every buffered row to the OS, then the header's count: a reader (or a kill) sees all rows appended so far. */
    public void flush() throws IOException {
        ensureOpen();
        drain();
        writeCount(rows);
    }

    /**
     * Drops every row after the first {@code keep}, on disk too: how a caller takes back the rows of
     * a step it could not finish writing (a full disk), so the file keeps whole steps only.
     */
    public void truncateRows(long keep) throws IOException {
        ensureOpen();
        if (keep < 0 || keep > rows) throw new IllegalArgumentException(path + ": cannot keep " + keep + " of " + rows + " rows");
        long end = headerLength + keep * rowValues * dtype.size, onDisk = ch.position();
        // The buffer holds the bytes that follow onDisk: kept rows still in it go to disk, only what follows them is dropped.
        buf.position((int) Math.max(0, end - onDisk));
        rows = keep;
        drain();
        ch.truncate(end);
        writeCount(keep);
    }

    public long rowsWritten() {
        return rows;
    }

    public long plannedRows() {
        return plannedRows;
    }

    public Path path() {
        return path;
    }

    /** Flushes, drops anything after the last whole row and leaves the header counting the rows written. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        try (ch) {
            drain();
            // Drops a partial row left by a failed append, so the file stays well formed.
            ch.truncate(headerLength + rows * rowValues * dtype.size);
            writeCount(rows);
        }
    }

    /** Rewrites the header's row count in place; called after the rows it counts are written. */
    private void writeCount(long n) throws IOException {
        if (n == headerRows) return;
        byte[] header = NpyHeader.encode(dtype.descr, fullShape(n, rowShape));
        // Cannot happen: numpy's padding reserves 21 digits for the first dimension.
        if (header.length != headerLength) {
            throw new IllegalStateException(path + ": rewritten header is " + header.length + " bytes, was " + headerLength);
        }
        ByteBuffer b = ByteBuffer.wrap(header);
        while (b.hasRemaining()) ch.write(b, b.position());
        headerRows = n;
    }

    private void checkRow(int length) {
        ensureOpen();
        if (length != rowValues) {
            throw new IllegalArgumentException(path + ": row has " + length + " values, expected " + rowValues
                    + " (row shape " + NpyHeader.shapeString(rowShape) + ")");
        }
        if (rows >= plannedRows) throw new IllegalStateException(path + ": all " + plannedRows + " planned rows already written");
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException(path + ": writer is closed");
    }

    /**
     * Writes the buffer out. What a failed write (a full disk) did not write stays queued, first in
     * the buffer, so a later flush, truncateRows or close writes it after what did reach the disk.
     */
    private void drain() throws IOException {
        buf.flip();
        try {
            Npy.writeFully(ch, buf);
        } finally {
            buf.compact();
        }
    }

    private static long[] fullShape(long rows, long[] rowShape) {
        long[] shape = new long[rowShape.length + 1];
        shape[0] = rows;
        System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
        return shape;
    }
}
