package org.lca4j.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST distribution format), raw or gzipped.
 *
 * <p>Only unsigned-byte data (type 0x08) is accepted: that is all MNIST-style data sets use, and
 * refusing the rest beats silently misreading it.
 */
public final class IdxReader {
    private static final int UBYTE = 0x08;
    private static final int IMAGE_MAGIC = 0x00000803;
    private static final int LABEL_MAGIC = 0x00000801;
    // The JVM refuses arrays a few elements short of Integer.MAX_VALUE.
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private IdxReader() {}

    public static IdxImages readImages(Path file) throws IOException {
        try (InputStream in = open(file)) {
            int[] dims = header(file, in, IMAGE_MAGIC, "image");
            byte[] pixels = body(file, in, dims);
            return new IdxImages(dims[0], dims[1], dims[2], pixels);
        } catch (ZipException | EOFException e) {
            throw corrupt(file, e);
        }
    }

    public static IdxLabels readLabels(Path file) throws IOException {
        try (InputStream in = open(file)) {
            int[] dims = header(file, in, LABEL_MAGIC, "label");
            return new IdxLabels(dims[0], body(file, in, dims));
        } catch (ZipException | EOFException e) {
            throw corrupt(file, e);
        }
    }

    /** Sniffs the gzip magic rather than trusting the file name: mirrors often gunzip without renaming. */
    private static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            if (b0 < 0) throw new IdxFormatException(file + ": empty file");
            if (b0 == 0x1f && b1 == 0x8b) return new GZIPInputStream(raw, 1 << 16);
            return raw;
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static IdxFormatException corrupt(Path file, IOException e) {
        return new IdxFormatException(file + ": corrupt gzip stream: " + e.getMessage(), e);
    }

    private static int[] header(Path file, InputStream in, int expectedMagic, String kind) throws IOException {
        byte[] m = in.readNBytes(4);
        if (m.length == 0) throw new IdxFormatException(file + ": empty file");
        if (m.length < 4) throw new IdxFormatException(file + ": truncated: " + m.length + " bytes, too short for an IDX magic number");
        int magic = ((m[0] & 0xff) << 24) | ((m[1] & 0xff) << 16) | ((m[2] & 0xff) << 8) | (m[3] & 0xff);
        if (m[0] != 0 || m[1] != 0) {
            throw new IdxFormatException(file + ": not an IDX file: magic " + hex(magic) + ", expected " + hex(expectedMagic));
        }
        int type = m[2] & 0xff;
        if (type != UBYTE) {
            throw new IdxFormatException(file + ": unsupported IDX element type 0x" + String.format("%02x", type)
                    + " (only 0x08, unsigned byte, is supported)");
        }
        if (magic != expectedMagic) {
            throw new IdxFormatException(file + ": not an IDX " + kind + " file: magic " + hex(magic) + ", expected " + hex(expectedMagic));
        }
        int ndim = m[3] & 0xff;
        byte[] d = in.readNBytes(4 * ndim);
        if (d.length < 4 * ndim) {
            throw new IdxFormatException(file + ": truncated: header declares " + ndim + " dimensions but ends after "
                    + (4 + d.length) + " bytes");
        }
        int[] dims = new int[ndim];
        long total = 1;
        for (int i = 0; i < ndim; i++) {
            dims[i] = ((d[4 * i] & 0xff) << 24) | ((d[4 * i + 1] & 0xff) << 16) | ((d[4 * i + 2] & 0xff) << 8) | (d[4 * i + 3] & 0xff);
            if (dims[i] < 0) {
                throw new IdxFormatException(file + ": negative dimension in header " + shape(dims, i + 1));
            }
            total *= dims[i];  // each factor < 2^31 and total kept <= MAX_ARRAY, so this cannot overflow
            if (total > MAX_ARRAY) {
                throw new IdxFormatException(file + ": absurd dimensions " + shape(dims, i + 1)
                        + ": more bytes than a Java array can hold");
            }
        }
        return dims;
    }

    private static byte[] body(Path file, InputStream in, int[] dims) throws IOException {
        long total = 1;
        for (int dim : dims) total *= dim;
        byte[] data = in.readNBytes((int) total);
        if (data.length < total) {
            throw new IdxFormatException(file + ": truncated: header promises " + shape(dims, dims.length) + " = " + total
                    + " bytes of data, file has " + data.length);
        }
        if (in.read() >= 0) {
            long extra = 1 + in.transferTo(OutputStream.nullOutputStream());
            throw new IdxFormatException(file + ": " + extra + " trailing bytes after the " + total
                    + " bytes of data promised by header " + shape(dims, dims.length));
        }
        return data;
    }

    private static String shape(int[] dims, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) s.append('x');
            s.append(dims[i]);
        }
        return s.toString();
    }

    private static String hex(int v) {
        return String.format("0x%08x", v);
    }
}
