package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.logging.Level;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.clnn.cl.ClDevice;
import dev.clnn.testing.LogCapture;
import dev.clnn.testing.TestDevices;
import dev.clnn.testing.TuningDirectory;

/**
 * The tuning file: what {@code clnn tune} writes is what the next compile reads, before the table;
 * a file that is edited, truncated, unreadable, for another driver or of another format is ignored
 * with a warning and the table applies; a trial and a system property come first.
 */
class TuningCacheTest {
    private static final Map<String, String> ACT = Map.of("variant", "vector", "VW", "2");

    @RegisterExtension
    final TuningDirectory tuning = new TuningDirectory();
    private final ClDevice device = TestDevices.all().get(0);


    @Test
    void whatIsWrittenIsReadBeforeTheTable() throws IOException {
        Path f = TuningCache.write(device, Map.of("activation", ACT));
        assertTrue(f.startsWith(tuning.path()), f.toString());
        assertEquals(ACT, Tuning.find("activation", device));
        assertEquals(Map.of("activation", ACT), TuningCache.entries(device));
        KernelConfig<Activations.Variant> c = KernelConfig.tuned("activation", device, Activations.Variant.class);
        assertEquals(Activations.Variant.VECTOR, c.variant());
        assertEquals(2, c.vectorWidth());
        // families the file does not name come from the table
        assertEquals(Tuning.fromTable("softmax", device), Tuning.find("softmax", device));
    }

    @Test
    void anEditedFileIsIgnoredWithAWarning() throws IOException {
        Path f = TuningCache.write(device, Map.of("activation", ACT));
        rewrite(f, Files.readString(f).replace("VW=2", "VW=8"));
        assertIgnored("checksum does not match");
    }

    @Test
    void aTruncatedFileIsIgnored() throws IOException {
        Path f = TuningCache.write(device, Map.of("activation", ACT));
        String text = Files.readString(f);
        rewrite(f, text.substring(0, text.indexOf("checksum")));
        assertIgnored("no checksum");
    }

    @Test
    void aFileForAnotherDriverIsStale() throws IOException {
        Path f = TuningCache.write(device, Map.of("activation", ACT));
        String body = "format = 1\ndevice = " + device.name() + "\ndriver = 0.0-other\nactivation = variant=vector VW=2\n";
        rewrite(f, body + "checksum = " + TuningCache.sha256(body) + "\n");
        assertIgnored("stale");
    }

    @Test
    void garbageAndOtherFormatsAreIgnored() throws IOException {
        Path f = TuningCache.write(device, Map.of("activation", ACT));
        Files.write(f, new byte[] {0, 1, 2, (byte) 0xff, 10, 61, 61});
        assertIgnored("Ignoring tuning file");
        String body = "format = 2\ndevice = " + device.name() + "\ndriver = " + device.driverVersion() + "\n";
        rewrite(f, body + "checksum = " + TuningCache.sha256(body) + "\n");
        assertIgnored("format is 2");
    }

    @Test
    void aMalformedEntryWithAValidChecksumIsIgnored() throws IOException {
        Path f = TuningCache.write(device, Map.of("activation", ACT));
        String body = "format = 1\ndevice = " + device.name() + "\ndriver = " + device.driverVersion()
                + "\nactivation = VW=2\n";
        rewrite(f, body + "checksum = " + TuningCache.sha256(body) + "\n");
        assertIgnored("names no variant");
    }

    @Test
    void unknownFamiliesAreNotWritten() {
        assertThrows(IllegalArgumentException.class, () -> TuningCache.write(device, Map.of("gemm_huge", ACT)));
        assertThrows(IllegalArgumentException.class,
                () -> TuningCache.write(device, Map.of("activation", Map.of("VW", "4"))));
    }

    @Test
    void aTrialAndASystemPropertyComeFirstAndTheCacheCanBeTurnedOff() throws IOException {
        TuningCache.write(device, Map.of("activation", ACT));
        Map<String, String> other = Map.of("variant", "general");
        try (Tuning.Trial t = Tuning.trial(Map.of("activation", other))) {
            assertEquals(other, Tuning.find("activation", device));
            // a trial never reads the tuning file: the rest is the table
            assertEquals(Tuning.fromTable("softmax", device), Tuning.find("softmax", device));
        }
        assertEquals(ACT, Tuning.find("activation", device));
        System.setProperty("clnn.tuning.cache", "off");
        assertEquals(Tuning.fromTable("activation", device), Tuning.find("activation", device));
    }

    private void assertIgnored(String why) {
        TuningCache.reload();
        try (LogCapture log = LogCapture.of("dev.clnn.ops")) {
            assertEquals(Tuning.fromTable("activation", device), Tuning.find("activation", device));
            assertTrue(log.contains(Level.WARNING, why), why + " in " + log.lines());
        }
        assertTrue(TuningCache.entries(device).isEmpty());
    }

    private static void rewrite(Path f, String text) throws IOException {
        Files.writeString(f, text, StandardCharsets.UTF_8);
    }

    @Test
    void noFileMeansTheTable() {
        assertNull(TuningCache.find("activation", device));
        assertEquals(Tuning.fromTable("activation", device), Tuning.find("activation", device));
    }
}
