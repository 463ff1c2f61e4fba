package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.LogCapture;

/** Each op records the variant and parameters it chose at configure time, at DEBUG on dev.clnn.ops. */
class OpLogTest {
    private static final Contexts CONTEXTS = new Contexts();

    @AfterAll
    static void close() {
        CONTEXTS.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void gemmLogsItsShapeDeviceAndVariant(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        try (LogCapture log = LogCapture.of("dev.clnn.ops");
             Gemm gemm = Gemm.configure(cl, GemmShape.of(64, 48, 80))) {
            String expected = "GEMM " + gemm.shape() + " on " + device.name() + ": " + gemm.config();
            assertTrue(log.contains(Level.FINE, expected), expected + " in " + log.lines());
        }
    }
}
