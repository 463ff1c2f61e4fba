package dev.clnn.nn;

import static dev.clnn.testing.GradientCheck.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.ops.Activation;
import dev.clnn.reference.ReferenceConv2d;
import dev.clnn.reference.ReferenceConv2d.Geometry;
import dev.clnn.reference.ReferenceTraining;
import dev.clnn.reference.ReferenceTraining.Act;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.GradientCheck;
import dev.clnn.testing.TestDevices;

/**
 * Conv2d's forward pass and its three gradients (input through col2im, weight, bias) against the
 * direct-loop reference and against central finite differences, over strides, both paddings, the
 * 1x1 fast path and every trainable activation.
 */
class Conv2dTest {
    private static final Contexts CONTEXTS = new Contexts();

    /** n, h, w, c, filters, kh, kw, stride, same padding (1) or valid (0). */
    private static final int[][] CASES = {
        {2, 5, 6, 3, 4, 3, 2, 1, 0},
        {1, 7, 5, 2, 3, 3, 3, 2, 1},
        {3, 4, 4, 5, 2, 1, 1, 1, 0},      // pointwise: no im2col
        {2, 6, 6, 1, 32, 3, 3, 1, 0},     // the quickstart layer, smaller
        {1, 1, 1, 1, 1, 1, 1, 1, 0},
        {2, 9, 7, 3, 5, 5, 3, 2, 1},      // odd total padding: the extra row and column at the end
        {1, 4, 5, 2, 3, 2, 2, 3, 0},      // stride larger than the kernel: some input never read
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
        long seed = 10;
        for (int[] c : CASES) {
            check(cl, c, activation, seed++);
        }
    }

    private static void check(ClContext cl, int[] c, Activation activation, long seed) {
        Padding padding = c[8] == 1 ? Padding.SAME : Padding.VALID;
        Geometry g = geometry(c, padding);
        String what = "Conv2d n=" + c[0] + " " + c[1] + "x" + c[2] + "x" + c[3] + " -> " + c[4] + " kernel " + c[5]
                + "x" + c[6] + " stride " + c[7] + " " + padding + " " + activation;
        Act act = LayerTesting.reference(activation);
        float[] x = LayerTesting.uniform(g.inputSize(), seed, 1f);
        float[] w = LayerTesting.uniform(g.weightSize(), seed + 100, 0.5f);
        float[] b = LayerTesting.uniform(g.oc(), seed + 200, 0.5f);
        float[] dy = LayerTesting.uniform(g.outputSize(), seed + 300, 1f);
        double[] xd = ReferenceTraining.toDouble(x);
        double[] wd = ReferenceTraining.toDouble(w);
        double[] bd = ReferenceTraining.toDouble(b);
        double[] dyd = ReferenceTraining.toDouble(dy);

        try (Conv2d conv = new Conv2d(c[4], c[5], c[6], c[7], padding, activation)) {
            Shape out = conv.build(cl, Shape.of(c[1], c[2], c[3]));
            assertEquals(Shape.of(g.oh(), g.ow(), g.oc()), out, what);
            try (ParameterStore store = ParameterStore.allocate(cl, conv.parameters());
                 Tensor xt = Tensor.of(cl, Shape.of(c[0], c[1], c[2], c[3]), Layout.NHWC, x);
                 Tensor dyt = Tensor.of(cl, Shape.of(c[0], g.oh(), g.ow(), g.oc()), Layout.NHWC, dy)) {
                assertEquals(g.weightSize() + g.oc(), store.count(), "kernel and bias in one flat store");
                conv.kernel().write(w);
                conv.bias().write(b);
                float[] y = conv.forward(xt, true).toArray();
                double[] z = ReferenceConv2d.forward(g, xd, wd, bd);
                assertClose(what + " forward", y, LayerTesting.activate(act, z), Tolerances.TRAIN_RTOL,
                        Tolerances.TRAIN_ATOL);

                float[] dx = conv.backward(dyt, true).toArray();
                float[] dw = conv.kernel().readGradient();
                float[] db = conv.bias().readGradient();
                double[] dz = LayerTesting.activationGrad(act, dyd, z);
                double[] dxRef = ReferenceConv2d.backwardInput(g, dz, wd);
                double[] dwRef = ReferenceConv2d.backwardWeight(g, xd, dz);
                double[] dbRef = ReferenceConv2d.backwardBias(g, dz);
                assertClose(what + " dx vs reference", dx, dxRef, Tolerances.TRAIN_RTOL, Tolerances.TRAIN_ATOL);
                assertClose(what + " dW vs reference", dw, dwRef, Tolerances.TRAIN_RTOL, Tolerances.TRAIN_ATOL);
                assertClose(what + " db vs reference", db, dbRef, Tolerances.TRAIN_RTOL, Tolerances.TRAIN_ATOL);

                // L = sum(dy * act(conv(x, w) + b)) in double; its gradients are what backward computes
                double[] fdx = GradientCheck.numeric(p -> objective(g, act, p, wd, bd, dyd), xd);
                double[] fdw = GradientCheck.numeric(p -> objective(g, act, xd, p, bd, dyd), wd);
                double[] fdb = GradientCheck.numeric(p -> objective(g, act, xd, wd, p, dyd), bd);
                assertClose(what + " dx vs finite differences", dx, fdx, Tolerances.GRADIENT_CHECK_RTOL,
                        Tolerances.GRADIENT_CHECK_ATOL);
                assertClose(what + " dW vs finite differences", dw, fdw, Tolerances.GRADIENT_CHECK_RTOL,
                        Tolerances.GRADIENT_CHECK_ATOL);
                assertClose(what + " db vs finite differences", db, fdb, Tolerances.GRADIENT_CHECK_RTOL,
                        Tolerances.GRADIENT_CHECK_ATOL);
                // the reference's own gradients agree with the differences to double precision
                assertClose(what + " reference dW vs finite differences", dwRef, fdw, 1e-6f, 1e-6f);
            }
        }
    }

