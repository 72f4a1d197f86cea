package org.lca4j.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The named layers of a model, in order, laid end to end in one flat parameter vector. */
public final class ParamLayout {
    private final List<Layer> layers;
    private final Map<String, Integer> byName;
    private final long size;

    private ParamLayout(List<Layer> layers) {
        this.layers = List.copyOf(layers);
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            if (names.put(layers.get(i).name(), i) != null) {
                throw new IllegalArgumentException("duplicate layer name " + layers.get(i).name());
            }
        }
        this.byName = Collections.unmodifiableMap(names);
        Layer last = layers.isEmpty() ? null : layers.getLast();
        this.size = last == null ? 0 : last.offset() + last.size();
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<Layer> layers() {
        return layers;
    }

    public Layer layer(int i) {
        return layers.get(i);
    }

    public int layerCount() {
        return layers.size();
    }

    /** Total number of parameters. */
    public long size() {
        return size;
    }

    public int indexOf(String name) {
        Integer i = byName.get(name);
        if (i == null) throw new IllegalArgumentException("no layer named " + name + "; layers are " + names());
        return i;
    }

    public List<String> names() {
        return layers.stream().map(Layer::name).toList();
    }

    /** The layer holding flat index {@code i}. */
    public int layerOf(long i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException("parameter index " + i + " outside [0," + size + ")");
        int lo = 0, hi = layers.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (layers.get(mid).offset() <= i) lo = mid; else hi = mid - 1;
        }
        return lo;
    }

    /** A flat index as a readable position, e.g. {@code fc1.bias[7]}. */
    public String describe(long i) {
        Layer l = layers.get(layerOf(i));
        return l.describe(i - l.offset());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParamLayout p && p.layers.equals(layers);
    }

    @Override
    public int hashCode() {
        return layers.hashCode();
    }

    @Override
    public String toString() {
        return layers + " (" + size + " parameters)";
    }

    public static final class Builder {
        private final List<Layer> layers = new ArrayList<>();
        private long offset;

        /** A layer of the given shape (no dimensions: a scalar); a layout's total must fit a long. */
        public Builder add(String name, int... shape) {
            if (shape == null) throw new IllegalArgumentException("layer " + name + ": shape is null");
            long n = 1;
            try {
                for (int d : shape) n = Math.multiplyExact(n, (long) d);
                layers.add(new Layer(name, shape, offset, n));
                offset = Math.addExact(offset, n);
            } catch (ArithmeticException overflow) {
                throw new IllegalArgumentException("layer " + name + ": shape " + java.util.Arrays.toString(shape)
                        + " takes the layout past " + Long.MAX_VALUE + " parameters");
            }
            return this;
        }

        public ParamLayout build() {
            if (layers.isEmpty()) throw new IllegalArgumentException("a parameter layout needs at least one layer");
            return new ParamLayout(layers);
        }
    }
}
