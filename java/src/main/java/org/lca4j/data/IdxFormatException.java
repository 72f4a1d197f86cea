package org.lca4j.data;

import java.io.IOException;

/** An IDX file that cannot be read; the message is one line and starts with the file's path. */
public final class IdxFormatException extends IOException {
    public IdxFormatException(String message) {
        super(message);
    }

    public IdxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