    private static double objective(Geometry g, Act act, double[] x, double[] w, double[] b, double[] dy) {
        return GradientCheck.dot(dy, LayerTesting.activate(act, ReferenceConv2d.forward(g, x, w, b)));
    }

    /** The reference geometry, derived here from Keras' definition of the paddings. */
    private static Geometry geometry(int[] c, Padding padding) {
        int n = c[0];
        int h = c[1];
        int w = c[2];
        int k = c[7];
        if (padding == Padding.VALID) {
            return Geometry.valid(n, h, w, c[3], c[4], c[5], c[6], k, k);
        }
        int oh = (h + k - 1) / k;
        int ow = (w + k - 1) / k;
        int padH = Math.max(0, (oh - 1) * k + c[5] - h);
        int padW = Math.max(0, (ow - 1) * k + c[6] - w);
        return new Geometry(n, h, w, c[3], c[4], c[5], c[6], k, k, padH / 2, padW / 2, oh, ow);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void smallerLastBatchAndNoInputGradient(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        try (Conv2d conv = new Conv2d(4, 3, Activation.RELU)) {
            conv.build(cl, Shape.of(6, 6, 2));
            try (ParameterStore store = ParameterStore.allocate(cl, conv.parameters());
                 Tensor x5 = Tensor.of(cl, Shape.of(5, 6, 6, 2), Layout.NHWC, LayerTesting.uniform(360, 1, 1f));
                 Tensor x2 = Tensor.of(cl, Shape.of(2, 6, 6, 2), Layout.NHWC, LayerTesting.uniform(144, 1, 1f));
                 Tensor dy2 = Tensor.of(cl, Shape.of(2, 4, 4, 4), Layout.NHWC, LayerTesting.uniform(128, 2, 1f))) {
                assertEquals(3 * 3 * 2 * 4 + 4, store.count());
                float[] y5 = conv.forward(x5, true).toArray();
                float[] y2 = conv.forward(x2, true).toArray();
                for (int i = 0; i < y2.length; i++) {
                    assertEquals(y5[i], y2[i], "the first two examples of a batch of 5 and of 2 agree at " + i);
                }
                assertNull(conv.backward(dy2, false));
                float[] db = conv.bias().readGradient();
                assertEquals(4, db.length);
                assertThrows(IllegalStateException.class, () -> conv.backward(
                        Tensor.allocate(cl, Shape.of(3, 4, 4, 4), Layout.NHWC), true), "no forward of batch 3");
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> conv.forward(Tensor.allocate(cl, Shape.of(2, 6, 5, 2), Layout.NHWC), true));
                assertTrue(e.getMessage().contains("(n, 6, 6, 2)") && e.getMessage().contains("(2, 6, 5, 2)"),
                        e.getMessage());
            }
        }
    }

    @Test
    void rejectsShapesItCannotTake() {
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(0, 3, Activation.RELU));
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(4, 3, Activation.HARD_SWISH),
                "no backward pass from the output");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConvGeometry.of(Shape.of(2, 2, 1), 4, 3, 3, 1, 1, Padding.VALID));
        assertTrue(e.getMessage().contains("(2, 2, 1)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConvGeometry.of(Shape.of(28, 28), 4, 3, 3, 1, 1,
                Padding.VALID));
        ConvGeometry same = ConvGeometry.of(Shape.of(2, 2, 1), 4, 3, 3, 1, 1, Padding.SAME);
        assertEquals(Shape.of(2, 2, 4), same.outputShape());
        assertEquals(1, same.pt());
        ConvGeometry odd = ConvGeometry.of(Shape.of(6, 6, 1), 4, 2, 2, 1, 1, Padding.SAME);
        assertEquals(0, odd.pt(), "SAME puts the odd padding row at the bottom");
        assertEquals(1, odd.pb());
    }
}
