package dev.clnn.cl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.logging.Level;

import org.junit.jupiter.api.Test;

import dev.clnn.testing.LogCapture;

/** The libjsig check, fed {@code /proc/self/maps} text with and without the library. */
class SignalChainingTest {
    private static final String WITHOUT = String.join("\n",
            "55d0c8a00000-55d0c8a01000 r--p 00000000 08:01 1311 /usr/lib/jvm/java-17-openjdk-amd64/bin/java",
            "55d0ca2e4000-55d0ca305000 rw-p 00000000 00:00 0                          [heap]",
            "7f1c2c000000-7f1c2c021000 rw-p 00000000 00:00 0 ",
            "7f1c30a00000-7f1c31a00000 r-xp 00000000 08:01 2211 /usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so",
            "7f1c31c00000-7f1c31c10000 r-xp 00000000 08:01 4242 /usr/lib/x86_64-linux-gnu/libpocl.so.2.11.0",
            "7f1c31d00000-7f1c31d01000 r-xp 00000000 08:01 4243 /opt/my libs/notlibjsig.so",
            "7ffd5a3c2000-7ffd5a3c6000 r--p 00000000 00:00 0                          [vvar]");
    private static final String WITH = WITHOUT + "\n"
            + "7f1c32000000-7f1c32001000 r-xp 00000000 08:01 2200 /usr/lib/jvm/java-17-openjdk-amd64/lib/libjsig.so";

    @Test
    void findsLibjsigAmongTheMappedFiles() {
        assertTrue(SignalChaining.libjsigMapped(WITH.lines()));
        assertFalse(SignalChaining.libjsigMapped(WITHOUT.lines()));
        assertTrue(SignalChaining.libjsigMapped(
                "7f00-7f01 r-xp 00000000 08:01 7 /home/a user/jdk 17/lib/libjsig.so (deleted)".lines()),
                "paths with spaces, and a library replaced on disk since it was loaded");
        assertFalse(SignalChaining.libjsigMapped("".lines()));
    }

    @Test
    void warnsOnLinuxWhenLibjsigIsMissingAndNamesTheFix() {
        try (LogCapture log = LogCapture.of("dev.clnn.cl")) {
            assertFalse(SignalChaining.warnIfMissing("Linux", WITH::lines, "/jdk"));
            assertTrue(log.lines().isEmpty(), log.lines().toString());

            assertTrue(SignalChaining.warnIfMissing("Linux", WITHOUT::lines, "/jdk"));
            assertEquals(1, log.lines().size(), log.lines().toString());
            assertTrue(log.contains(Level.WARNING, "LD_PRELOAD=/jdk/lib/libjsig.so"), log.lines().toString());
        }
    }

    @Test
    void doesNothingElsewhere() {
        assertFalse(SignalChaining.warnIfMissing("Mac OS X", () -> fail("maps read on macOS"), "/jdk"));
        assertFalse(SignalChaining.warnIfMissing("Windows 11", () -> fail("maps read on Windows"), "/jdk"));
    }

    @Test
    void thisTestJvmHasLibjsigAsSurefireIsConfigured() throws Exception {
        // the build preloads libjsig for every test JVM (parent POM, surefire environmentVariables)
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/self/maps"),
                java.nio.charset.StandardCharsets.ISO_8859_1)) {
            if (System.getProperty("os.name").startsWith("Linux")) {
                assertTrue(SignalChaining.libjsigMapped(lines), "LD_PRELOAD=" + System.getenv("LD_PRELOAD"));
            }
        }
        SignalChaining.checkOnce();
        SignalChaining.checkOnce();
    }
}
