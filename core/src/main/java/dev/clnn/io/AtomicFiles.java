package dev.clnn.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Writing output files so that a failure never leaves a half-written file under the real name.
 *
 * <ul>
 *   <li>A new or existing <b>regular file</b> is replaced atomically: the bytes go to a hidden
 *       temporary file beside it, are flushed to disk, and the temporary file is renamed over the
 *       target. An existing file keeps its permissions; a new one gets the process's normal ones.</li>
 *   <li>A <b>symbolic link</b> is followed (through any chain of links) and its final target is
 *       written as above, so the link itself survives.</li>
 *   <li>A <b>character or block device or a FIFO</b> ({@code /dev/null}, {@code /dev/stdout}, a
 *       named pipe) is opened and written through: renaming a file over it would replace the
 *       device node, and a pipe has no contents to truncate.</li>
 *   <li>A <b>directory</b> (or a socket, or anything else that cannot take bytes) is refused with a
 *       {@link FileSystemException} naming the path.</li>
 * </ul>
 *
 * <p>{@link #checkWritable} answers ahead of time whether a later {@link #write} can succeed, so
 * that a program can refuse a bad output path before hours of work rather than after.
 */
public final class AtomicFiles {
    /** Linux gives up after 40 links (ELOOP); so do we, rather than loop on a cycle. */
    private static final int MAX_LINKS = 40;

    private AtomicFiles() {
    }

    /**
     * Writes {@code data} to {@code file} (see the class comment for how each kind of file is
     * treated), creating missing parent folders of a new file.
     *
     * @throws FileSystemException naming the path when it is a directory or cannot take bytes
     * @throws IOException         when writing fails; a regular target is then left as it was
     */
    public static void write(Path file, byte[] data) throws IOException {
        Path target = resolveLinks(file.toAbsolutePath());
        BasicFileAttributes attrs = attributes(target);
        if (attrs == null || attrs.isRegularFile()) {
            replace(target, data, attrs != null);
        } else if (attrs.isDirectory()) {
            throw new FileSystemException(file.toString(), null, "is a directory");
        } else {
            writeThrough(file, target, data);
        }
    }

    /** Writes {@code text} in UTF-8, as {@link #write(Path, byte[])}. */
    public static void write(Path file, CharSequence text) throws IOException {
        write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Checks, without creating or changing anything, that {@link #write} could write {@code file}:
     * after following symbolic links, an existing target is not a directory and is writable (a
     * regular file also needs a writable folder, for the temporary file); a new one has as its
     * nearest existing ancestor a writable directory (the folders between are created on write).
     *
     * @throws FileSystemException whose {@link FileSystemException#getFile() file} is {@code file}
     *                             and whose {@link FileSystemException#getReason() reason} says
     *                             what is wrong, e.g. "/etc/passwd is not a directory"
     */
    public static void checkWritable(Path file) throws FileSystemException {
        String name = file.toString();
        Path target;
        BasicFileAttributes attrs;
        try {
            target = resolveLinks(file.toAbsolutePath());
            attrs = attributes(target);
        } catch (IOException e) {
            // e.g. ENOTDIR for a path under a regular file: name the ancestor that is in the way
            checkNewFile(name, file.toAbsolutePath());
            String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
            throw new FileSystemException(name, null, reason);
        }
        if (attrs == null) {
            checkNewFile(name, target);
        } else if (attrs.isDirectory()) {
            throw new FileSystemException(name, null, "is a directory");
        } else if (!Files.isWritable(target)) {
            throw new FileSystemException(name, null, "permission denied");
        } else if (attrs.isRegularFile()) {
            Path dir = target.getParent();
            if (dir != null && !Files.isWritable(dir)) {
                throw new FileSystemException(name, null, "the folder " + dir + " is not writable (a file is "
                        + "replaced by writing a temporary file beside it)");
            }
        } else if (!attrs.isOther() || isSocket(target)) {
            throw new FileSystemException(name, null, "not a file, device or FIFO that can be written");
        }
    }

    /** A new file: the nearest existing ancestor must be a writable directory. */
    private static void checkNewFile(String name, Path target) throws FileSystemException {
        Path dir = target.getParent();
        while (dir != null && !Files.exists(dir)) {
            if (Files.isSymbolicLink(dir)) {
                throw new FileSystemException(name, null, dir + " is a broken symbolic link");
            }
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new FileSystemException(name, null, "no existing folder above it");
        }
        if (!Files.isDirectory(dir)) {
            throw new FileSystemException(name, null, dir + " is not a directory");
        }
        if (!Files.isWritable(dir)) {
            throw new FileSystemException(name, null, "the folder " + dir + " is not writable");
        }
    }

    /**
     * Follows {@code path} through symbolic links to the first thing that is not one (which may
     * not exist: a dangling link names the file to create).
     */
    static Path resolveLinks(Path path) throws IOException {
        Path p = path;
        for (int i = 0; i < MAX_LINKS; i++) {
            if (!Files.isSymbolicLink(p)) {
                return p;
            }
            Path link = Files.readSymbolicLink(p);
            Path parent = p.getParent();
            p = (parent == null ? link : parent.resolve(link)).normalize();
        }
        throw new FileSystemException(path.toString(), null, "too many levels of symbolic links");
    }

    /** The target's own attributes (links already resolved), or null when it does not exist. */
    private static BasicFileAttributes attributes(Path target) throws IOException {
        try {
            return Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static boolean isSocket(Path target) {
        try {
            Object mode = Files.getAttribute(target, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return mode instanceof Integer m && (m & 0170000) == 0140000;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Temporary file beside {@code target}, forced to disk, then renamed over it. */
    private static void replace(Path target, byte[] data, boolean exists) throws IOException {
        Path dir = target.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Set<PosixFilePermission> mode = exists ? permissions(target) : null;
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + "."
                + System.nanoTime() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                // NOTE: without this a crash soon after the rename can leave an empty file under
                // the real name on ext4 and XFS: the rename reaches the disk before the data.
                ch.force(true);
            }
            if (mode != null) {
                Files.setPosixFilePermissions(tmp, mode);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** An existing file's POSIX permissions, or null where the file system has none. */
    private static Set<PosixFilePermission> permissions(Path file) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        return view == null ? null : view.readAttributes().permissions();
    }

    /**
     * Devices and FIFOs: opened for writing without create or truncate (neither means anything
     * for them), then written. A FIFO blocks here until a reader opens it, as with any writer.
     */
    private static void writeThrough(Path file, Path target, byte[] data) throws IOException {
        if (isSocket(target)) {
            throw new FileSystemException(file.toString(), null, "is a socket, not a file, device or FIFO");
        }
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.WRITE)) {
            out.write(data);
        }
    }
}
