package org.lca4j.data;

/** Labels from an IDX file, one unsigned byte each. */
public record IdxLabels(int count, byte[] labels) {
    public IdxLabels {
        if (count != labels.length) {
            throw new IllegalArgumentException("labels has " + labels.length + " bytes, expected " + count);
        }
    }

    /** Label {@code i} as 0..255. */
    public int label(int i) {
        return labels[i] & 0xff;
    }
}
