package dev.clnn.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.clnn.cl.Devices;
import dev.clnn.train.EpochMetrics;
import dev.clnn.train.History;
import dev.clnn.vision.Classification;

/** Runs each example program on small inputs, so that they keep compiling and working. */
class ExamplesTest {
    /** core's test fixtures: a reduced MobileNet v2 exported from PyTorch, and an image. */
    private static final Path FIXTURES = Path.of("..", "core", "src", "test", "resources");

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void classifyImagePrintsTheTopFive() throws Exception {
        List<Classification> top = ClassifyImage.run(FIXTURES.resolve("onnx/mobilenet_v2_025_64.onnx"),
                FIXTURES.resolve("vision/landscape_down.png"), null, out);
        assertEquals(5, top.size());
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < top.size(); i++) {
            Classification c = top.get(i);
            assertTrue(c.index() >= 0 && c.index() < 10 && seen.add(c.index()), top.toString());
            assertTrue(c.probability() > 0 && c.probability() < 1, top.toString());
            assertNull(c.label(), "10 classes: no bundled labels");
            assertTrue(i == 0 || top.get(i - 1).probability() >= c.probability(), top.toString());
        }
        assertTrue(printed().startsWith("landscape_down.png on ") && printed().contains("%  class "
                + top.get(0).index()), printed());
    }

    @Test
    void trainMnistLearns() throws Exception {
        History h = TrainMnist.run(1, 500, null, out);
        EpochMetrics e = h.last();
        assertEquals(1, h.epochs().size());
        assertEquals(500, e.train().examples());
        assertTrue(e.test().accuracy() > 0.3, "10 classes, chance is 0.1: " + e);
        assertTrue(printed().contains("500 training and 500 test images") && printed().contains("epoch 1: loss "),
                printed());
    }

    @Test
    void benchDevicesRunsEveryDevice() {
        List<BenchDevices.Result> rows = BenchDevices.run(2, 64, out);
        assertEquals(Devices.all().size(), rows.size());
        for (BenchDevices.Result r : rows) {
            assertNull(r.error(), r.device() + ": " + r.error());
            assertTrue(r.msPerImage() > 0 && r.compileSeconds() > 0, r.toString());
        }
        assertTrue(printed().contains("MobileNet v1 1.0 64x64, batch 1") && printed().contains("Speed-up")
                && printed().contains("1.00x"), printed());
    }
}
