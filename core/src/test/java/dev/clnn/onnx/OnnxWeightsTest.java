package dev.clnn.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.models.MnistCnn;
import dev.clnn.models.Model;
import dev.clnn.models.WeightSource;
import dev.clnn.nn.Sequential;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.testing.TestData;

/** An exported model's initializers drive the network builders: OIHW kernels back to HWIO, by name. */
class OnnxWeightsTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void exportedWeightsRebuildTheTrainedNetwork(ClDevice device, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("cnn.onnx");
        float[] x = TestData.uniform(2 * 28 * 28, 3);
        float[] expected;
        try (ClContext cl = ClContext.create(device); Sequential trained = MnistCnn.create(cl, 21)) {
            OnnxExport.write(trained, file);
            expected = trained.predict(x);
        }
        OnnxWeights weights = OnnxWeights.read(file);
        try (Model m = Model.compile(MnistCnn.build(weights), device, 2)) {
            float[] got = m.predict(x);
            Comparison c = Comparison.of(got, expected, Tolerances.TRAIN_RTOL, Tolerances.TRAIN_ATOL);
            assertTrue(c.passed(), c.describe(got, expected));
        }
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> weights.get("conv9/kernel", Shape.of(1), WeightSource.Kind.KERNEL, 1));
        assertTrue(missing.getMessage().contains("has no initializer conv9/kernel"), missing.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> weights.get("dense/bias", Shape.of(7), WeightSource.Kind.BIAS, 0));
        assertTrue(shape.getMessage().contains("dense/bias has shape (128,), the network needs (7,)"),
                shape.getMessage());
    }
}
