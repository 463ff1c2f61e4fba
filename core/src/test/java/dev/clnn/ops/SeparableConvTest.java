package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * A depthwise and a pointwise convolution as one GEMM (A_DEPTHWISE) against the plain-Java reference
 * of the two in turn: strides, padding on every side,
 * dilation, channel counts off every vector width, rows past the last block, K slices that start
 * inside a vector, with and without the depthwise bias, each depthwise activation the kernels take,
 * and both residual modes, through the CPU and the tiled forms on every device; and the forms that
 * cannot compute it refused.
 */
class SeparableConvTest {
    private static final Contexts CONTEXTS = new Contexts();
    private static final Conv2dParams P = Conv2dParams.defaults();

    /** One block: the input, the depthwise kernel and parameters, its bias, and the pointwise layer. */
    record Case(String name, Shape input, int kh, int kw, Conv2dParams dw, boolean dwBias, int cout, Conv2dParams pw) {
        int channels() { return input.dim(3); }

        @Override
        public String toString() { return name; }
    }

    /**
     * The table's choice (null), CPU forms whose blocks, strips and slices do not fit the shapes evenly,
     * and tiled forms (a slice deeper than some inputs' channels, and tiles wider than the output).
     */
    private static final GemmConfig[] FORMS = {
        null,
        GemmConfig.cpu(3, 4, 2),
        // strips of two blocks in K slices of 5: runs of channels that start inside a vector
        GemmConfig.cpu(3, 4, 2, 6, 5),
        GemmConfig.cpu(2, 8, 1, 4, 16),
        GemmConfig.tiled(32, 32, 8, 4, 4),
        GemmConfig.tiled(64, 32, 16, 8, 4),
        GemmConfig.tiled(32, 32, 8, 4, 4, 0, 2),    // K groups
    };

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("mobilenet block, relu6", Shape.of(1, 9, 10, 16), 3, 3, P.withPadding(1)
                .withGroups(16).withActivation(Activation.RELU6), true, 8, P));
        c.add(new Case("keras same stride 2, relu, 20 channels", Shape.of(2, 11, 9, 20), 3, 3,
                P.withStride(2).withSamePadding(11, 9, 3, 3).withGroups(20).withActivation(Activation.RELU), true, 24,
                P.withActivation(Activation.RELU6)));
        c.add(new Case("5x5 dilated, 7 channels, no depthwise bias or activation, residual then relu6",
                Shape.of(1, 8, 7, 7), 5, 5, P.withDilation(2).withPadding(4).withGroups(7), false, 5,
                P.withActivation(Activation.RELU6).withResidual(Residual.ADD_THEN_ACTIVATE)));
        c.add(new Case("every row at an edge, 33 channels, clip then residual", Shape.of(3, 3, 3, 33), 3, 3,
                P.withPadding(1, 0, 1, 2).withGroups(33).withActivation(Activation.clip(-0.5f, 0.25f)), true, 6,
                P.withActivation(Activation.RELU).withResidual(Residual.ACTIVATE_THEN_ADD)));
        c.add(new Case("3x1 stride 2x1, 12 channels", Shape.of(1, 10, 6, 12), 3, 1,
                P.withStride(2, 1).withPadding(1, 0, 1, 0).withGroups(12).withActivation(Activation.RELU6), true, 17, P));
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
    void computesTheTwoConvolutionsInTurn(ClDevice device, Case c) {
        ClContext cl = CONTEXTS.on(device);
        int ch = c.channels();
        float[] dw = TestData.uniform(c.kh() * c.kw() * ch, 1);
        float[] db = c.dwBias() ? TestData.uniform(ch, 2) : null;
        float[] pw = TestData.uniform(ch * c.cout(), 3);
        float[] pb = TestData.uniform(c.cout(), 4);
        float[] x = TestData.uniform(c.input().sizeAsInt(), 5);
        Shape middle = c.dw().outputShape(c.input(), Shape.of(c.kh(), c.kw(), 1, ch), null);
        Shape out = Shape.of(middle.dim(0), middle.dim(1), middle.dim(2), c.cout());
        boolean residual = c.pw().residual() != Residual.NONE;
        float[] r = residual ? TestData.uniform(out.sizeAsInt(), 6) : null;
        float[] expected = reference(c, x, dw, db, pw, pb, r, middle);
        for (GemmConfig form : FORMS) {
            if (form != null && TestDevices.isSimulator(device) && form.variant() == GemmConfig.Variant.TILED
                    && c.input().dim(0) > 1) {
                continue;       // (under Oclgrind the tiled forms take the single-image cases: time)
            }
            try (Tensor w1 = Tensor.of(cl, Shape.of(c.kh(), c.kw(), 1, ch), dw);
                 Tensor b1 = db == null ? null : Tensor.of(cl, Shape.of(ch), db);
                 Tensor w2 = Tensor.of(cl, Shape.of(1, 1, ch, c.cout()), pw);
                 Tensor b2 = Tensor.of(cl, Shape.of(c.cout()), pb);
                 Tensor xt = Tensor.of(cl, c.input(), Layout.NHWC, x);
                 Tensor rt = r == null ? null : Tensor.of(cl, out, Layout.NHWC, r);
                 Tensor y = Tensor.allocate(cl, out, Layout.NHWC);
                 SeparableConv op = form == null
                         ? SeparableConv.configure(cl, c.dw(), c.pw(), c.input(), w1, b1, w2, b2)
                         : SeparableConv.configure(cl, c.dw(), c.pw(), c.input(), w1, b1, w2, b2, form)) {
                y.buffer().fill(Float.NaN);       // every output must be written
                op.run(xt, rt, y);
                float[] actual = y.toArray();
                Comparison cmp = Comparison.of(actual, expected, Tolerances.CONV_RTOL,
                        Tolerances.convAtol(c.kh() * c.kw() + ch));
                assertTrue(cmp.passed(), () -> c + " " + op.config() + ": " + cmp.describe(actual, expected));
            }
        }
    }

    /** The depthwise convolution, then the pointwise one, in plain Java. */
    private static float[] reference(Case c, float[] x, float[] dw, float[] db, float[] pw, float[] pb, float[] r,
                                     Shape middle) {
        Shape in = c.input();
        Conv2dParams d = c.dw();
        ReferenceConv.Geometry g1 = new ReferenceConv.Geometry(in.dim(0), in.dim(1), in.dim(2), in.dim(3), c.kh(),
                c.kw(), in.dim(3), d.strideH(), d.strideW(), d.dilationH(), d.dilationW(), d.padTop(), d.padLeft(),
                d.padBottom(), d.padRight(), d.groups());
        Activation a1 = d.activation();
        float[] mid = ReferenceConv.conv2d(g1, x, dw, db, v -> a1.apply((float) v), null, true);
        ReferenceConv.Geometry g2 = new ReferenceConv.Geometry(middle.dim(0), middle.dim(1), middle.dim(2),
                middle.dim(3), 1, 1, c.cout(), 1, 1, 1, 1, 0, 0, 0, 0, 1);
        Activation a2 = c.pw().activation();
        boolean before = c.pw().residual() != Residual.ACTIVATE_THEN_ADD;
        return ReferenceConv.conv2d(g2, mid, pw, pb, v -> a2.apply((float) v), r, before);
    }

    @Test
    void onlySeparableBlocksFit() {
        Conv2dParams dw = P.withPadding(1).withGroups(8).withActivation(Activation.RELU6);
        Shape dws = Shape.of(3, 3, 1, 8);
        Shape pws = Shape.of(1, 1, 8, 4);
        assertTrue(SeparableConv.fits(dw, dws, P, pws));
        assertFalse(SeparableConv.fits(dw.withActivation(Activation.HARD_SWISH), dws, P, pws),
                "the kernel applies no activation but a clamp to the depthwise output");
        assertFalse(SeparableConv.fits(dw.withResidual(Residual.ADD_THEN_ACTIVATE), dws, P, pws));
        assertFalse(SeparableConv.fits(dw.withGroups(1), Shape.of(3, 3, 8, 8), P, pws), "not depthwise");
        assertFalse(SeparableConv.fits(dw, dws, P.withStride(2), pws), "a strided pointwise layer");
        assertFalse(SeparableConv.fits(dw, dws, P, Shape.of(3, 3, 8, 4)), "not pointwise");
        assertFalse(SeparableConv.fits(dw, dws, P.withPadding(1), pws), "a padded pointwise layer");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void formsThatCannotComputeADepthwiseAAreRefused(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Conv2dParams dw = P.withPadding(1).withGroups(8);
        try (Tensor w1 = Tensor.of(cl, Shape.of(3, 3, 1, 8), new float[72]);
             Tensor w2 = Tensor.of(cl, Shape.of(1, 1, 8, 4), new float[32])) {
            for (GemmConfig form : new GemmConfig[] {GemmConfig.tiled(32, 32, 8, 4, 4, 16), GemmConfig.splitk(8),
                GemmConfig.general()}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SeparableConv.configure(
                        cl, dw, P, Shape.of(1, 6, 6, 8), w1, null, w2, null, form), form.toString());
                assertTrue(e.getMessage().contains("depthwise A"), e.getMessage());
            }
        }
    }

    /** auto: one panel of blocks on a few cores, every block on many (where a launch costs PoCL more). */
    @Test
    void autoJoinsEveryBlockOnManyCores() {
        String avx512 = "pthread-skylake-avx512-Intel(R) Xeon(R) Processor";
        ClDevice two = dev.clnn.cl.FakeDevices.of(0, "The pocl project", avx512, dev.clnn.cl.DeviceType.CPU, true, 2);
        ClDevice sixteen = dev.clnn.cl.FakeDevices.of(0, "The pocl project", avx512, dev.clnn.cl.DeviceType.CPU, true,
                SeparableConv.MANY_CORES * 2);
        assertTrue(SeparableConv.widestOn(two) == 64, "two AVX-512 cores: one panel of 4 x 16 columns");
        assertTrue(SeparableConv.widestOn(sixteen) == Integer.MAX_VALUE, "16 cores: every block");
        assertTrue(SeparableConv.widestOn(dev.clnn.cl.FakeDevices.h200()) == 0, "GPUs: none");
    }

    @Test
    void theModePropertyIsChecked() {
        ClDevice device = TestDevices.all().get(0);
        String before = System.getProperty(SeparableConv.PROPERTY);
        try {
            System.setProperty(SeparableConv.PROPERTY, "off");
            assertTrue(SeparableConv.widestOn(device) == 0);
            System.setProperty(SeparableConv.PROPERTY, "all");
            assertTrue(SeparableConv.widestOn(device) == Integer.MAX_VALUE, device.name());
            System.setProperty(SeparableConv.PROPERTY, "sometimes");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SeparableConv.widestOn(device));
            assertTrue(e.getMessage().contains("auto, off or all"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(SeparableConv.PROPERTY);
            } else {
                System.setProperty(SeparableConv.PROPERTY, before);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void runRefusesWrongTensors(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Conv2dParams dw = P.withPadding(1).withGroups(8);
        try (Tensor w1 = Tensor.of(cl, Shape.of(3, 3, 1, 8), new float[72]);
             Tensor w2 = Tensor.of(cl, Shape.of(1, 1, 8, 8), new float[64]);
             Tensor x = Tensor.allocate(cl, Shape.of(1, 4, 4, 8), Layout.NHWC);
             Tensor small = Tensor.allocate(cl, Shape.of(1, 2, 2, 8), Layout.NHWC);
             SeparableConv op = SeparableConv.configure(cl, dw, P, Shape.of(1, 4, 4, 8), w1, null, w2, null)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> op.run(x, null, x));
            assertTrue(e.getMessage().contains("must not share a buffer"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> op.run(x, null, small));
            assertTrue(e.getMessage().contains("SeparableConv") && e.getMessage().contains("output"), e.getMessage());
            Tensor y = Tensor.allocate(cl, Shape.of(1, 4, 4, 8), Layout.NHWC);
            try (y) {
                e = assertThrows(IllegalArgumentException.class, () -> op.run(x, y, y));
                assertTrue(e.getMessage().contains("parameters add none"), e.getMessage());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void aBlockThatIsNotSeparableIsRefusedByName(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        try (Tensor w1 = Tensor.of(cl, Shape.of(3, 3, 1, 8), new float[72]);
             Tensor w2 = Tensor.of(cl, Shape.of(1, 1, 8, 4), new float[32])) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SeparableConv.configure(cl,
                    P.withGroups(8).withActivation(Activation.SIGMOID), P, Shape.of(1, 5, 5, 8), w1, null, w2, null));
            assertTrue(e.getMessage().contains("SeparableConv") && e.getMessage().contains("not a separable block"),
                    e.getMessage());
        }
    }
}
