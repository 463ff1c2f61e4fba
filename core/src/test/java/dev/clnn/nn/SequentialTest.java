package dev.clnn.nn;

import static dev.clnn.testing.GradientCheck.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.models.MnistCnn;
import dev.clnn.ops.Activation;
import dev.clnn.reference.ReferenceConv2d;
import dev.clnn.reference.ReferenceConv2d.Geometry;
import dev.clnn.reference.ReferenceDense;
import dev.clnn.reference.ReferenceTraining;
import dev.clnn.reference.ReferenceTraining.Act;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.GradientCheck;
import dev.clnn.testing.TestData;
import dev.clnn.train.Sgd;

/** A whole model: naming, seeded initialisation, chained gradients, prediction, and saving and loading weights. */
class SequentialTest {
    private static final Contexts CONTEXTS = new Contexts();

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    /** conv(2 filters 3x3, relu) on (5, 5, 1) -> flatten (18) -> dense(3): small enough for finite differences. */
    private static Sequential tiny(ClContext cl, long seed) {
        Sequential m = new Sequential(cl, Shape.of(5, 5, 1), new Conv2d(2, 3, Activation.RELU), new Flatten(),
                new Dense(3));
        m.initialize(seed);
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void namesLayersAndInitialisesLikeKeras(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        try (Sequential a = MnistCnn.create(cl, 7); Sequential b = MnistCnn.create(cl, 7);
             Sequential c = MnistCnn.create(cl, 8)) {
            assertEquals(List.of("conv2d", "flatten", "dense", "dense_1"), a.layerNames());
            assertEquals(List.of("conv2d/kernel", "conv2d/bias", "dense/kernel", "dense/bias", "dense_1/kernel",
                    "dense_1/bias"), a.parameters().stream().map(Parameter::name).toList());
            assertEquals(2_770_634, a.parameterCount(), "the quickstart CNN's size");
            assertEquals(Shape.of(10), a.outputShape());
            assertTrue(a.summary().contains("2,770,634") && a.summary().contains("(None, 26, 26, 32)"), a.summary());
            for (int i = 0; i < 6; i++) {
                Parameter p = a.parameters().get(i);
                assertArrayEquals(p.read(), b.parameters().get(i).read(), "same seed, same " + p.name());
                if (p.name().endsWith("bias")) {
                    assertTrue(allZero(p.read()), p.name() + " starts at zero");
                } else {
                    assertFalse(Arrays.equals(p.read(), c.parameters().get(i).read()), "another seed, another "
                            + p.name());
                }
            }
            float[] k = a.parameters().get(2).read();
            double limit = Math.sqrt(6.0 / (21632 + 128));
            double max = 0;
            double sumSq = 0;
            for (float v : k) {
                max = Math.max(max, Math.abs(v));
                sumSq += v * v;
            }
            assertTrue(max <= limit && max > 0.99 * limit, "Glorot uniform bound " + limit + ", max " + max);
            assertEquals(limit * limit / 3, sumSq / k.length, limit * limit / 3 * 0.01, "uniform variance");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void backwardChainsLayerGradientsLikeTheComposedReference(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        int n = 3;
        float[] x = TestData.uniform(n * 25, 77);
        float[] dy = TestData.uniform(n * 3, 78);
        try (Sequential m = tiny(cl, 5);
             Tensor xt = Tensor.of(cl, Shape.of(n, 5, 5, 1), Layout.NHWC, x);
             Tensor dyt = Tensor.of(cl, Shape.of(n, 3), dy)) {
            double[][] p = new double[4][];
            for (int i = 0; i < 4; i++) {
                p[i] = ReferenceTraining.toDouble(m.parameters().get(i).read());
            }
            m.forward(xt, true);
            m.backward(dyt);
            double[] xd = ReferenceTraining.toDouble(x);
            double[] dyd = ReferenceTraining.toDouble(dy);
            for (int i = 0; i < 4; i++) {
                final int which = i;
                double[] fd = GradientCheck.numeric(q -> {
                    double[][] params = p.clone();
                    params[which] = q;
                    return GradientCheck.dot(dyd, tinyForward(xd, params, n));
                }, p[i]);
                assertClose("Sequential gradient of " + m.parameters().get(i).name(),
                        m.parameters().get(i).readGradient(), fd, Tolerances.GRADIENT_CHECK_RTOL,
                        Tolerances.GRADIENT_CHECK_ATOL);
            }
        }
    }

    /** The tiny model in double through the references: conv + relu, NHWC flatten, dense. */
    private static double[] tinyForward(double[] x, double[][] p, int n) {
        Geometry g = Geometry.valid(n, 5, 5, 1, 2, 3, 3, 1, 1);
        double[] conv = ReferenceConv2d.forward(g, x, p[0], p[1]);
        for (int i = 0; i < conv.length; i++) {
            conv[i] = ReferenceTraining.activate(Act.RELU, conv[i]);
        }
        return ReferenceDense.forward(conv, p[2], p[3], n, 18, 3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void predictMatchesForwardInAnyBatching(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        int n = Sequential.PREDICT_BATCH + 3;
        float[] x = TestData.uniform(n * 25, 3);
        try (Sequential m = tiny(cl, 9); Tensor xt = Tensor.of(cl, Shape.of(n, 5, 5, 1), Layout.NHWC, x)) {
            float[] all = m.forward(xt, false).toArray();
            float[] predicted = m.predict(x);
            assertArrayEquals(all, predicted, "batches of " + Sequential.PREDICT_BATCH + " and the rest");
            int[] classes = m.predictClasses(x);
            assertEquals(n, classes.length);
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < 3; j++) {
                    assertTrue(all[r * 3 + classes[r]] >= all[r * 3 + j]);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> m.predict(new float[26]));
        }
    }

    /**
     * Inference mode runs the ops kernels over packed copies of the weights, training mode im2col and
     * a GEMM over the store: after an optimizer step both must see the new weights. The two paths
     * may round differently (other summation orders), hence the training tolerances.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void inferenceForwardSeesTheWeightsOfTheLastStep(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        int n = 6;
        float[] x = TestData.uniform(n * 25, 5);
        try (Sequential m = tiny(cl, 4); Sgd sgd = new Sgd(0.5f);
             Tensor xt = Tensor.of(cl, Shape.of(n, 5, 5, 1), Layout.NHWC, x);
             Tensor dy = Tensor.of(cl, Shape.of(n, 3), Layout.ROW_MAJOR, TestData.uniform(n * 3, 6))) {
            float[] before = m.forward(xt, false).toArray();
            for (int step = 0; step < 2; step++) {
                float[] trained = m.forward(xt, true).toArray();
                float[] inferred = m.forward(xt, false).toArray();
                assertClose("inference vs training forward, step " + step, inferred, toDouble(trained),
                        Tolerances.TRAIN_RTOL, Tolerances.TRAIN_ATOL);
                m.forward(xt, true);
                m.backward(dy);
                sgd.step(m.parameterStore());
            }
            float[] after = m.forward(xt, false).toArray();
            assertFalse(Arrays.equals(before, after), "the steps changed the predictions");
            assertClose("inference vs training forward after the steps", after, toDouble(m.forward(xt, true).toArray()),
                    Tolerances.TRAIN_RTOL, Tolerances.TRAIN_ATOL);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void predictAfterLoadUsesTheLoadedWeights(ClDevice device, @TempDir Path dir) throws IOException {
        ClContext cl = CONTEXTS.on(device);
        Path file = dir.resolve("tiny.weights");
        float[] x = TestData.uniform(5 * 25, 8);
        try (Sequential a = tiny(cl, 11); Sequential b = tiny(cl, 12)) {
            a.save(file);
            float[] own = b.predict(x);     // packs b's own weights first
            b.load(file);
            float[] loaded = b.predict(x);
            assertFalse(Arrays.equals(own, loaded));
            assertArrayEquals(a.predict(x), loaded, "predictions of the loaded weights");
            b.initialize(12);
            assertArrayEquals(own, b.predict(x), "initialize repacks as well");
        }
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void saveAndLoadRoundTrip(ClDevice device, @TempDir Path dir) throws IOException {
        ClContext cl = CONTEXTS.on(device);
        Path file = dir.resolve("tiny.weights");
        float[] x = TestData.uniform(4 * 25, 1);
        try (Sequential a = tiny(cl, 1); Sequential b = tiny(cl, 2)) {
            a.save(file);
            assertFalse(Arrays.equals(a.predict(x), b.predict(x)));
            b.load(file);
            assertArrayEquals(a.predict(x), b.predict(x), "same weights, same predictions");
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(a.parameters().get(i).read(), b.parameters().get(i).read());
            }
            a.save(file);   // overwrite in place
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(file), files.toList(), "no temporary file left behind");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void corruptTruncatedOrForeignFilesAreOneClearError(ClDevice device, @TempDir Path dir) throws IOException {
        ClContext cl = CONTEXTS.on(device);
        Path file = dir.resolve("tiny.weights");
        try (Sequential m = tiny(cl, 1)) {
            m.save(file);
            byte[] good = Files.readAllBytes(file);

            Path truncated = dir.resolve("truncated.weights");
            for (int cut : new int[] {3, 12, 40, good.length - 30, good.length - 2}) {
                Files.write(truncated, Arrays.copyOf(good, cut));
                IOException e = assertThrows(IOException.class, () -> m.load(truncated), "cut at " + cut);
                assertTrue(e.getMessage().contains(truncated.toString()) && e.getMessage().contains("truncated"),
                        e.getMessage());
            }
            Path flipped = dir.resolve("flipped.weights");
            byte[] bad = good.clone();
            bad[good.length / 2] ^= 0x10;
            Files.write(flipped, bad);
            IOException e = assertThrows(IOException.class, () -> m.load(flipped));
            assertTrue(e.getMessage().contains(flipped.toString()) && e.getMessage().contains("checksum"),
                    e.getMessage());
            Path longer = dir.resolve("longer.weights");
            Files.write(longer, Arrays.copyOf(good, good.length + 8));
            e = assertThrows(IOException.class, () -> m.load(longer));
            assertTrue(e.getMessage().contains("unexpected bytes"), e.getMessage());
            Path other = dir.resolve("other.bin");
            Files.write(other, "PK\u0003\u0004 not weights at all".getBytes());
            e = assertThrows(IOException.class, () -> m.load(other));
            assertTrue(e.getMessage().contains("not a clnn weights file"), e.getMessage());
            assertThrows(java.nio.file.NoSuchFileException.class, () -> m.load(dir.resolve("missing.weights")));

            try (Sequential wider = new Sequential(cl, Shape.of(5, 5, 1), new Conv2d(3, 3, Activation.RELU),
                    new Flatten(), new Dense(3))) {
                IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
                        () -> wider.load(file));
                assertTrue(mismatch.getMessage().contains("conv2d/kernel (3, 3, 1, 3)")
                        && mismatch.getMessage().contains("(3, 3, 1, 2)"), mismatch.getMessage());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void closedModelsAndBadLayerStacksFailClearly(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Sequential(cl, Shape.of(5, 5, 1), new Conv2d(2, 3, Activation.RELU), new Dense(3)));
        assertTrue(e.getMessage().contains("Flatten"), e.getMessage());
        Sequential m = tiny(cl, 1);
        m.close();
        m.close();
        assertThrows(IllegalStateException.class, () -> m.predict(new float[25]));
        assertThrows(IllegalArgumentException.class, () -> new Sequential(cl, Shape.of(1), List.of()));
    }

    private static boolean allZero(float[] f) {
        for (float v : f) {
            if (v != 0f) {
                return false;
            }
        }
        return true;
    }
}
