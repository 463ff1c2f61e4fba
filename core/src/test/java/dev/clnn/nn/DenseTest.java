package dev.clnn.nn;

import static dev.clnn.testing.GradientCheck.assertClose;
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
import dev.clnn.ops.Activation;
import dev.clnn.reference.ReferenceDense;
import dev.clnn.reference.ReferenceTraining;
import dev.clnn.reference.ReferenceTraining.Act;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.GradientCheck;
import dev.clnn.testing.TestDevices;

/** Dense forward, input, weight and bias gradients against the reference and finite differences. */
class DenseTest {
    private static final Contexts CONTEXTS = new Contexts();

    /** n, in, out: ones, primes, and sizes large enough for the blocked GEMM variants. */
    private static final int[][] CASES = {
        {1, 1, 1}, {3, 7, 5}, {2, 13, 10}, {5, 64, 33}, {32, 97, 17},
    };

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (ClDevice d : TestDevices.all()) {
            for (Activation a : LayerTesting.ACTIVATIONS) {
                out.add(Arguments.of(d, a));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesReferenceAndFiniteDifferences(ClDevice device, Activation activation) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 40;
        for (int[] c : CASES) {
            check(cl, c[0], c[1], c[2], activation, seed++);
        }
    }

    private static void check(ClContext cl, int n, int in, int out, Activation activation, long seed) {
        String what = "Dense n=" + n + " " + in + " -> " + out + " " + activation;
        Act act = LayerTesting.reference(activation);
        float[] x = LayerTesting.uniform(n * in, seed, 1f);
        float[] w = LayerTesting.uniform(in * out, seed + 100, 0.5f);
        float[] b = LayerTesting.uniform(out, seed + 200, 0.5f);
        float[] dy = LayerTesting.uniform(n * out, seed + 300, 1f);
        double[] xd = ReferenceTraining.toDouble(x);
        double[] wd = ReferenceTraining.toDouble(w);
        double[] bd = ReferenceTraining.toDouble(b);
        double[] dyd = ReferenceTraining.toDouble(dy);
        try (Dense dense = new Dense(out, activation)) {
            assertEquals(Shape.of(out), dense.build(cl, Shape.of(in)));
            try (ParameterStore store = ParameterStore.allocate(cl, dense.parameters());
                 Tensor xt = Tensor.of(cl, Shape.of(n, in), x);
                 Tensor dyt = Tensor.of(cl, Shape.of(n, out), dy)) {
                assertEquals((long) in * out + out, store.count());
                dense.kernel().write(w);
                dense.bias().write(b);
                float[] y = dense.forward(xt, true).toArray();
                double[] z = ReferenceDense.forward(xd, wd, bd, n, in, out);
                assertClose(what + " forward", y, LayerTesting.activate(act, z), Tolerances.TRAIN_RTOL,
                        Tolerances.TRAIN_ATOL);

                float[] dx = dense.backward(dyt, true).toArray();
                float[] dw = dense.kernel().readGradient();
                float[] db = dense.bias().readGradient();
                double[] dz = LayerTesting.activationGrad(act, dyd, z);
                assertClose(what + " dx vs reference", dx, ReferenceDense.backwardInput(dz, wd, n, in, out),
                        Tolerances.TRAIN_RTOL, Tolerances.TRAIN_ATOL);
                assertClose(what + " dW vs reference", dw, ReferenceDense.backwardWeight(xd, dz, n, in, out),
                        Tolerances.TRAIN_RTOL, Tolerances.TRAIN_ATOL);
                assertClose(what + " db vs reference", db, ReferenceDense.columnSums(dz, n, out),
                        Tolerances.TRAIN_RTOL, Tolerances.TRAIN_ATOL);

                double[] fdx = GradientCheck.numeric(p -> objective(act, p, wd, bd, dyd, n, in, out), xd);
                double[] fdw = GradientCheck.numeric(p -> objective(act, xd, p, bd, dyd, n, in, out), wd);
                double[] fdb = GradientCheck.numeric(p -> objective(act, xd, wd, p, dyd, n, in, out), bd);
                assertClose(what + " dx vs finite differences", dx, fdx, Tolerances.GRADIENT_CHECK_RTOL,
                        Tolerances.GRADIENT_CHECK_ATOL);
                assertClose(what + " dW vs finite differences", dw, fdw, Tolerances.GRADIENT_CHECK_RTOL,
                        Tolerances.GRADIENT_CHECK_ATOL);
                assertClose(what + " db vs finite differences", db, fdb, Tolerances.GRADIENT_CHECK_RTOL,
                        Tolerances.GRADIENT_CHECK_ATOL);
            }
        }
    }

    private static double objective(Act act, double[] x, double[] w, double[] b, double[] dy, int n, int in, int out) {
        return GradientCheck.dot(dy, LayerTesting.activate(act, ReferenceDense.forward(x, w, b, n, in, out)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsWrongShapesAndBackwardWithoutForward(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        try (Dense dense = new Dense(4)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> dense.build(cl, Shape.of(3, 3, 1)));
            assertTrue(e.getMessage().contains("Flatten"), e.getMessage());
        }
        try (Dense dense = new Dense(4)) {
            dense.build(cl, Shape.of(6));
            assertThrows(IllegalStateException.class, () -> dense.kernel().read(), "no storage before allocation");
            try (ParameterStore store = ParameterStore.allocate(cl, dense.parameters());
                 Tensor x = Tensor.allocate(cl, Shape.of(2, 5));
                 Tensor dy = Tensor.allocate(cl, Shape.of(2, 4))) {
                assertEquals(6 * 4 + 4, store.count());
                IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                        () -> dense.forward(x, true));
                assertTrue(bad.getMessage().contains("(n, 6)") && bad.getMessage().contains("(2, 5)"),
                        bad.getMessage());
                assertThrows(IllegalStateException.class, () -> dense.backward(dy, true));
                assertThrows(IllegalStateException.class, () -> dense.build(cl, Shape.of(6)), "built twice");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Dense(0));
    }
}
