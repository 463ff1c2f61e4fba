package dev.clnn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private static final byte[] DATA = "hello, clnn\n".getBytes(StandardCharsets.UTF_8);

    @Test
    void writesANewFileAndItsMissingFolders() throws IOException {
        Path file = dir.resolve("a/b/out.bin");
        AtomicFiles.write(file, DATA);
        assertArrayEquals(DATA, Files.readAllBytes(file));
        assertEquals(1, leftovers(file.getParent()), "no temporary file is left beside it");
    }

    @Test
    void replacesARegularFileAndKeepsItsPermissions() throws IOException {
        Path file = dir.resolve("out.txt");
        Files.writeString(file, "an older and much longer content than the new one");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        Object inode = Files.getAttribute(file, "unix:ino");
        AtomicFiles.write(file, "new");
        assertEquals("new", Files.readString(file));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        // a new inode: the old file was replaced by a rename, not truncated and rewritten
        assertFalse(inode.equals(Files.getAttribute(file, "unix:ino")));
        assertEquals(1, leftovers(dir));
    }

    @Test
    void aSymlinkSurvivesAndItsTargetIsReplaced() throws IOException {
        Path real = dir.resolve("real/target.txt");
        Files.createDirectories(real.getParent());
        Files.writeString(real, "old");
        Path link = dir.resolve("link.txt");
        Files.createSymbolicLink(link, Path.of("real/target.txt"));
        Path second = dir.resolve("link2.txt");
        Files.createSymbolicLink(second, link);
        AtomicFiles.write(second, DATA);
        assertTrue(Files.isSymbolicLink(link) && Files.isSymbolicLink(second));
        assertEquals(Path.of("real/target.txt"), Files.readSymbolicLink(link));
        assertArrayEquals(DATA, Files.readAllBytes(real));
        assertTrue(Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS));
        assertEquals(1, leftovers(real.getParent()));
    }

    @Test
    void aDanglingSymlinkCreatesItsTarget() throws IOException {
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, dir.resolve("new.txt"));
        AtomicFiles.write(link, DATA);
        assertTrue(Files.isSymbolicLink(link));
        assertArrayEquals(DATA, Files.readAllBytes(dir.resolve("new.txt")));
    }

    @Test
    void aFifoIsWrittenThrough() throws Exception {
        Path fifo = dir.resolve("pipe");
        assumeTrue(run("mkfifo", fifo.toString()) == 0, "mkfifo is not available");
        CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        AtomicFiles.write(fifo, DATA);
        assertArrayEquals(DATA, reader.get(30, TimeUnit.SECONDS));
        int mode = (Integer) Files.getAttribute(fifo, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        assertEquals(0010000, mode & 0170000, "still a FIFO");
    }

    @Test
    void aCharacterDeviceStaysADevice() throws Exception {
        Path devNull = dir.resolve("null");
        // a copy of /dev/null (major 1, minor 3); mknod needs root
        assumeTrue(run("mknod", devNull.toString(), "c", "1", "3") == 0, "mknod needs root");
        assertDoesNotThrow(() -> AtomicFiles.checkWritable(devNull));
        AtomicFiles.write(devNull, DATA);
        AtomicFiles.write(devNull, "again");
        int mode = (Integer) Files.getAttribute(devNull, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        assertEquals(0020000, mode & 0170000, "still a character device");
        assertEquals(0, Files.size(devNull));
        assertEquals(1, leftovers(dir));
    }

    @Test
    void anOpenDescriptorIsAppendedToNotReplaced() throws Exception {
        Path file = dir.resolve("log.txt");
        try (java.io.FileOutputStream log = new java.io.FileOutputStream(file.toFile())) {
            log.write("head\n".getBytes(StandardCharsets.UTF_8));
            log.flush();
            Path fd = descriptorOf(file);
            assumeTrue(fd != null, "no /proc/self/fd here");
            Object inode = Files.getAttribute(file, "unix:ino");
            AtomicFiles.checkWritable(fd);
            AtomicFiles.write(fd, "tail\n");
            assertEquals("head\ntail\n", Files.readString(file));
            assertEquals(inode, Files.getAttribute(file, "unix:ino"), "the same file, not a replacement");
        }
    }

    @Test
    void aPipeBehindADescriptorIsWrittenThrough() throws Exception {
        Process cat = new ProcessBuilder("cat").start();
        try {
            long pid = cat.pid();
            Path stdin = Path.of("/proc/" + pid + "/fd/0");
            assumeTrue(Files.exists(stdin), "no /proc here");
            AtomicFiles.checkWritable(stdin);
            AtomicFiles.write(stdin, DATA);
            cat.getOutputStream().close();
            assertArrayEquals(DATA, cat.getInputStream().readAllBytes());
        } finally {
            cat.destroy();
        }
    }

    @Test
    void devStdoutGoesThroughSystemOut() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/self/fd/1")), "no /proc here");
        java.io.PrintStream before = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            AtomicFiles.checkWritable(Path.of("/dev/stdout"));
            AtomicFiles.write(Path.of("/dev/stdout"), DATA);
        } finally {
            System.setOut(before);
        }
        // one stream, one file offset: a redirected stdout is not overwritten by later output
        assertArrayEquals(DATA, captured.toByteArray());
    }

    /** The /proc/self/fd entry of an open file, or null. */
    private static Path descriptorOf(Path file) throws IOException {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return null;
        }
        try (Stream<Path> s = Files.list(fds)) {
            return s.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).equals(file);
                } catch (IOException e) {
                    return false;
                }
            }).findFirst().orElse(null);
        }
    }

    @Test
    void aDirectoryIsRefusedByName() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.write(sub, DATA));
        assertEquals(sub.toString(), e.getFile());
        assertTrue(e.getMessage().contains(sub.toString()) && e.getMessage().contains("is a directory"),
                e.getMessage());
        FileSystemException c = assertThrows(FileSystemException.class, () -> AtomicFiles.checkWritable(sub));
        assertEquals("is a directory", c.getReason());
    }

    @Test
    void checkWritableAcceptsNewAndExistingFilesWithoutCreatingThem() throws IOException {
        Path fresh = dir.resolve("x/y/z.json");
        AtomicFiles.checkWritable(fresh);
        assertFalse(Files.exists(dir.resolve("x")), "checking creates nothing");
        Path old = Files.writeString(dir.resolve("old.json"), "{}");
        AtomicFiles.checkWritable(old);
        assertEquals("{}", Files.readString(old));
        AtomicFiles.checkWritable(Path.of("/dev/null"));
    }

    @Test
    void checkWritableRefusesAPathUnderARegularFile() throws IOException {
        Path file = Files.writeString(dir.resolve("plain"), "x");
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> AtomicFiles.checkWritable(file.resolve("sub/out.bin")));
        assertEquals(file.resolve("sub/out.bin").toString(), e.getFile());
        assertEquals(file + " is not a directory", e.getReason());
    }

    @Test
    void checkWritableRefusesAReadOnlyFolder() throws IOException {
        assumeTrue(!"root".equals(System.getProperty("user.name")), "root may write anywhere");
        Path ro = Files.createDirectory(dir.resolve("ro"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            FileSystemException e = assertThrows(FileSystemException.class,
                    () -> AtomicFiles.checkWritable(ro.resolve("out")));
            assertTrue(e.getReason().contains("not writable"), e.getReason());
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aSymlinkLoopIsRefused() throws IOException {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Files.createSymbolicLink(a, b);
        Files.createSymbolicLink(b, a);
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.write(a, DATA));
        assertTrue(e.getMessage().contains("symbolic links"), e.getMessage());
        assertThrows(FileSystemException.class, () -> AtomicFiles.checkWritable(a));
    }

    /** Entries in {@code folder} (temporary files would show up here). */
    private static long leftovers(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> !Files.isSymbolicLink(p) && !Files.isDirectory(p)).count();
        }
    }

    private static int run(String... command) throws Exception {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor();
        } catch (IOException e) {
            return -1;
        }
    }
}
