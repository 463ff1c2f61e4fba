package dev.clnn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.nn.Sequential;
import dev.clnn.nn.WeightsFile;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.testing.TestData;

/** Saved weights drive the inference builders: the saved model's predictions, by name and shape. */
class FileWeightsTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void savedMnistCnnWeightsBuildTheSameNetwork(ClDevice device, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("cnn.weights");
        float[] x = TestData.uniform(2 * 28 * 28, 11);
        float[] expected;
        try (ClContext cl = ClContext.create(device); Sequential trained = MnistCnn.create(cl, 77)) {
            trained.save(file);
            expected = trained.predict(x);
        }
        FileWeights weights = FileWeights.read(file);
        assertTrue(weights.names().contains("dense_1/bias"), weights.names().toString());
        try (Model m = Model.compile(MnistCnn.build(weights), device, 2)) {
            float[] got = m.predict(x);
            Comparison c = Comparison.of(got, expected, Tolerances.TRAIN_RTOL, Tolerances.TRAIN_ATOL);
            assertTrue(c.passed(), c.describe(got, expected));
        }
    }

    @org.junit.jupiter.api.Test
    void missingOrMisshapenParametersAreClearErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("other.weights");
        WeightsFile.write(file, List.of(new WeightsFile.Entry("conv2d/kernel", Shape.of(3, 3, 1, 8), new float[72])));
        FileWeights w = FileWeights.read(file);
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> MnistCnn.build(w));
        assertTrue(shape.getMessage().contains("conv2d/kernel has shape (3, 3, 1, 8), the network needs (3, 3, 1, 32)"),
                shape.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> w.get("dense/kernel", Shape.of(2, 2), WeightSource.Kind.KERNEL, 2));
        assertTrue(missing.getMessage().contains("has no parameter dense/kernel"), missing.getMessage());
        assertArrayEquals(new float[72], w.get("conv2d/kernel", Shape.of(3, 3, 1, 8), WeightSource.Kind.KERNEL, 9));
        Files.write(dir.resolve("bad.weights"), new byte[] {1, 2, 3});
        assertThrows(java.io.IOException.class, () -> FileWeights.read(dir.resolve("bad.weights")));
    }
}
