package dev.clnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.clnn.ops.TuningCache;

/** {@code clnn tune} on PoCL: a short search reports table against tuned, and {@code --show} reads the file back. */
class TuneCommandTest {
    private final CliRun cli = new CliRun();

    @TempDir
    Path dir;

    @BeforeEach
    void useTempDir() {
        System.setProperty("clnn.tuning.dir", dir.toString());
        TuningCache.reload();
    }

    @AfterEach
    void restore() {
        System.clearProperty("clnn.tuning.dir");
        TuningCache.reload();
    }

    @Test
    void tunesTheMnistCnnAndShowsTheFile() throws Exception {
        assertEquals(0, cli.run("tune", "--model", "mnist_cnn", "--budget", "6"), cli.both());
        String out = cli.out();
        assertTrue(out.contains("Tuning mnist_cnn at batch 1"), out);
        assertTrue(out.contains("network") && out.contains("table") && out.contains("tuned"), out);
        assertTrue(out.contains("Slowest layers"), out);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.toList();
        }
        if (out.contains("Kept in")) {
            assertEquals(1, files.size(), files.toString());
            TuningCache.reload();
            assertEquals(0, cli.run("tune", "--show"), cli.both());
            assertTrue(cli.out().contains("variant="), cli.out());
        } else {
            assertTrue(out.contains("no tuning file written"), out);
            assertTrue(files.isEmpty(), files.toString());
        }
    }

    @Test
    void anEditedFileIsShownAsNotUsed() throws Exception {
        dev.clnn.cl.ClDevice d = dev.clnn.cl.Devices.defaultDevice();
        Path f = TuningCache.write(d, java.util.Map.of("activation", java.util.Map.of("variant", "general")));
        Files.writeString(f, Files.readString(f).replace("general", "vector"));
        TuningCache.reload();
        assertEquals(0, cli.run("tune", "--show", "--device", "0"), cli.both());
        assertTrue(cli.out().contains("not used"), cli.both());
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertEquals(2, cli.run("tune", "--model", "resnet"));
        assertTrue(cli.err().contains("--model takes mobilenet"), cli.err());
        assertEquals(2, cli.run("tune", "--budget", "0"));
        assertEquals(2, cli.run("tune", "--model", dir.resolve("missing.onnx").toString()));
    }
}
