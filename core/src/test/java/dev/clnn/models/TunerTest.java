package dev.clnn.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Graph;
import dev.clnn.ops.Tuning;
import dev.clnn.ops.TuningCache;
import dev.clnn.testing.TestDevices;
import dev.clnn.testing.TuningDirectory;

/**
 * {@code clnn tune} on PoCL: a small MobileNet is timed family by family within its budget, the
 * report compares table and tuned in the same run, and the winners land in the device's tuning file,
 * which the next lookup reads.
 */
class TunerTest {
    @RegisterExtension
    final TuningDirectory tuning = new TuningDirectory();


    @Test
    void tunesFamilyByFamilyAndKeepsTheWinners() throws Exception {
        ClDevice device = TestDevices.all().get(0);
        Graph net = MobileNetV1.build(new RandomWeights(3), 0.25f, 32, 10);
        List<String> progress = new ArrayList<>();
        Tuner.Report r = Tuner.tune(net, device, 1, Duration.ofSeconds(12), progress::add);

        assertFalse(r.families().isEmpty(), "families timed");
        assertTrue(r.families().get(0).tried() > 0, "the first family tried candidates: " + progress);
        assertTrue(r.tableMs() > 0 && r.tunedMs() > 0, r.summary());
        assertFalse(r.layers().isEmpty());
        assertTrue(r.summary().contains("network"), r.summary());
        // the most expensive family first, by the untuned run that ordered the search (a family's
        // table time is measured again when its turn comes, and timing noise may reorder those)
        for (int i = 1; i < r.families().size(); i++) {
            assertTrue(r.families().get(i - 1).shareMs() >= r.families().get(i).shareMs(), r.summary());
        }
        boolean improved = r.families().stream().anyMatch(Tuner.FamilyResult::improved);
        // winners are written only when, measured together, they make the network faster
        if (improved && r.file() != null) {
            assertNotNull(r.file());
            assertTrue(Files.isRegularFile(r.file()));
            for (Tuner.FamilyResult f : r.families()) {
                if (f.improved()) {
                    assertTrue(f.bestMs() < f.tableMs(), f.toString());
                    assertEquals(Tuning.format(f.best()), Tuning.format(Tuning.find(f.family(), device)));
                }
            }
        } else {
            assertNull(r.file(), "nothing beat the table, or not for the whole network, so nothing is written");
            assertTrue(TuningCache.entries(device).isEmpty());
        }
    }
}
