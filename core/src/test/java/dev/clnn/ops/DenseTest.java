package dev.clnn.ops;

import static dev.clnn.ops.Conv2dTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.ReferenceConv;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestData;
import dev.clnn.testing.TestDevices;

/** Dense layers through every matrix-product kernel on every device against the reference. */
class DenseTest {
    private static final Contexts CONTEXTS = new Contexts();

    private static final GemmConfig[] VARIANTS = {
        GemmConfig.general(),
        GemmConfig.cpu(6, 16, 2),
        GemmConfig.cpu(3, 4, 1),
        GemmConfig.cpu(1, 16, 4, 1, 128),      // the blocks of one row a single-row result takes on CPUs
        GemmConfig.tiled(64, 64, 16, 4, 4),
        GemmConfig.tiled(32, 64, 8, 4, 8),
        GemmConfig.tiled(32, 32, 8, 4, 4, 0, 2),
    };

    /** batch, in, out, bias (1/0), activation: ones, primes, off-tile sizes, MNIST and MobileNet heads. */
    private static final Object[][] SHAPES = {
        {1, 1, 1, 1, Activation.NONE}, {1, 7, 5, 1, Activation.RELU}, {3, 17, 5, 0, Activation.NONE},
        {5, 33, 65, 1, Activation.SIGMOID}, {2, 64, 10, 1, Activation.NONE}, {1, 130, 3, 0, Activation.RELU6},
    };
    private static final Object[][] LARGE_SHAPES = {
        {1, 5408, 128, 1, Activation.RELU}, {32, 128, 10, 1, Activation.NONE}, {1, 1024, 1000, 1, Activation.NONE},
        {4, 1280, 1001, 1, Activation.NONE}, {67, 300, 129, 0, Activation.TANH},
    };

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    static Stream<Arguments> cases() {
        return TestDevices.crossedWith(VARIANTS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesReference(ClDevice device, GemmConfig config) {
        ClContext cl = CONTEXTS.on(device);
        if (!Gemm.fits(config, device)) {
            return;     // NOTE: a tile larger than the device's work-groups
        }
        List<Object[]> shapes = new ArrayList<>(List.of(SHAPES));
        if (!TestDevices.isSimulator(device)) {
            shapes.addAll(List.of(LARGE_SHAPES));
        }
        long seed = 1;
        for (Object[] s : shapes) {
            check(cl, config, (int) s[0], (int) s[1], (int) s[2], (int) s[3] == 1, (Activation) s[4], seed++);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void tunedConfigurationMatchesReference(ClDevice device) {
        check(CONTEXTS.on(device), null, 2, 100, 37, true, Activation.RELU, 9);
        check(CONTEXTS.on(device), null, 1, 1280, 1001, true, Activation.NONE, 10);     // a classifier at batch 1
    }

    /**
     * Split-K on every shape above: thin results (at most 8 rows, every row per work-item) and taller
     * ones (a row per work-item), slices that do and do not divide K.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void splitKMatchesReference(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        List<Object[]> shapes = new ArrayList<>(List.of(SHAPES));
        shapes.add(new Object[] {8, 100, 70, 1, Activation.RELU});    // the most rows of a thin result
        shapes.add(new Object[] {9, 12, 5, 0, Activation.NONE});      // the fewest of a taller one
        if (!TestDevices.isSimulator(device)) {
            shapes.addAll(List.of(LARGE_SHAPES));
            shapes.add(new Object[] {1, 21632, 128, 1, Activation.RELU});     // the MNIST CNN's dense layer
        }
        long seed = 20;
        for (GemmConfig config : new GemmConfig[] {GemmConfig.splitk(16), GemmConfig.splitk(64)}) {
            for (Object[] s : shapes) {
                check(cl, config, (int) s[0], (int) s[1], (int) s[2], (int) s[3] == 1, (Activation) s[4], seed++);
            }
        }
    }

    /**
     * A transformer's linear layer, {@code (N, S, K)} and {@code (N, A, B, K)}: the leading dimensions
     * are GEMM rows, through the tuned form and the generic one; the output keeps them.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void leadingDimensionsAreRows(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        int[][] shapes = {{2, 7, 13}, {3, 5, 2, 9}, {1, 197, 24}};
        long seed = 40;
        for (GemmConfig config : new GemmConfig[] {null, GemmConfig.general()}) {
            for (int[] d : shapes) {
                Shape in = Shape.of(d);
                int k = d[d.length - 1];
                int m = 11;
                int rows = (int) (in.size() / k);
                float[] x = TestData.uniform(in.sizeAsInt(), seed++);
                float[] w = TestData.uniform(k * m, seed++);
                float[] b = TestData.uniform(m, seed++);
                try (Tensor xt = Tensor.of(cl, in, x);
                     Tensor wt = Tensor.of(cl, Shape.of(k, m), w);
                     Tensor bt = Tensor.of(cl, Shape.of(m), b);
                     Dense dense = config == null ? Dense.configure(cl, in, wt, bt, Activation.RELU)
                             : Dense.configure(cl, in, wt, bt, Activation.RELU, config);
                     Tensor y = Tensor.allocate(cl, in.with(-1, m))) {
                    assertEquals(in.with(-1, m), dense.outputShape());
                    y.buffer().fill(Float.NaN);
                    dense.run(xt, y);
                    compare("Dense " + dense.config() + " " + in, y.toArray(),
                            ReferenceConv.dense(x, rows, k, w, m, b, v -> Math.max(0, v)), k);
                }
            }
        }
    }

    private static void check(ClContext cl, GemmConfig config, int n, int k, int m, boolean hasBias, Activation act,
                              long seed) {
        float[] x = TestData.uniform(n * k, seed * 5);
        float[] w = TestData.uniform(k * m, seed * 5 + 1);
        float[] w2 = TestData.uniform(k * m, seed * 5 + 2);
        float[] b = hasBias ? TestData.uniform(m, seed * 5 + 3) : null;
        try (Tensor xt = Tensor.of(cl, Shape.of(n, k), x);
             Tensor wt = Tensor.of(cl, Shape.of(k, m), w);
             Tensor bt = hasBias ? Tensor.of(cl, Shape.of(m), b) : null;
             Dense dense = config == null ? Dense.configure(cl, Shape.of(n, k), wt, bt, act)
                     : Dense.configure(cl, Shape.of(n, k), wt, bt, act, config);
             Tensor y = Tensor.allocate(cl, Shape.of(n, m))) {
            assertEquals(Shape.of(n, m), dense.outputShape());
            String what = "Dense " + dense.config() + " (" + n + ", " + k + ") x (" + k + ", " + m + ") " + act;
            y.buffer().fill(Float.NaN);
            dense.run(xt, y);
            compare(what, y.toArray(), ReferenceConv.dense(x, n, k, w, m, b, v -> act.apply((float) v)), k);
            wt.copyFrom(w2);
            dense.reloadWeights();
            dense.run(xt, y);
            compare(what + " after reloadWeights", y.toArray(),
                    ReferenceConv.dense(x, n, k, w2, m, b, v -> act.apply((float) v)), k);
        }
    }

    private static void compare(String what, float[] actual, float[] expected, int k) {
        Comparison cmp = Comparison.of(actual, expected, Tolerances.CONV_RTOL, Tolerances.convAtol(k));
        assertTrue(cmp.passed(), () -> what + ": " + cmp.describe(actual, expected));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsMistakesNamingTheShapes(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        try (Tensor w = Tensor.of(cl, Shape.of(12, 5), TestData.uniform(60, 1));
             Tensor b = Tensor.of(cl, Shape.of(4), new float[4])) {
            assertMessage(() -> Dense.configure(cl, Shape.of(2, 11), w, null, Activation.NONE), "feature mismatch",
                    "(2, 11)", "(12, 5)");
            assertMessage(() -> Dense.configure(cl, Shape.of(2, 12), w, b, Activation.NONE), "bias (4,)",
                    "(2, 12)", "(12, 5)");
            assertMessage(() -> Dense.configure(cl, Shape.of(12), w, null, Activation.NONE), "rank 2 or more",
                    "(12,)", "(12, 5)");
            assertMessage(() -> Dense.configure(cl, Shape.of(2, 3, 4), w, null, Activation.NONE), "feature mismatch",
                    "(2, 3, 4)", "(12, 5)");
            try (Dense dense = Dense.configure(cl, Shape.of(2, 12), w, null, Activation.RELU);
                 Tensor x = Tensor.of(cl, Shape.of(2, 12), TestData.uniform(24, 2));
                 Tensor y = Tensor.allocate(cl, Shape.of(2, 5));
                 Tensor wrong = Tensor.allocate(cl, Shape.of(2, 6))) {
                assertMessage(() -> dense.run(x, wrong), "Dense: output has shape (2, 6) but (2, 5)");
                dense.run(x, y);
                x.close();
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> dense.run(x, y));
                assertTrue(e.getMessage().contains("used after close"), e.getMessage());
                dense.close();
                e = assertThrows(IllegalStateException.class, () -> dense.run(y, y));
                assertTrue(e.getMessage().contains("Dense") && e.getMessage().contains("closed"), e.getMessage());
            }
        }
    }
}
