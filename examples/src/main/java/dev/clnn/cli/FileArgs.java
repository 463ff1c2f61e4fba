package dev.clnn.cli;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.clnn.io.AtomicFiles;

/**
 * Checks of the files named on the command line, made before any work starts so that a typo
 * costs a second rather than a training run: inputs must be readable files (or directories),
 * outputs must be writable (see {@link AtomicFiles#checkWritable}). Each failure is a
 * {@link UserError}, exit code 2.
 */
final class FileArgs {
    private FileArgs() {
    }

    /** {@code --json -} sends the JSON to standard output. */
    static boolean isStdout(Path p) {
        return p != null && p.toString().equals("-");
    }

    /** A {@code --json} path as a file to check: null when it is {@code -} (standard output). */
    static Path file(Path json) {
        return isStdout(json) ? null : json;
    }

    /** An input file: exists, is not a directory, can be read. Null (an unset option) passes. */
    static void requireFile(Path p) {
        if (p == null) {
            return;
        }
        if (!Files.exists(p)) {
            throw new UserError("no such file: " + p);
        }
        if (Files.isDirectory(p)) {
            throw new UserError(p + " is a directory, expected a file");
        }
        if (!Files.isReadable(p)) {
            throw new UserError("cannot read " + p + ": permission denied");
        }
    }

    /** An input directory: exists, is a directory, can be read. */
    static void requireDirectory(Path p, String hint) {
        if (!Files.exists(p)) {
            throw new UserError("no such directory: " + p + (hint == null ? "" : "; " + hint));
        }
        if (!Files.isDirectory(p)) {
            throw new UserError(p + " is not a directory");
        }
        if (!Files.isReadable(p)) {
            throw new UserError("cannot read " + p + ": permission denied");
        }
    }

    /**
     * Output paths: each writable, and no two the same file (the second write would replace the
     * first). Null entries (unset options) are skipped; so is {@link #file(Path) a JSON output} of
     * {@code -}. Any other {@code -} is a file of that name, as the writers treat it.
     */
    static void requireWritable(Path... outputs) {
        Map<Path, Path> seen = new HashMap<>();
        for (Path p : outputs) {
            if (p == null) {
                continue;
            }
            try {
                AtomicFiles.checkWritable(p);
            } catch (FileSystemException e) {
                throw new UserError("cannot write " + p + ": " + e.getReason());
            }
            Path key = p.toAbsolutePath().normalize();
            Path before = seen.putIfAbsent(key, p);
            if (before != null && !isSpecial(key)) {
                throw new UserError("cannot write " + p + ": it is also the output " + before);
            }
        }
    }

    private static boolean isSpecial(Path p) {
        return Files.exists(p) && !Files.isRegularFile(p);
    }
}
