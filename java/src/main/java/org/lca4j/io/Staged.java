package org.lca4j.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A file written beside its target and not yet in its place: {@link #commit} renames it there
 * atomically, {@link #discard} deletes it. A writer that replaces several files per step stages
 * them all and then commits them all, so a failure while writing (a full disk) leaves every one at
 * its previous version instead of some at the new step and some at the old.
 */
public record Staged(Path temp, Path target) {
    /** Fills the temporary file, which does not exist yet (create it new). */
    @FunctionalInterface
    public interface Contents {
        void writeTo(Path temp) throws IOException;
    }

    /**
     * Writes {@code target}'s next version into a hidden file beside it; if that fails (a full disk),
     * the half-written file is deleted and the error passed on, so the target keeps its last version.
     */
    public static Staged write(Path target, Contents contents) throws IOException {
        Path abs = target.toAbsolutePath();
        // Not Files.createTempFile: it makes the file 0600, and the rename would carry that onto the target.
        Path temp = abs.resolveSibling("." + abs.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            contents.writeTo(temp);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return new Staged(temp, abs);
    }

    public void commit() throws IOException {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public void discard() throws IOException {
        Files.deleteIfExists(temp);
    }

    /** Commits, or on failure deletes the staged file and passes the error on: one file replaced atomically. */
    public void commitOrDiscard() throws IOException {
        try {
            commit();
        } catch (IOException | RuntimeException e) {
            try {
                discard();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
