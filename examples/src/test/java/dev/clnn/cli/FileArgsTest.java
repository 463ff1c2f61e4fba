package dev.clnn.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileArgsTest {
    @TempDir
    Path dir;

    @Test
    void standardOutputUnsetOptionsAndDevicesPass() {
        assertDoesNotThrow(() -> FileArgs.requireWritable(null, FileArgs.file(Path.of("-")),
                dir.resolve("new/file.json"), Path.of("/dev/null"), Path.of("/dev/null")));
    }

    @Test
    void twoOutputsNamingOneFileAreRefused() {
        Path a = dir.resolve("m.bin");
        UserError e = assertThrows(UserError.class, () -> FileArgs.requireWritable(a, dir.resolve("./m.bin")));
        assertEquals("cannot write " + dir.resolve("./m.bin") + ": it is also the output " + a, e.getMessage());
    }

    @Test
    void inputsMustBeFilesAndDataADirectory() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        assertDoesNotThrow(() -> FileArgs.requireFile(file));
        assertEquals(dir + " is a directory, expected a file",
                assertThrows(UserError.class, () -> FileArgs.requireFile(dir)).getMessage());
        assertEquals("no such file: " + dir.resolve("g"),
                assertThrows(UserError.class, () -> FileArgs.requireFile(dir.resolve("g"))).getMessage());
        assertEquals(file + " is not a directory",
                assertThrows(UserError.class, () -> FileArgs.requireDirectory(file, null)).getMessage());
    }
}
