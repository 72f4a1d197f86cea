package org.lca4j.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A CSV file written a step at a time: each step's rows go to the OS in one write, so a killed run
 * loses at most the step in flight, and a step that fails (a full disk) or is taken back is cut off
 * again, so the file always ends with a whole row.
 */
final class RowAppender implements AutoCloseable {
    private final FileChannel ch;
    private long size;

    private RowAppender(FileChannel ch) {
        this.ch = ch;
    }

    /** Creates or truncates the file and writes its header line. */
    static RowAppender create(Path file, String header) throws IOException {
        RowAppender a = new RowAppender(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE));
        try {
            a.append(header);
        } catch (IOException e) {
            a.close();
            throw e;
        }
        return a;
    }

    /** Appends whole lines; if the write fails, what it wrote is removed before the error is passed on. */
    void append(CharSequence lines) throws IOException {
        ByteBuffer b = StandardCharsets.UTF_8.encode(lines.toString());
        try {
            while (b.hasRemaining()) ch.write(b, size + b.position());
        } catch (IOException e) {
            try {
                rollback(size);
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        size += b.limit();
    }

    /** The file's length after the last whole append, for {@link #rollback}. */
    long mark() {
        return size;
    }

    /** Removes everything appended after {@code mark}. */
    void rollback(long mark) throws IOException {
        ch.truncate(mark);
        size = mark;
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
