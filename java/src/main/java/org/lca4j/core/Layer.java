package org.lca4j.core;

import java.util.Arrays;

/**
 * One named parameter tensor inside the flat parameter vector: PyTorch naming and row-major
 * (out × in) shapes, so a layout written here reads the same as a model's {@code named_parameters()}.
 */
public record Layer(String name, int[] shape, long offset, long size) {

    public Layer {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("layer name is empty");
        shape = shape.clone();
        long n = 1;
        for (int d : shape) {
            if (d <= 0) throw new IllegalArgumentException("layer " + name + ": non-positive dimension in shape " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        if (n != size) throw new IllegalArgumentException("layer " + name + ": shape " + Arrays.toString(shape) + " holds " + n + " values, not " + size);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The position of flat index {@code i} within this layer, e.g. {@code fc2.weight[3,41]}, for error messages. */
    public String describe(long i) {
        StringBuilder sb = new StringBuilder(name).append('[');
        long rest = i;
        long stride = size;
        for (int d = 0; d < shape.length; d++) {
            stride /= shape[d];
            if (d > 0) sb.append(',');
            sb.append(rest / stride);
            rest %= stride;
        }
        return sb.append(']').toString();
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Layer l && l.name.equals(name) && Arrays.equals(l.shape, shape) && l.offset == offset;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + shapeString();
    }
}
