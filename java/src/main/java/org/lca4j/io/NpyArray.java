package org.lca4j.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A C-ordered array read from a .npy file.
 *
 * @param descr        numpy dtype string, one of {@code <f4 <f8 <i4 <i8}
 * @param shape        the dimensions actually present; {@code shape[0]} may be below {@code declaredRows}
 *                     for a file read with {@link Npy#readRows} while still being written
 * @param data         the elements, little-endian; each call returns a fresh view positioned at 0
 * @param declaredRows the first dimension the header declared (for 0-D arrays: 1)
 */
public record NpyArray(String descr, long[] shape, ByteBuffer data, long declaredRows) {
    public NpyArray {
        NpyDtype dtype = NpyDtype.require(descr);
        shape = shape.clone();
        long count = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + NpyHeader.shapeString(shape));
            count = Math.multiplyExact(count, d);
        }
        if (Math.multiplyExact(count, dtype.size) != data.remaining()) {
            throw new IllegalArgumentException("data has " + data.remaining() + " bytes, shape " + NpyHeader.shapeString(shape)
                    + " of " + descr + " needs " + count * dtype.size);
        }
        long rows = shape.length == 0 ? 1 : shape[0];
        if (declaredRows < rows) throw new IllegalArgumentException("declaredRows " + declaredRows + " < rows present " + rows);
        data = data.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A complete array: declared rows equal present rows. */
    public NpyArray(String descr, long[] shape, ByteBuffer data) {
        this(descr, shape, data, shape.length == 0 ? 1 : shape[0]);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public ByteBuffer data() {
        // duplicate() resets the order to big-endian, hence the explicit order().
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    public int ndim() {
        return shape.length;
    }

    /** Number of elements present. */
    public long size() {
        return data.remaining() / dtype().size;
    }

    /** {@code shape[0]}: the rows present. */
    public long rows() {
        if (shape.length == 0) throw new IllegalStateException("0-D array has no rows");
        return shape[0];
    }

    /** Whether all rows the header declared are present. */
    public boolean complete() {
        return shape.length == 0 || shape[0] == declaredRows;
    }

    public float[] asFloats() {
        requireDescr("asFloats", "<f4");
        float[] out = new float[count()];
        data().asFloatBuffer().get(out);
        return out;
    }

    /** Accepts {@code <f8}, and {@code <f4} widened exactly. */
    public double[] asDoubles() {
        double[] out = new double[count()];
        switch (dtype()) {
            case F8 -> data().asDoubleBuffer().get(out);
            case F4 -> {
                ByteBuffer b = data();
                for (int i = 0; i < out.length; i++) out[i] = b.getFloat(4 * i);
            }
            default -> throw wrongDescr("asDoubles", "<f8 or <f4");
        }
        return out;
    }

    /** Accepts {@code <i4}, and {@code <i8} when every value fits in an int. */
    public int[] asInts() {
        int[] out = new int[count()];
        switch (dtype()) {
            case I4 -> data().asIntBuffer().get(out);
            case I8 -> {
                ByteBuffer b = data();
                for (int i = 0; i < out.length; i++) {
                    long v = b.getLong(8 * i);
                    if (v != (int) v) throw new IllegalStateException("asInts: <i8 value " + v + " at index " + i + " does not fit in an int");
                    out[i] = (int) v;
                }
            }
            default -> throw wrongDescr("asInts", "<i4 or <i8");
        }
        return out;
    }

    /** Accepts {@code <i8}, and {@code <i4} widened. */
    public long[] asLongs() {
        long[] out = new long[count()];
        switch (dtype()) {
            case I8 -> data().asLongBuffer().get(out);
            case I4 -> {
                ByteBuffer b = data();
                for (int i = 0; i < out.length; i++) out[i] = b.getInt(4 * i);
            }
            default -> throw wrongDescr("asLongs", "<i8 or <i4");
        }
        return out;
    }

    /** Row {@code r} of a 2-D {@code <f4} array. */
    public float[] floatRow(long r) {
        requireDescr("floatRow", "<f4");
        if (shape.length != 2) throw new IllegalStateException("floatRow needs a 2-D array, shape is " + NpyHeader.shapeString(shape));
        if (r < 0 || r >= shape[0]) throw new IndexOutOfBoundsException("row " + r + " outside [0, " + shape[0] + ")");
        if (shape[1] > Integer.MAX_VALUE) throw new IllegalStateException("row of " + shape[1] + " values is too long for a Java array");
        float[] out = new float[(int) shape[1]];
        ByteBuffer b = data();
        // position in bytes; fits in int because the whole buffer does
        b.position((int) (r * shape[1] * 4));
        b.asFloatBuffer().get(out);
        return out;
    }

    /** Value equality: same descr, shape, declared rows and bytes (records compare arrays by identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray a && a.descr.equals(descr) && Arrays.equals(a.shape, shape)
                && a.declaredRows == declaredRows && a.data.equals(data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(descr, Arrays.hashCode(shape), declaredRows, data);
    }

    @Override
    public String toString() {
        return "NpyArray[" + descr + " " + NpyHeader.shapeString(shape)
                + (complete() ? "" : ", " + declaredRows + " rows declared") + "]";
    }

    private NpyDtype dtype() {
        return NpyDtype.require(descr);
    }

    private int count() {
        long n = size();
        if (n > Integer.MAX_VALUE - 8) throw new IllegalStateException(n + " elements are too many for a Java array");
        return (int) n;
    }

    private void requireDescr(String method, String want) {
        if (!descr.equals(want)) throw wrongDescr(method, want);
    }

    private IllegalStateException wrongDescr(String method, String want) {
        return new IllegalStateException(method + " needs " + want + ", array is " + descr);
    }
}
