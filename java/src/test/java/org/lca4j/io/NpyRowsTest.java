package org.lca4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The row streams' edges: rows the header does not count, rows wider than a buffer, and a writer's count going back to 0. */
class NpyRowsTest {
    @TempDir
    Path dir;

    private static float[] row(int r) {
        return new float[] {r, r + 0.5f};
    }

    @Test
    void aRowReaderTakesOnlyTheRowsTheHeaderCountsEvenWhenMoreAreWhole() throws IOException {
        // A kill between a row and its count leaves a whole row after the counted ones: numpy reads 3 rows, so does the reader.
        Path p = dir.resolve("theta.npy");
        try (NpyRowWriter w = NpyRowWriter.open(p, "<f4", 10, 2)) {
            for (int r = 0; r < 3; r++) w.appendRow(row(r));
        }
        ByteBuffer uncounted = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(7).putFloat(7);
        Files.write(p, uncounted.array(), StandardOpenOption.APPEND);
        try (NpyRowReader r = new NpyRowReader(p)) {
            assertEquals(3, r.rows());
            assertEquals(3, r.declaredRows());
            assertArrayEquals(new long[] {3, 2}, r.shape());
            assertArrayEquals(row(2), r.floatRow(2));
            assertThrows(IndexOutOfBoundsException.class, () -> r.floatRow(3));
            assertThrows(IndexOutOfBoundsException.class, () -> r.floatRow(-1));
        }
    }

    @Test
    void aRowWiderThanTheReadBufferIsReadWhole() throws IOException {
        int columns = Npy.CHUNK / 8 + 3;
        Path p = dir.resolve("wide.npy");
        double[] a = new double[columns], b = new double[columns];
        for (int i = 0; i < columns; i++) {
            a[i] = i;
            b[i] = -i;
        }
        try (NpyRowWriter w = NpyRowWriter.open(p, "<f8", 2, columns)) {
            w.appendRow(a);
            w.appendRow(b);
        }
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (NpyRowReader r = new NpyRowReader(p)) {
                double[] got = new double[columns];
                r.next(got);
                assertArrayEquals(a, got);
                r.next(got);
                assertArrayEquals(b, got);
            }
        });
    }

    @Test
    void rowsTooLongForOneArrayAreRefusedByName() throws IOException {
        Path p = Files.write(dir.resolve("long.npy"), NpyHeader.encode("<f8", new long[] {1, 300_000_000}));
        NpyTest.assertMessage(assertThrows(NpyFormatException.class, () -> new NpyRowReader(p)), "long.npy", "rows of 300000000 values are too long");
    }

    @Test
    void takingBackEveryRowLeavesAHeaderThatCountsNone() throws IOException {
        Path p = dir.resolve("rows.npy");
        NpyRowWriter w = NpyRowWriter.open(p, "<f4", 10, 2);
        for (int r = 0; r < 3; r++) w.appendRow(row(r));
        w.flush();
        assertEquals(3, Npy.read(p).rows());
        w.truncateRows(0);
        assertEquals(0, Npy.read(p).rows(), "as a kill now would leave it");
        w.close();
        assertEquals(0, Npy.read(p).rows());
    }

    /** A disk of {@code blocks} blocks of 256 bytes, all but {@code freeBlocks} of them taken by /filler. */
    private static FileSystem disk(int blocks, int freeBlocks) throws IOException {
        FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder().setBlockSize(256).setMaxSize(256L * blocks).build());
        Files.write(fs.getPath("/filler"), new byte[256 * (blocks - freeBlocks)]);
        return fs;
    }

    @Test
    void aWriterClosedAfterAFailedFlushWritesTheRowsItHeldOnceThereIsRoom() throws IOException {
        try (FileSystem fs = disk(64, 4)) {
            Path filler = fs.getPath("/filler");
            Path p = fs.getPath("/rows.npy");
            NpyRowWriter w = NpyRowWriter.open(p, "<f4", 10_000, 2);
            IOException full = null;
            for (int r = 0; r < 10_000 && full == null; r++) {
                w.appendRow(row(r));
                try {
                    w.flush();
                } catch (IOException e) {
                    full = e;
                }
            }
            if (full == null) throw new AssertionError("the disk never filled");
            long rows = w.rowsWritten();
            Files.delete(filler); // room again, as RunRecorder gives back its reserve before closing
            w.close();
            NpyArray a = Npy.read(p);
            assertEquals(rows, a.rows(), "every row appended, the one whose flush failed too");
            for (int r = 0; r < rows; r++) assertArrayEquals(row(r), a.floatRow(r), "row " + r);
        }
    }

    @Test
    void anAppendThatFailsMidRowLeavesNoPartOfItAfterClose() throws IOException {
        // The 1 MiB buffer drains with fewer than 8 bytes left: after 262,143 floats, 3 floats into a row of 5.
        try (FileSystem fs = disk(3 * 4096, 2048)) {
            Path p = fs.getPath("/rows.npy");
            NpyRowWriter w = NpyRowWriter.open(p, "<f4", 1_000_000, 5);
            IOException full = null;
            for (int r = 0; r < 1_000_000 && full == null; r++) {
                try {
                    w.appendRow(new float[] {r, -r, 0.5f * r, 1, 2});
                } catch (IOException e) {
                    full = e;
                }
            }
            if (full == null) throw new AssertionError("the disk never filled");
            long rows = w.rowsWritten();
            Files.delete(fs.getPath("/filler"));
            w.close();
            NpyArray a = Npy.read(p);
            assertEquals(rows, a.rows(), "the rows appended whole, no part of the one that failed");
            assertEquals(262_143 / 5, rows);
            assertArrayEquals(new float[] {rows - 1, 1 - rows, 0.5f * (rows - 1), 1, 2}, a.floatRow(rows - 1));
        }
    }
}
