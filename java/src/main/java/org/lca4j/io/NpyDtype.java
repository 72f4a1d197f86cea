package org.lca4j.io;

/** The element types this package reads and writes; always little-endian, the only order we write. */
enum NpyDtype {
    F4("<f4", 4), F8("<f8", 8), I4("<i4", 4), I8("<i8", 8);

    final String descr;
    final int size;

    NpyDtype(String descr, int size) {
        this.descr = descr;
        this.size = size;
    }

    static final String SUPPORTED = "<f4, <f8, <i4, <i8";

    /** Null when unsupported, so callers can phrase the error with their own context. */
    static NpyDtype of(String descr) {
        for (NpyDtype t : values()) {
            if (t.descr.equals(descr)) return t;
        }
        return null;
    }

    static NpyDtype require(String descr) {
        NpyDtype t = of(descr);
        if (t == null) throw new IllegalArgumentException("unsupported descr '" + descr + "' (supported: " + SUPPORTED + ")");
        return t;
    }
}
