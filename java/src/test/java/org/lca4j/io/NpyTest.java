package org.lca4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    static final long[][] SHAPES = {{}, {0}, {7}, {3, 4}, {2, 3, 5}, {0, 84060}};

    static int count(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return (int) n;
    }

    static void assertMessage(Exception e, String... parts) {
        for (String part : parts) assertTrue(e.getMessage().contains(part), () -> "'" + e.getMessage() + "' lacks '" + part + "'");
        assertFalse(e.getMessage().contains("\n"), "message should be one line");
    }

    NpyFormatException readFails(Path p) {
        return assertThrows(NpyFormatException.class, () -> Npy.read(p));
    }

    /** A .npy file with the given header dict, padded the way numpy pads. */
    Path rawNpy(String name, String dict, byte[] data) throws IOException {
        StringBuilder h = new StringBuilder(dict);
        while ((10 + h.length() + 1) % 64 != 0) h.append(' ');
        h.append('\n');
        ByteBuffer b = ByteBuffer.allocate(10 + h.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(NpyHeader.MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length());
        b.put(h.toString().getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return Files.write(dir.resolve(name), b.array());
    }

    @Test
    void roundTripsEveryDtypeAndShape() throws IOException {
        for (long[] shape : SHAPES) {
            int n = count(shape);
            float[] f = new float[n];
            double[] d = new double[n];
            int[] i = new int[n];
            long[] l = new long[n];
            for (int k = 0; k < n; k++) {
                f[k] = k * 0.5f - 3;
                d[k] = Math.PI * k - 1e300 * (k % 2);
                i[k] = k * 1_000_003 - 7;
                l[k] = k * 3_000_000_000_017L - 5;
            }
            String tag = Arrays.toString(shape);
            Path pf = dir.resolve("f.npy"), pd = dir.resolve("d.npy"), pi = dir.resolve("i.npy"), pl = dir.resolve("l.npy");
            Npy.write(pf, f, shape);
            Npy.write(pd, d, shape);
            Npy.write(pi, i, shape);
            Npy.write(pl, l, shape);
            NpyArray af = Npy.read(pf);
            assertEquals("<f4", af.descr(), tag);
            assertArrayEquals(shape, af.shape(), tag);
            assertArrayEquals(f, af.asFloats(), tag);
            assertEquals("<f8", Npy.read(pd).descr());
            assertArrayEquals(d, Npy.read(pd).asDoubles(), tag);
            assertArrayEquals(i, Npy.read(pi).asInts(), tag);
            assertArrayEquals(l, Npy.read(pl).asLongs(), tag);
            // The data must start on a 64-byte boundary, as numpy aligns it.
            assertEquals(0, (Files.size(pf) - 4L * n) % 64, tag);
            assertEquals(0, (Files.size(pi) - 4L * n) % 64, tag);
            assertEquals(0, (Files.size(pd) - 8L * n) % 64, tag);
            assertEquals(0, (Files.size(pl) - 8L * n) % 64, tag);
        }
    }

    @Test
    void headerIsWhatNumpyWrites() throws IOException {
        Path p = dir.resolve("z.npy");
        Npy.write(p, new float[6], 2, 3);
        byte[] bytes = Files.readAllBytes(p);
        assertEquals(128 + 24, bytes.length);
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        String expected = "\u0093NUMPY\u0001\u0000\u0076\u0000" + dict + " ".repeat(128 - 10 - dict.length() - 1) + "\n";
        assertEquals(expected, new String(bytes, 0, 128, StandardCharsets.ISO_8859_1));
        for (long[] shape : SHAPES) {
            int hlen = NpyHeader.encode("<f8", shape).length;
            assertEquals(0, hlen % 64, Arrays.toString(shape));
        }
        assertEquals("(5,)", NpyHeader.shapeString(new long[] {5}));
        assertEquals("()", NpyHeader.shapeString(new long[] {}));
    }

    @Test
    void writeChecksShapeAndLeavesNoTempFiles() throws IOException {
        Path p = dir.resolve("bad.npy");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.write(p, new float[5], 2, 3));
        assertMessage(e, "bad.npy", "(2, 3) holds 6 values but data has 5");
        Npy.write(p, new int[] {1, 2}, 2);
        Npy.write(p, new int[] {3, 4, 5}, 3);  // replaces the old file
        assertArrayEquals(new int[] {3, 4, 5}, Npy.read(p).asInts());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(p), files.toList());
        }
    }

    @Test
    void rowWriterClosedEarlyRewritesRowCount() throws IOException {
        Path p = dir.resolve("theta.npy");
        try (NpyRowWriter w = NpyRowWriter.open(p, "<f4", 100, 2, 3)) {
            for (int r = 0; r < 4; r++) {
                float[] row = new float[6];
                Arrays.fill(row, r);
                w.appendRow(row);
            }
            assertEquals(4, w.rowsWritten());
            assertMessage(assertThrows(IllegalArgumentException.class, () -> w.appendRow(new float[5])),
                    "theta.npy", "row has 5 values, expected 6");
        }
        NpyArray a = Npy.read(p);
        assertArrayEquals(new long[] {4, 2, 3}, a.shape());
        assertEquals(4, a.declaredRows());
        assertTrue(a.complete());
        assertEquals(NpyHeader.encode("<f4", new long[] {4, 2, 3}).length + 4 * 6 * 4, Files.size(p));
        float[] all = a.asFloats();
        for (int k = 0; k < all.length; k++) assertEquals(k / 6, all[k]);
    }

    @Test
    void rowWriterFullFileAnd2dRows() throws IOException {
        Path p = dir.resolve("full.npy");
        try (NpyRowWriter w = NpyRowWriter.open(p, "<f4", 3, 2)) {
            w.appendRow(new float[] {1, 2});
            w.appendRow(new float[] {3, 4});
            w.appendRow(new float[] {5, 6});
            assertThrows(IllegalStateException.class, () -> w.appendRow(new float[] {7, 8}));
        }
        NpyArray a = Npy.read(p);
        assertEquals(3, a.rows());
        assertArrayEquals(new float[] {3, 4}, a.floatRow(1));
        Path d = dir.resolve("doubles.npy");
        try (NpyRowWriter w = NpyRowWriter.open(d, "<f8", 5)) {
            w.appendRow(new double[] {0.1});
            w.appendRow(new float[] {0.5f});
        }
        assertArrayEquals(new double[] {0.1, 0.5}, Npy.read(d).asDoubles());
    }

    @Test
    void rowWriterTakesBackRowsWhetherFlushedOrStillBuffered() throws IOException {
        Path p = dir.resolve("rows.npy");
        try (NpyRowWriter w = NpyRowWriter.open(p, "<f4", 10, 2)) {
            for (int r = 0; r < 3; r++) w.appendRow(new float[] {r, r});
            w.flush();
            for (int r = 3; r < 6; r++) w.appendRow(new float[] {r, r}); // rows 3..5 only in the buffer
            w.truncateRows(4);                                             // keeps buffered row 3
            w.appendRow(new float[] {9, 9});
            w.flush();
            w.truncateRows(2);                                             // on disk only
            w.appendRow(new float[] {7, 7});
        }
        NpyArray a = Npy.read(p);
        assertArrayEquals(new long[] {3, 2}, a.shape());
        assertArrayEquals(new float[] {0, 0, 1, 1, 7, 7}, a.asFloats());
        try (NpyRowWriter w = NpyRowWriter.open(p, "<f4", 10, 2)) {
            w.appendRow(new float[] {1, 1});
            w.truncateRows(1);
            assertThrows(IllegalArgumentException.class, () -> w.truncateRows(2));
        }
        assertArrayEquals(new float[] {1, 1}, Npy.read(p).asFloats());
    }

    @Test
    void aStreamLeftOpenIsAWholeFileAfterEveryFlush() throws IOException {
        Path p = dir.resolve("theta.npy");
        NpyRowWriter w = NpyRowWriter.open(p, "<f4", 5, 4);
        // Never closed, as a run killed outright leaves it: what numpy.load sees is what the strict reader sees.
        assertEquals(0, Npy.read(p).rows(), "a fresh file counts no rows");
        for (int r = 0; r < 3; r++) w.appendRow(new float[] {r, r + 0.25f, r + 0.5f, r + 0.75f});
        w.flush();
        NpyArray a = Npy.read(p);
        assertArrayEquals(new long[] {3, 4}, a.shape());
        assertEquals(3, a.declaredRows());
        assertArrayEquals(new float[] {2, 2.25f, 2.5f, 2.75f}, a.floatRow(2));
        // A row cut by a kill, after the rows the header counts, is ignored by the row reader (and numpy).
        w.appendRow(new float[] {9, 9, 9, 9});
        try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE)) {
            ch.position(ch.size()).write(ByteBuffer.wrap(new byte[6]));
        }
        NpyArray rows = Npy.readRows(p);
        assertEquals(3, rows.rows());
        assertArrayEquals(a.floatRow(2), rows.floatRow(2));
        assertMessage(readFails(p), "theta.npy", "6 trailing bytes");
        w.truncateRows(2);
        assertEquals(2, Npy.read(p).rows(), "taking rows back takes back their count");
        w.close();
        assertEquals(2, Npy.read(p).rows());
    }

    @Test
    void aFileWhoseHeaderCountsMoreRowsThanArrivedIsReadRowByRow() throws IOException {
        // What a writer that states its planned rows up front leaves when it is killed (lca4j's did, before its header counted rows as they came).
        Path q = dir.resolve("partial.npy");
        ByteBuffer data = ByteBuffer.allocate(3 * 16 + 6).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 12; i++) data.putFloat(i);
        byte[] header = NpyHeader.encode("<f4", new long[] {5, 4});
        Files.write(q, ByteBuffer.allocate(header.length + data.capacity()).put(header).put(data.array()).array());
        NpyArray partial = Npy.readRows(q);
        assertEquals(3, partial.rows());
        assertEquals(5, partial.declaredRows());
        assertFalse(partial.complete());
        assertArrayEquals(new float[] {8, 9, 10, 11}, partial.floatRow(2));
        assertMessage(readFails(q), "partial.npy", "truncated: header says shape (5, 4) of <f4 = 80 bytes, file has 54");
    }

    @Test
    void aRowReaderReadsTheWholeRowsPresentThroughASmallBuffer() throws IOException {
        // 300,000 rows of 3: more than the reader's 1 MiB buffer holds, with a row cut by a kill at the end.
        Path p = dir.resolve("rows.npy");
        int rows = 300_000;
        NpyRowWriter w = NpyRowWriter.open(p, "<f8", rows + 10, 3);
        for (int t = 0; t < rows; t++) w.appendRow(new double[] {t, -t, t * 0.5});
        w.flush();
        Files.write(p, new byte[] {1, 2, 3, 4, 5}, java.nio.file.StandardOpenOption.APPEND);
        try (NpyRowReader r = new NpyRowReader(p)) {
            assertEquals(rows, r.rows());
            assertEquals(3, r.columns());
            double[] row = new double[3];
            for (int t = 0; t < rows; t++) {
                r.next(row);
                if (row[0] != t || row[1] != -t || row[2] != t * 0.5) throw new AssertionError("row " + t + ": " + java.util.Arrays.toString(row));
            }
            assertThrows(IllegalStateException.class, () -> r.next(row));
        }
        w.close();
        Path f4 = dir.resolve("f4.npy");
        Npy.write(f4, new float[] {1, 2}, 1, 2);
        try (NpyRowReader r = new NpyRowReader(f4)) {
            assertArrayEquals(new float[] {1, 2}, r.floatRow(0));
            assertMessage(assertThrows(NpyFormatException.class, () -> r.next(new double[2])), "f4.npy", "next reads <f8 rows, the file holds <f4");
        }
    }

    @Test
    void errorCasesNameTheFile() throws IOException {
        assertMessage(readFails(Files.write(dir.resolve("empty.npy"), new byte[0])), "empty.npy", "empty file");
        assertMessage(readFails(Files.write(dir.resolve("magic.npy"), "PK\u0003\u0004 not numpy".getBytes(StandardCharsets.ISO_8859_1))),
                "magic.npy", "bad magic");

        byte[] v3 = NpyHeader.encode("<f4", new long[] {1});
        v3[6] = 3;
        assertMessage(readFails(Files.write(dir.resolve("v3.npy"), v3)), "v3.npy", "unsupported .npy version 3.0");

        assertMessage(readFails(rawNpy("garbage.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3) oops }", new byte[24])),
                "garbage.npy", "unparsable header");
        assertMessage(readFails(rawNpy("nokeys.npy", "{'descr': '<f4'}", new byte[4])), "nokeys.npy", "unparsable header");
        assertMessage(readFails(rawNpy("fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", new byte[24])),
                "fortran.npy", "fortran_order True");
        assertMessage(readFails(rawNpy("u1.npy", "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", new byte[3])),
                "u1.npy", "unsupported descr '|u1'");
        assertMessage(readFails(rawNpy("big.npy", "{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }", new byte[12])),
                "big.npy", "big-endian descr '>f4'");
        assertMessage(readFails(rawNpy("struct.npy", "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,), }", new byte[12])),
                "struct.npy", "unsupported descr");
        assertMessage(readFails(rawNpy("trail.npy", "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", new byte[12])),
                "trail.npy", "4 trailing bytes");
        assertMessage(readFails(rawNpy("short.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (221, 84060), }", new byte[100])),
                "short.npy", "truncated: header says shape (221, 84060) of <f4 = 74309040 bytes, file has 100");
        assertMessage(assertThrows(NpyFormatException.class, () -> Npy.readRows(rawNpy("scalar.npy",
                "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", new byte[8]))), "scalar.npy", "at least one dimension");
    }

    @Test
    void readsVersion2AndPython2StyleHeaders() throws IOException {
        String dict = "{\"descr\": \"<i8\", \"shape\": (2L,), \"fortran_order\": False}";
        StringBuilder h = new StringBuilder(dict);
        while ((12 + h.length() + 1) % 64 != 0) h.append(' ');
        h.append('\n');
        ByteBuffer b = ByteBuffer.allocate(12 + h.length() + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(NpyHeader.MAGIC).put((byte) 2).put((byte) 0).putInt(h.length()).put(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        b.putLong(-9).putLong(1L << 40);
        Path p = Files.write(dir.resolve("v2.npy"), b.array());
        NpyArray a = Npy.read(p);
        assertArrayEquals(new long[] {-9, 1L << 40}, a.asLongs());
        assertThrows(IllegalStateException.class, a::asInts);  // 2^40 does not fit
        assertThrows(IllegalStateException.class, a::asFloats);
    }

    @Test
    void numpyReadsOurFilesAndWeReadNumpys() throws Exception {
        Assumptions.assumeTrue(python("import numpy").exit == 0, "python3 with numpy not available");
        Path f = dir.resolve("ours.npy");
        float[] data = new float[2 * 3 * 4];
        for (int k = 0; k < data.length; k++) data[k] = k * 0.5f;
        Npy.write(f, data, 2, 3, 4);
        Py r = python("import numpy as np, sys; a = np.load(sys.argv[1]); print(a.dtype, a.shape, float(a.sum()), float(a[1, 2, 3]))", f.toString());
        assertEquals(0, r.exit, r.out);
        assertEquals("float32 (2, 3, 4) 138.0 11.5", r.out.strip());

        // Streamed and closed early: numpy must accept the rewritten header too.
        Path s = dir.resolve("stream.npy");
        try (NpyRowWriter w = NpyRowWriter.open(s, "<f4", 1000, 3)) {
            w.appendRow(new float[] {1, 2, 3});
            w.appendRow(new float[] {4, 5, 6});
        }
        r = python("import numpy as np, sys; a = np.load(sys.argv[1]); print(a.shape, float(a.sum()))", s.toString());
        assertEquals("(2, 3) 21.0", r.out.strip());

        // Flushed and never closed, with a row cut after it: what a kill -9 leaves. numpy reads the counted rows.
        Path killed = dir.resolve("killed.npy");
        NpyRowWriter w = NpyRowWriter.open(killed, "<f4", 1000, 3);
        w.appendRow(new float[] {1, 2, 3});
        w.appendRow(new float[] {4, 5, 6});
        w.flush();
        try (var ch = java.nio.channels.FileChannel.open(killed, java.nio.file.StandardOpenOption.WRITE)) {
            ch.position(ch.size()).write(ByteBuffer.wrap(new byte[7]));
        }
        r = python("import numpy as np, sys; a = np.load(sys.argv[1]); print(a.shape, float(a.sum()))", killed.toString());
        assertEquals("(2, 3) 21.0", r.out.strip(), r.out);
        w.close();

        // Byte-identical to np.save for several shapes and dtypes.
        String[] cases = {"f4:", "f4:5", "f8:3,4", "i4:2,3,5", "i8:0,7", "f4:12345678901,0"};
        for (String c : cases) {
            String[] parts = c.split(":");
            long[] shape = parts.length < 2 || parts[1].isEmpty() ? new long[0]
                    : Arrays.stream(parts[1].split(",")).mapToLong(Long::parseLong).toArray();
            Path ours = dir.resolve("o.npy"), theirs = dir.resolve("t.npy");
            int n = count(shape);
            switch (parts[0]) {
                case "f4" -> Npy.write(ours, new float[n], shape);
                case "f8" -> Npy.write(ours, new double[n], shape);
                case "i4" -> Npy.write(ours, new int[n], shape);
                default -> Npy.write(ours, new long[n], shape);
            }
            r = python("import numpy as np, sys; np.save(sys.argv[1], np.zeros(tuple(int(x) for x in sys.argv[3].split(',') if x), dtype='<' + sys.argv[2]))",
                    theirs.toString(), parts[0], parts.length < 2 ? "" : parts[1]);
            assertEquals(0, r.exit, r.out);
            assertArrayEquals(Files.readAllBytes(theirs), Files.readAllBytes(ours), c);
            NpyArray back = Npy.read(theirs);
            assertArrayEquals(shape, back.shape(), c);
        }
    }

    record Py(int exit, String out) {}

    static Py python(String code, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("python3", "-c", code));
        cmd.addAll(List.of(args));
        Process proc;
        try {
            proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Py(-1, e.getMessage());
        }
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!proc.waitFor(60, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
            return new Py(-1, "timeout");
        }
        return new Py(proc.exitValue(), out);
    }

    @Test
    void int64LabelsThatFitAnIntAreReadAsInts() throws IOException {
        Path p = dir.resolve("labels64.npy");
        Npy.write(p, new long[] {0, 100_000, -70_000, Integer.MAX_VALUE, Integer.MIN_VALUE}, 5);
        assertArrayEquals(new int[] {0, 100_000, -70_000, Integer.MAX_VALUE, Integer.MIN_VALUE}, Npy.read(p).asInts());
        Npy.write(p, new long[] {1L + Integer.MAX_VALUE}, 1);
        assertThrows(IllegalStateException.class, () -> Npy.read(p).asInts());
    }
}
