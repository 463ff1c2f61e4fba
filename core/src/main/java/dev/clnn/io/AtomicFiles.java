package dev.clnn.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
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
 *   <li>A <b>character or block device or a FIFO</b> ({@code /dev/null}, a named pipe) is opened
 *       and written through: renaming a file over it would replace the device node, and a pipe
 *       has no contents to truncate.</li>
 *   <li>An <b>open file descriptor</b> ({@code /dev/stdout}, {@code /dev/fd/N},
 *       {@code /proc/self/fd/N}) is written through too: this process's stdout and stderr through
 *       {@link System#out} and {@link System#err}, others appending when they are regular files,
 *       so that {@code --out /dev/stdout > log} adds to the log the shell opened.</li>
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
        Path path = file.toAbsolutePath();
        BasicFileAttributes attrs = attributes(path);
        if (attrs == null) {
            replace(resolveLinks(path), data, false);
        } else if (attrs.isDirectory()) {
            throw new FileSystemException(file.toString(), null, "is a directory");
        } else if (attrs.isRegularFile() && !isDescriptor(path)) {
            replace(path.toRealPath(), data, true);
        } else {
            writeThrough(file, path, data, attrs.isRegularFile());
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
        Path path = file.toAbsolutePath();
        BasicFileAttributes attrs;
        try {
            attrs = attributes(path);
        } catch (IOException e) {
            // e.g. ENOTDIR for a path under a regular file: name the ancestor that is in the way
            checkNewFile(name, path);
            throw new FileSystemException(name, null, reasonOf(e));
        }
        if (attrs == null) {
            try {
                checkNewFile(name, resolveLinks(path));
            } catch (FileSystemException e) {
                throw name.equals(e.getFile()) ? e : new FileSystemException(name, null, reasonOf(e));
            } catch (IOException e) {
                throw new FileSystemException(name, null, reasonOf(e));
            }
            return;
        }
        if (attrs.isDirectory()) {
            throw new FileSystemException(name, null, "is a directory");
        } else if (!Files.isWritable(path)) {
            throw new FileSystemException(name, null, "permission denied");
        } else if (attrs.isRegularFile() && !isDescriptor(path)) {
            Path dir = realParent(path);
            if (dir != null && !Files.isWritable(dir)) {
                throw new FileSystemException(name, null, "the folder " + dir + " is not writable (a file is "
                        + "replaced by writing a temporary file beside it)");
            }
        } else if (isSocket(path)) {
            throw new FileSystemException(name, null, "is a socket, not a file, device or FIFO");
        }
    }

    private static String reasonOf(IOException e) {
        return e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
    }

    private static Path realParent(Path path) {
        try {
            return path.toRealPath().getParent();
        } catch (IOException e) {
            return path.getParent();
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
     * Follows {@code path} through symbolic links to the first thing that is not one: for a
     * dangling link, the file to create.
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

    /**
     * Whether {@code path} names an open file descriptor ({@code /dev/stdout}, {@code /dev/fd/3},
     * {@code /proc/self/fd/1}): its links pass through a {@code /proc/PID/fd} folder. Such a path
     * means "the file the shell opened", so even a regular file behind it is written through
     * (appending, as to a redirected stdout) instead of being replaced: a rename would leave the
     * shell's descriptor on the old, now nameless, file.
     */
    static boolean isDescriptor(Path path) {
        return descriptor(path) != null;
    }

    /** {@code /proc/PID/fd/N} for a path that names an open file descriptor, else null. */
    private static Path descriptor(Path path) {
        Path p = path;
        for (int i = 0; i < MAX_LINKS; i++) {
            Path parent = p.getParent();
            if (parent != null && isDescriptorFolder(parent)) {
                try {
                    return parent.toRealPath().resolve(p.getFileName());
                } catch (IOException e) {
                    return null;
                }
            }
            if (!Files.isSymbolicLink(p)) {
                return null;
            }
            try {
                Path link = Files.readSymbolicLink(p);
                p = (parent == null ? link : parent.resolve(link)).normalize();
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * {@link System#out} or {@link System#err} when {@code path} is this process's descriptor 1
     * or 2, else null. Writing through them keeps one file offset: a second descriptor opened on a
     * redirected stdout would write at its own offset and be overwritten by the next output.
     */
    private static PrintStream ownStandardStream(Path path) {
        Path fd = descriptor(path);
        if (fd == null || !fd.getParent().getParent().getFileName().toString()
                .equals(Long.toString(ProcessHandle.current().pid()))) {
            return null;
        }
        String n = fd.getFileName().toString();
        return n.equals("1") ? System.out : n.equals("2") ? System.err : null;
    }

    private static boolean isDescriptorFolder(Path dir) {
        try {
            Path real = dir.toRealPath();
            return real.getNameCount() == 3 && real.startsWith("/proc") && real.getFileName().toString().equals("fd");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * What {@code path} finally is, following links the way the kernel does (so that the magic
     * links of {@code /proc/self/fd}, which name pipes as "pipe:[1234]", work), or null when
     * nothing is there (no file, or a dangling link).
     */
    private static BasicFileAttributes attributes(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static boolean isSocket(Path target) {
        try {
            Object mode = Files.getAttribute(target, "unix:mode");
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
     * Devices, FIFOs and descriptors: opened for writing without create or truncate (neither
     * means anything for a device or a pipe), then written. A FIFO blocks here until a reader
     * opens it, as with any writer. A regular file behind a descriptor is appended to.
     */
    private static void writeThrough(Path file, Path target, byte[] data, boolean append) throws IOException {
        if (isSocket(target)) {
            throw new FileSystemException(file.toString(), null, "is a socket, not a file, device or FIFO");
        }
        PrintStream std = ownStandardStream(target);
        if (std != null) {
            std.flush();
            std.write(data);
            std.flush();
            if (std.checkError()) {
                throw new IOException("writing to " + file + " failed");
            }
            return;
        }
        try (OutputStream out = append ? Files.newOutputStream(target, StandardOpenOption.APPEND)
                : Files.newOutputStream(target, StandardOpenOption.WRITE)) {
            out.write(data);
        }
    }
}
