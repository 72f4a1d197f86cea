package org.lca4j.data;

/** Images from an IDX file: {@code count} images of {@code rows x cols} unsigned bytes, row-major. */
public record IdxImages(int count, int rows, int cols, byte[] pixels) {
    public IdxImages {
        if (count < 0 || rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative dimension " + count + "x" + rows + "x" + cols);
        }
        if ((long) count * rows * cols != pixels.length) {
            throw new IllegalArgumentException("pixels has " + pixels.length + " bytes, expected "
                    + count + "x" + rows + "x" + cols);
        }
    }

    /** Pixels per image. */
    public int imageSize() {
        return rows * cols;
    }
}
