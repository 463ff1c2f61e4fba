package dev.clnn.cl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.testing.LogCapture;

/** What the program cache tells the logs: compiles and loads at DEBUG, a rebuilt entry at WARNING with the reason. */
class ProgramCacheTest {
    private static final KernelSource TWICE = KernelSource.of("test/twice.cl",
            "__kernel void twice(__global float* x) { x[get_global_id(0)] *= 2.0f; }");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void logsCompilesLoadsAndTheReasonForEachRebuild(ClDevice device, @TempDir Path dir) throws Exception {
        ProgramCache cache = new ProgramCache(dir);
        BuildOptions options = BuildOptions.none().define("UNUSED", 3);
        Path entry = cache.entryFile(device, TWICE, options);
        try (LogCapture log = LogCapture.of("dev.clnn.cl")) {
            build(device, cache, options);
            assertTrue(log.contains(Level.FINE, "Compiled test/twice.cl [-DUNUSED=3] for " + device.name()),
                    log.lines().toString());

            build(device, cache, options);
            assertTrue(log.contains(Level.FINE, "Loaded test/twice.cl"), log.lines().toString());
            assertTrue(log.lines().stream().noneMatch(l -> l.startsWith("WARNING")), log.lines().toString());

            byte[] bytes = Files.readAllBytes(entry);
            bytes[bytes.length - 40] ^= 0x5A;   // inside the binary: its SHA-256 no longer matches
            Files.write(entry, bytes);
            build(device, cache, options);
            assertTrue(log.contains(Level.WARNING, "Rebuilding test/twice.cl for " + device.name()),
                    log.lines().toString());
            assertTrue(log.contains(Level.WARNING, "SHA-256 does not match"), log.lines().toString());

            Files.write(entry, new byte[] {'C', 'L'});
            build(device, cache, options);
            assertTrue(log.contains(Level.WARNING, "truncated"), log.lines().toString());
            assertEquals(2, cache.rejected());
            assertEquals(3, cache.compiles());
        }
    }

    private static void build(ClDevice device, ProgramCache cache, BuildOptions options) {
        try (ClContext cl = ClContext.create(device, cache)) {
            cl.program(TWICE, options).kernel("twice");
        }
    }
}
