package org.lca4j.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A file written beside its target and not yet in its place: {@link #commit} renames it there
 * atomically, {@link #discard} deletes it. A writer that replaces several files per step stages
 * them all and then commits them all, so a failure while writing (a full disk) leaves every one at
 * its previous version instead of some at the new step and some at the old.
 */
public record Staged(Path temp, Path target) {
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
