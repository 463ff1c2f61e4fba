package dev.clnn.ops;

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
import dev.clnn.ops.Conv2dParams.Residual;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.ReferenceConv;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestData;
import dev.clnn.testing.TestDevices;

/**
 * A pointwise convolution of activations times a scale per image and channel (gemm_cpu.cl, A_SCALE)
 * against the plain-Java multiply and convolution: several images (each its own scale), channel
 * counts off every vector width, rows past the last block, K slices, both residual modes; through the
 * table's choice on CPUs and explicit CPU forms on every device. Devices without the CPU form in
 * their table are refused with a clear message.
 */
class ScaledPointwiseTest {
    private static final Contexts CONTEXTS = new Contexts();
    private static final Conv2dParams P = Conv2dParams.defaults();

    record Case(String name, Shape input, int cout, Conv2dParams params) {
        @Override
        public String toString() { return name; }
    }

    private static final GemmConfig[] FORMS = {
        null,
        GemmConfig.cpu(3, 4, 2),
        GemmConfig.cpu(3, 4, 2, 6, 5),
        GemmConfig.cpu(2, 8, 1, 4, 16),
    };

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("one image, 16 channels", Shape.of(1, 7, 9, 16), 8, P));
        c.add(new Case("three images, 20 channels, relu6", Shape.of(3, 5, 4, 20), 24, P.withActivation(Activation.RELU6)));
        c.add(new Case("two images, 7 channels, residual then relu", Shape.of(2, 3, 5, 7), 5,
                P.withActivation(Activation.RELU).withResidual(Residual.ADD_THEN_ACTIVATE)));
        c.add(new Case("two images, 33 channels, relu6 then residual", Shape.of(2, 4, 4, 33), 6,
                P.withActivation(Activation.RELU6).withResidual(Residual.ACTIVATE_THEN_ADD)));
        return c;
    }

    static Stream<Arguments> devicesAndCases() {
        return TestDevices.crossedWith(cases());
    }

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("devicesAndCases")
    void computesTheMultiplyAndTheConvolution(ClDevice device, Case c) {
        ClContext cl = CONTEXTS.on(device);
        Shape in = c.input();
        int ch = in.dim(3);
        Shape scaleShape = Shape.of(in.dim(0), 1, 1, ch);
        Shape out = Shape.of(in.dim(0), in.dim(1), in.dim(2), c.cout());
        float[] x = TestData.uniform(in.sizeAsInt(), 1);
        float[] s = TestData.uniform(scaleShape.sizeAsInt(), 2);
        float[] w = TestData.uniform(ch * c.cout(), 3);
        float[] b = TestData.uniform(c.cout(), 4);
        boolean residual = c.params().residual() != Residual.NONE;
        float[] r = residual ? TestData.uniform(out.sizeAsInt(), 5) : null;
        float[] expected = reference(c, x, s, w, b, r);
        for (GemmConfig form : FORMS) {
            try (Tensor wt = Tensor.of(cl, Shape.of(1, 1, ch, c.cout()), w);
                 Tensor bt = Tensor.of(cl, Shape.of(c.cout()), b);
                 Tensor xt = Tensor.of(cl, in, Layout.NHWC, x);
                 Tensor st = Tensor.of(cl, scaleShape, Layout.NHWC, s);
                 Tensor rt = r == null ? null : Tensor.of(cl, out, Layout.NHWC, r);
                 Tensor y = Tensor.allocate(cl, out, Layout.NHWC)) {
                if (form == null && !device.isCpu()) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> ScaledPointwise.configure(cl, c.params(), in, wt, bt));
                    assertTrue(e.getMessage().contains("no CPU form"), e.getMessage());
                    assertTrue(!ScaledPointwise.runsOn(device), "a device without the CPU form folds no scale");
                    continue;
                }
                try (ScaledPointwise op = form == null ? ScaledPointwise.configure(cl, c.params(), in, wt, bt)
                        : ScaledPointwise.configure(cl, c.params(), in, wt, bt, form)) {
                    y.buffer().fill(Float.NaN);       // every output must be written
                    op.run(xt, st, rt, y);
                    float[] actual = y.toArray();
                    Comparison cmp = Comparison.of(actual, expected, Tolerances.CONV_RTOL, Tolerances.convAtol(ch));
                    assertTrue(cmp.passed(), () -> c + " " + op.config() + ": " + cmp.describe(actual, expected));
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> op.run(xt, xt, rt, y));
                    assertTrue(e.getMessage().contains("scale"), e.getMessage());
                }
            }
        }
    }

    /** The multiply, then the convolution, in plain Java. */
    private static float[] reference(Case c, float[] x, float[] s, float[] w, float[] b, float[] r) {
        Shape in = c.input();
        int ch = in.dim(3);
        int pixels = in.dim(1) * in.dim(2);
        float[] product = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            product[i] = x[i] * s[i / (pixels * ch) * ch + i % ch];
        }
        ReferenceConv.Geometry g = new ReferenceConv.Geometry(in.dim(0), in.dim(1), in.dim(2), ch, 1, 1, c.cout(), 1, 1,
                1, 1, 0, 0, 0, 0, 1);
        Activation a = c.params().activation();
        boolean before = c.params().residual() != Residual.ACTIVATE_THEN_ADD;
        return ReferenceConv.conv2d(g, product, w, b, v -> a.apply((float) v), r, before);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void onlyPointwiseConvolutionsAreTaken(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        try (Tensor w = Tensor.of(cl, Shape.of(3, 3, 4, 4), new float[144])) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScaledPointwise.configure(cl,
                    P.withPadding(1), Shape.of(1, 5, 5, 4), w, null, GemmConfig.cpu(3, 4, 2)));
            assertTrue(e.getMessage().contains("ScaledPointwise") && e.getMessage().contains("pointwise"),
                    e.getMessage());
        }
    }
}
