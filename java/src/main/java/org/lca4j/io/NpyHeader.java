package org.lca4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Encodes and parses the .npy preamble: magic, version, header length and the python-dict header. */
final class NpyHeader {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    // numpy reserves this many digits for the first axis so a file can grow in place; we rely on the
    // same slack to rewrite the row count when a streamed file is closed early.
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    /** Parsed header: where the data starts and what it holds. */
    record Parsed(NpyDtype dtype, long[] shape, long dataOffset) {}

    private NpyHeader() {}

    /** The preamble numpy's {@code np.save} writes for this array, byte for byte (version 1.0). */
    static byte[] encode(String descr, long[] shape) {
        StringBuilder h = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': ")
                .append(shapeString(shape)).append(", }");
        if (shape.length > 0) h.repeat(' ', GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length());
        int hlen = h.length() + 1;  // + the closing '\n'
        // numpy pads a full extra block when already aligned; matching it keeps files byte-identical.
        int pad = ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ALIGN);
        h.repeat(' ', pad).append('\n');
        if (h.length() > 0xffff) throw new IllegalArgumentException("header for shape " + shapeString(shape) + " exceeds 65535 bytes");
        byte[] text = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
        return b.array();
    }

    /** Python's repr of a shape tuple: {@code ()}, {@code (5,)}, {@code (2, 3)}. */
    static String shapeString(long[] shape) {
        if (shape.length == 1) return "(" + shape[0] + ",)";
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) s.append(", ");
            s.append(shape[i]);
        }
        return s.append(')').toString();
    }

    static Parsed read(Path p, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size == 0) throw new NpyFormatException(p + ": empty file");
        ByteBuffer pre = readAt(ch, 0, (int) Math.min(12, size));
        for (int i = 0; i < MAGIC.length; i++) {
            if (i >= pre.limit() || pre.get(i) != MAGIC[i]) throw new NpyFormatException(p + ": not a .npy file: bad magic");
        }
        if (pre.limit() < 10) throw new NpyFormatException(p + ": truncated: file ends inside the .npy preamble");
        int major = pre.get(6) & 0xff, minor = pre.get(7) & 0xff;
        long hlen;
        int prefix;
        if (major == 1 && minor == 0) {
            hlen = pre.getShort(8) & 0xffff;
            prefix = 10;
        } else if (major == 2 && minor == 0) {
            if (pre.limit() < 12) throw new NpyFormatException(p + ": truncated: file ends inside the .npy preamble");
            hlen = pre.getInt(8) & 0xffffffffL;
            prefix = 12;
        } else {
            throw new NpyFormatException(p + ": unsupported .npy version " + major + "." + minor + " (supported: 1.0, 2.0)");
        }
        if (prefix + hlen > size) {
            throw new NpyFormatException(p + ": truncated: header length " + hlen + " but file has " + size + " bytes");
        }
        if (hlen > 1 << 20) throw new NpyFormatException(p + ": header length " + hlen + " is implausibly large");
        ByteBuffer hb = readAt(ch, prefix, (int) hlen);
        String text = new String(hb.array(), 0, hb.limit(), StandardCharsets.ISO_8859_1);
        Map<String, Object> dict = parseDict(p, text);
        Object descr = dict.get("descr");
        Object fortran = dict.get("fortran_order");
        Object shape = dict.get("shape");
        if (descr == null || fortran == null || shape == null) {
            throw new NpyFormatException(p + ": unparsable header: needs keys 'descr', 'fortran_order' and 'shape', got " + dict.keySet());
        }
        if (!(descr instanceof String d)) {
            throw new NpyFormatException(p + ": unsupported descr " + descr + " (structured dtypes are not supported; supported: " + NpyDtype.SUPPORTED + ")");
        }
        if (!(fortran instanceof Boolean f)) throw new NpyFormatException(p + ": unparsable header: fortran_order is " + fortran);
        if (f) throw new NpyFormatException(p + ": fortran_order True is not supported; save with np.ascontiguousarray first");
        if (!(shape instanceof Tuple(List<Object> items))) throw new NpyFormatException(p + ": unparsable header: shape is not a tuple");
        long[] dims = new long[items.size()];
        for (int i = 0; i < dims.length; i++) {
            if (!(items.get(i) instanceof Long v) || v < 0) {
                throw new NpyFormatException(p + ": unparsable header: bad shape entry " + items.get(i));
            }
            dims[i] = v;
        }
        if (d.length() > 1 && d.charAt(0) == '>') {
            throw new NpyFormatException(p + ": big-endian descr '" + d + "' is not supported; convert with a.astype('<" + d.substring(1) + "')");
        }
        NpyDtype dtype = NpyDtype.of(d);
        if (dtype == null) throw new NpyFormatException(p + ": unsupported descr '" + d + "' (supported: " + NpyDtype.SUPPORTED + ")");
        return new Parsed(dtype, dims, prefix + hlen);
    }

    static ByteBuffer readAt(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) break;
        }
        return b.flip();
    }

    // --- a small parser for the python literal subset numpy writes ---

    private record Tuple(List<Object> items) {}

    private static Map<String, Object> parseDict(Path p, String text) throws NpyFormatException {
        Parser ps = new Parser(p, text);
        Object v = ps.value();
        ps.skipWs();
        if (ps.pos != text.length()) ps.fail("unexpected text after the dict");
        if (!(v instanceof Map<?, ?> m)) throw ps.error("header is not a dict");
        @SuppressWarnings("unchecked")
        Map<String, Object> dict = (Map<String, Object>) m;
        return dict;
    }

    private static final class Parser {
        final Path p;
        final String s;
        int pos;

        Parser(Path p, String s) {
            this.p = p;
            this.s = s;
        }

        void skipWs() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        NpyFormatException error(String what) {
            String shown = s.strip();
            if (shown.length() > 200) shown = shown.substring(0, 200) + "...";
            return new NpyFormatException(p + ": unparsable header: " + what + " at offset " + pos + " in " + shown);
        }

        void fail(String what) throws NpyFormatException {
            throw error(what);
        }

        Object value() throws NpyFormatException {
            skipWs();
            if (pos >= s.length()) fail("unexpected end");
            char c = s.charAt(pos);
            if (c == '{') return dict();
            if (c == '(') return new Tuple(sequence('(', ')'));
            if (c == '[') return sequence('[', ']');
            if (c == '\'' || c == '"') return string();
            if (c == '-' || Character.isDigit(c)) return integer();
            if (s.startsWith("True", pos)) { pos += 4; return Boolean.TRUE; }
            if (s.startsWith("False", pos)) { pos += 5; return Boolean.FALSE; }
            if (s.startsWith("None", pos)) { pos += 4; return "None"; }
            throw error("unexpected character '" + c + "'");
        }

        Map<String, Object> dict() throws NpyFormatException {
            Map<String, Object> m = new LinkedHashMap<>();
            pos++;  // '{'
            while (true) {
                skipWs();
                if (pos < s.length() && s.charAt(pos) == '}') { pos++; return m; }
                Object k = value();
                if (!(k instanceof String key)) throw error("dict key is not a string");
                skipWs();
                expect(':');
                m.put(key, value());
                skipWs();
                if (pos < s.length() && s.charAt(pos) == ',') pos++;
                else if (pos >= s.length() || s.charAt(pos) != '}') fail("expected ',' or '}'");
            }
        }

        List<Object> sequence(char open, char close) throws NpyFormatException {
            List<Object> items = new ArrayList<>();
            pos++;  // open
            while (true) {
                skipWs();
                if (pos < s.length() && s.charAt(pos) == close) { pos++; return items; }
                items.add(value());
                skipWs();
                if (pos < s.length() && s.charAt(pos) == ',') pos++;
                else if (pos >= s.length() || s.charAt(pos) != close) fail("expected ',' or '" + close + "'");
            }
        }

        String string() throws NpyFormatException {
            char q = s.charAt(pos++);
            int end = s.indexOf(q, pos);
            if (end < 0) fail("unterminated string");
            String v = s.substring(pos, end);
            pos = end + 1;
            return v;
        }

        Long integer() throws NpyFormatException {
            int start = pos;
            if (s.charAt(pos) == '-') pos++;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
            try {
                long v = Long.parseLong(s.substring(start, pos));
                if (pos < s.length() && s.charAt(pos) == 'L') pos++;  // python 2 long literal, seen in old files
                return v;
            } catch (NumberFormatException e) {
                pos = start;
                throw error("bad integer");
            }
        }

        void expect(char c) throws NpyFormatException {
            if (pos >= s.length() || s.charAt(pos) != c) fail("expected '" + c + "'");
            pos++;
        }
    }
}
