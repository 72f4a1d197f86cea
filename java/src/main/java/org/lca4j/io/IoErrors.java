package org.lca4j.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * A one-line reason for an I/O failure. Java's file-system exceptions often carry only the path
 * ("/runs/x"), which after "cannot write …: " reads as no reason at all.
 */
public final class IoErrors {
    private IoErrors() {
    }

    public static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() == null) {
            String what = switch (e) {
                case AccessDeniedException a -> "permission denied";
                case FileAlreadyExistsException a -> "a file of that name is in the way";
                case NoSuchFileException a -> "no such file or directory";
                case NotDirectoryException a -> "not a directory";
                default -> e.getClass().getSimpleName();
            };
            return what + " (" + f.getFile() + (f.getOtherFile() == null ? "" : ", " + f.getOtherFile()) + ")";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
