package org.lca4j.io;

import java.io.IOException;

/** A .npy file that cannot be read; the message is one line and starts with the file's path. */
public final class NpyFormatException extends IOException {
    public NpyFormatException(String message) {
        super(message);
    }
}
