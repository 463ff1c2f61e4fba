package dev.clnn.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.clnn.ops.TuningCache;

/**
 * Points the tuning files at a fresh directory for each test and forgets what was read, so tests
 * neither read nor write the user's {@code ~/.cache/clnn/tuning}. Register with
 * {@code @RegisterExtension final TuningDirectory tuning = new TuningDirectory();}.
 */
public final class TuningDirectory implements BeforeEachCallback, AfterEachCallback {
    private Path dir;

    /** This test's directory. */
    public Path path() {
        return dir;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("clnn-tuning");
        System.setProperty("clnn.tuning.dir", dir.toString());
        TuningCache.reload();
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        System.clearProperty("clnn.tuning.dir");
        System.clearProperty("clnn.tuning.cache");
        TuningCache.reload();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
