package dev.clnn.ops;

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
import dev.clnn.ops.Conv2dParams.Residual;
import dev.clnn.ops.ConvHarness.Case;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.ReferenceCast;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.DType;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestData;
import dev.clnn.testing.TestDevices;

/**
 * Half-precision storage on every device: the casts exactly as the plain-Java rounding
 * ({@link ReferenceCast}), every convolution kernel and every GEMM form built with {@code STORE_HALF}
 * (input, output and residual halves, and the weights of the forms that pack them) against the
 * reference computed from the same half-rounded values and rounded to half, the joined depthwise-pointwise and normalised products, and the type
 * checks that keep half and fp32 tensors apart.
 */
class HalfStorageTest {
    private static final Contexts CONTEXTS = new Contexts();
    private static final Conv2dParams P = Conv2dParams.defaults();
    private static final Conv2dParams H = P.withStorage(DType.FLOAT16);

    @AfterAll
    static void close() {
        CONTEXTS.close();
    }

    /** Values across the half range and past it: subnormals, ties, overflow, signed zeros. */
    private static float[] castValues(int n, long seed) {
        float[] u = TestData.uniform(n, seed);
        float[] v = new float[n];
        float[] special = {0.0f, -0.0f, 65504.0f, 65520.0f, -70000.0f, 0x1p-24f, 0x1p-25f, 0x1.8p-24f, 3e-8f,
            1.0f + 0x1p-11f, 1.0f + 0x3p-11f, 2049.0f, 2051.0f, Float.POSITIVE_INFINITY, Float.MIN_VALUE};
        for (int i = 0; i < n; i++) {
            v[i] = i < special.length ? special[i] : (float) (u[i] * Math.pow(2, (i % 44) - 26));
        }
        return v;
    }

    static Stream<Arguments> castVariants() {
        return TestDevices.crossedWith(new Object[] {
            KernelConfig.of(ElementwiseMap.Variant.GENERAL, 1, 64),
            KernelConfig.of(ElementwiseMap.Variant.VECTOR, 4, 64),
            KernelConfig.of(ElementwiseMap.Variant.VECTOR, 16, 64)});
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("castVariants")
    void castsRoundToNearestEvenAndWidenExactly(ClDevice device, KernelConfig<ElementwiseMap.Variant> config) {
        ClContext cl = CONTEXTS.on(device);
        for (int n : new int[] {1, 15, 1003}) {
            Shape s = Shape.of(n);
            float[] x = castValues(n, n);
            float[] expected = ReferenceCast.round(x);
            try (Cast toHalf = Cast.configure(cl, DType.FLOAT16, s, config);
                 Cast toFloat = Cast.configure(cl, DType.FLOAT32, s, config);
                 Tensor xt = Tensor.of(cl, s, x);
                 Tensor h = Tensor.allocate(cl, s, Layout.ROW_MAJOR, DType.FLOAT16);
                 Tensor y = Tensor.allocate(cl, s, Layout.ROW_MAJOR)) {
                y.buffer().fill(Float.NaN);
                toHalf.run(xt, h);
                toFloat.run(h, y);
                float[] actual = y.toArray();
                for (int i = 0; i < n; i++) {
                    assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]), "n=" + n
                            + " element " + i + ": " + x[i] + " became " + actual[i] + ", expected " + expected[i]);
                }
            }
        }
    }

    /** Every convolution kernel, and the GEMM family's forms reading an im2col A and a plain A. */
    private static final Conv2dConfig[] VARIANTS = {
        null,
        Conv2dConfig.general(),
        Conv2dConfig.direct(16, 4),
        Conv2dConfig.direct(4, 3),
        Conv2dConfig.depthwiseBlocked(8, 4),
        Conv2dConfig.depthwise(4),
        Conv2dConfig.implicitGemm(GemmConfig.general()),
        Conv2dConfig.implicitGemm(GemmConfig.cpu(3, 4, 2)),
        Conv2dConfig.implicitGemm(GemmConfig.cpu(3, 4, 2, 6, 5)),
        Conv2dConfig.implicitGemm(GemmConfig.tiled(32, 32, 8, 4, 4)),
        Conv2dConfig.implicitGemm(GemmConfig.tiled(32, 32, 8, 4, 4, 24)),
        Conv2dConfig.implicitGemm(GemmConfig.splitk(7)),
        Conv2dConfig.pointwise(GemmConfig.general()),
        Conv2dConfig.pointwise(GemmConfig.cpu(6, 16, 2)),
        Conv2dConfig.pointwise(GemmConfig.cpu(3, 4, 2, 6, 5)),
        Conv2dConfig.pointwise(GemmConfig.tiled(32, 64, 8, 4, 8)),
        Conv2dConfig.pointwise(GemmConfig.tiled(32, 32, 8, 4, 4, 8)),
        Conv2dConfig.pointwise(GemmConfig.tiled(32, 32, 8, 4, 4, 0, 2)),     // K groups
        Conv2dConfig.pointwise(GemmConfig.splitk(5)),
    };

    static Stream<Arguments> convVariants() {
        return TestDevices.crossedWith(java.util.Arrays.asList(VARIANTS));
    }

    /** The cases a variant runs: its kind of convolution, with and without a residual, channel tails. */
    private static List<Case> cases(Conv2dConfig config) {
        List<Case> c = new ArrayList<>();
        Conv2dConfig.Variant v = config == null ? null : config.variant();
        if (v == null || v == Conv2dConfig.Variant.POINTWISE || v == Conv2dConfig.Variant.GENERAL) {
            c.add(ConvHarness.conv("pointwise", 2, 5, 3, 19, 1, 1, 21, H.withActivation(Activation.RELU6)));
            c.add(ConvHarness.conv("pointwise residual", 1, 7, 7, 24, 1, 1, 16, H.withResidual(
                    Residual.ADD_THEN_ACTIVATE)));
        }
        if (v == null || v == Conv2dConfig.Variant.DEPTHWISE || v == Conv2dConfig.Variant.DEPTHWISE_BLOCKED
                || v == Conv2dConfig.Variant.GENERAL) {
            c.add(ConvHarness.conv("depthwise", 1, 9, 8, 21, 3, 3, 21, H.withGroups(21).withPadding(1)
                    .withActivation(Activation.RELU)));
            c.add(ConvHarness.conv("depthwise stride 2 residual", 1, 9, 9, 16, 3, 3, 16, H.withGroups(16)
                    .withStride(2).withPadding(1).withResidual(Residual.ACTIVATE_THEN_ADD)));
        }
        if (v == null || v == Conv2dConfig.Variant.DIRECT || v == Conv2dConfig.Variant.IMPLICIT_GEMM
                || v == Conv2dConfig.Variant.GENERAL) {
            c.add(ConvHarness.conv("3x3 stride 2", 1, 11, 10, 3, 3, 3, 19, H.withStride(2)
                    .withPadding(0, 0, 1, 1).withActivation(Activation.RELU6)));
            c.add(ConvHarness.conv("3x3 residual", 2, 6, 5, 10, 3, 3, 12, H.withPadding(1)
                    .withResidual(Residual.ADD_THEN_ACTIVATE).withActivation(Activation.RELU)));
        }
        return c;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("convVariants")
    void everyConvolutionFormStoresHalves(ClDevice device, Conv2dConfig config) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 11;
        for (Case c : cases(config)) {
            Shape ws = c.weights();
            float[] w = TestData.uniform(ws.sizeAsInt(), seed);
            float[] b = TestData.uniform(c.cout(), seed + 1);
            float[] x = TestData.uniform(c.input().sizeAsInt(), seed + 2);
            Shape out = c.params().outputShape(c.input(), ws, null);
            boolean residual = c.params().residual() != Residual.NONE;
            float[] r = residual ? TestData.uniform(out.sizeAsInt(), seed + 3) : null;
            try (Tensor wt = Tensor.of(cl, ws, w);
                 Tensor bt = Tensor.of(cl, Shape.of(c.cout()), b);
                 Conv2d conv = config == null ? Conv2d.configure(cl, c.params(), c.input(), wt, bt)
                         : Conv2d.configure(cl, c.params(), c.input(), wt, bt, config);
                 Halves xh = Halves.of(cl, c.input(), x);
                 Halves rh = r == null ? null : Halves.of(cl, out, r);
                 Halves yh = Halves.of(cl, out, null)) {
                conv.run(xh.half, rh == null ? null : rh.half, yh.half);
                float[] actual = yh.read();
                float[] expected = ReferenceCast.round(ConvHarness.reference(c, ReferenceCast.round(x),
                        halfPanels(conv.config().gemm()) ? ReferenceCast.round(w) : w, b,
                        r == null ? null : ReferenceCast.round(r)));
                String what = c + " on " + conv.config() + " " + device.name();
                Comparison cmp = Comparison.of(actual, expected, Tolerances.HALF_RTOL, Tolerances.convAtol(c.terms()));
                assertTrue(cmp.passed(), () -> what + ": " + cmp.describe(actual, expected));
            }
            seed += 10;
        }
    }

    /** The depthwise-pointwise product with half activations, in the CPU and the tiled forms. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void separableProductStoresHalves(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Shape in = Shape.of(1, 9, 7, 20);
        Conv2dParams dw = H.withGroups(20).withPadding(1).withActivation(Activation.RELU6);
        Conv2dParams pw = H.withResidual(Residual.ADD_THEN_ACTIVATE);
        float[] dwW = TestData.uniform(3 * 3 * 20, 1);
        float[] dwB = TestData.uniform(20, 2);
        float[] pwW = TestData.uniform(20 * 20, 3);
        float[] pwB = TestData.uniform(20, 4);
        float[] x = TestData.uniform(in.sizeAsInt(), 5);
        float[] r = TestData.uniform(in.sizeAsInt(), 6);
        Case d = new Case("dw", 1, 9, 7, 20, 3, 3, 20, dw, true);
        Case p = new Case("pw", 1, 9, 7, 20, 1, 1, 20, pw, true);
        float[] middle = ConvHarness.reference(d, ReferenceCast.round(x), dwW, dwB, null);
        // both forms read the pointwise weights from half-precision panels
        float[] expected = ReferenceCast.round(ConvHarness.reference(p, middle, ReferenceCast.round(pwW), pwB,
                ReferenceCast.round(r)));
        for (GemmConfig form : new GemmConfig[] {GemmConfig.cpu(3, 4, 2, 6, 5), GemmConfig.tiled(32, 32, 8, 4, 4)}) {
            try (Tensor dwt = Tensor.of(cl, Shape.of(3, 3, 1, 20), dwW);
                 Tensor dbt = Tensor.of(cl, Shape.of(20), dwB);
                 Tensor pwt = Tensor.of(cl, Shape.of(1, 1, 20, 20), pwW);
                 Tensor pbt = Tensor.of(cl, Shape.of(20), pwB);
                 SeparableConv op = SeparableConv.configure(cl, dw, pw, in, dwt, dbt, pwt, pbt, form);
                 Halves xh = Halves.of(cl, in, x);
                 Halves rh = Halves.of(cl, in, r);
                 Halves yh = Halves.of(cl, in, null)) {
                op.run(xh.half, rh.half, yh.half);
                float[] actual = yh.read();
                Comparison cmp = Comparison.of(actual, expected, Tolerances.HALF_RTOL, Tolerances.convAtol(9 + 20));
                assertTrue(cmp.passed(), () -> form + " on " + device.name() + ": " + cmp.describe(actual, expected));
            }
        }
    }

    /** A batch normalisation read by a pointwise convolution, with half activations. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void normalizedProductStoresHalves(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        int k = 21;
        Shape in = Shape.of(2, 3, 5, k);
        float[] gamma = TestData.uniform(k, 1);
        float[] beta = TestData.uniform(k, 2);
        float[] mean = TestData.uniform(k, 3);
        float[] variance = new float[k];
        for (int i = 0; i < k; i++) {
            variance[i] = 0.5f + Math.abs(gamma[i]);
        }
        float[] w = TestData.uniform(k * 13, 4);
        float[] x = TestData.uniform(in.sizeAsInt(), 5);
        float eps = 1e-5f;
        float[] xr = ReferenceCast.round(x);
        float[] normalised = new float[xr.length];
        for (int i = 0; i < xr.length; i++) {
            int c = i % k;
            double s = gamma[c] / Math.sqrt(variance[c] + eps);
            normalised[i] = (float) Math.max(0.0, (xr[i] - mean[c]) * s + beta[c]);
        }
        Case p = new Case("pw", 2, 3, 5, k, 1, 1, 13, H, false);
        for (GemmConfig form : new GemmConfig[] {null, GemmConfig.cpu(3, 4, 2, 6, 5), GemmConfig.tiled(32, 32, 8, 4, 4),
            GemmConfig.general(), GemmConfig.splitk(5)}) {
            BatchNormParams norm = BatchNormParams.nhwc(eps).with(Activation.RELU);
            Shape out = Shape.of(2, 3, 5, 13);
            try (Tensor wt = Tensor.of(cl, Shape.of(1, 1, k, 13), w);
                 NormalizedPointwise op = form == null
                         ? NormalizedPointwise.configure(cl, norm, gamma, beta, mean, variance, H, in, wt, null)
                         : NormalizedPointwise.configure(cl, norm, gamma, beta, mean, variance, H, in, wt, null, form);
                 Halves xh = Halves.of(cl, in, x);
                 Halves yh = Halves.of(cl, out, null)) {
                op.run(xh.half, null, yh.half);
                float[] actual = yh.read();
                float[] expected = ReferenceCast.round(ConvHarness.reference(p, normalised,
                        halfPanels(op.config()) ? ReferenceCast.round(w) : w, null, null));
                Comparison cmp = Comparison.of(actual, expected, Tolerances.HALF_RTOL, Tolerances.convAtol(k));
                assertTrue(cmp.passed(), () -> form + " on " + device.name() + ": " + cmp.describe(actual, expected));
            }
        }
    }

    /** The forms that read B from packed panels, which are halves for half-precision layers. */
    private static boolean halfPanels(GemmConfig form) {
        return form != null && (form.variant() == GemmConfig.Variant.CPU || form.variant() == GemmConfig.Variant.TILED);
    }

    /** A half tensor is not read as floats, nor a float tensor as halves; the host reads halves through a cast. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void typesAreCheckedAtEveryBoundary(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Shape in = Shape.of(1, 4, 4, 8);
        try (Tensor w = Tensor.of(cl, Shape.of(1, 1, 8, 8), TestData.uniform(64, 1));
             Conv2d single = Conv2d.configure(cl, P, in, w, null);
             Conv2d half = Conv2d.configure(cl, H, in, w, null);
             Tensor xf = Tensor.allocate(cl, in, Layout.NHWC);
             Tensor yf = Tensor.allocate(cl, in, Layout.NHWC);
             Tensor xh = Tensor.allocate(cl, in, Layout.NHWC, DType.FLOAT16);
             Tensor yh = Tensor.allocate(cl, in, Layout.NHWC, DType.FLOAT16);
             Cast toHalf = Cast.configure(cl, DType.FLOAT16, in)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> single.run(xh, yf));
            assertTrue(e.getMessage().contains("FLOAT16") && e.getMessage().contains("Cast"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> half.run(xf, yh));
            assertTrue(e.getMessage().contains("holds FLOAT32 elements but FLOAT16 is configured"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> toHalf.run(xh, yh));
            assertTrue(e.getMessage().contains("input"), e.getMessage());
            IllegalStateException s = assertThrows(IllegalStateException.class, xh::toArray);
            assertTrue(s.getMessage().contains("Cast"), s.getMessage());
            assertEquals(in.size() / 2, xh.buffer().floats(), "a half tensor takes half the memory");
        }
    }

    /** A half tensor filled from floats through a cast, and read back through one. */
    private record Halves(ClContext cl, Tensor half) implements AutoCloseable {
        static Halves of(ClContext cl, Shape shape, float[] values) {
            float[] data = values;
            if (data == null) {
                // NaN everywhere, so that an element the kernel does not write fails the comparison
                data = new float[shape.sizeAsInt()];
                java.util.Arrays.fill(data, Float.NaN);
            }
            Tensor h = Tensor.allocate(cl, shape, Layout.NHWC, DType.FLOAT16);
            try (Tensor f = Tensor.of(cl, shape, Layout.NHWC, data);
                 Cast c = Cast.configure(cl, DType.FLOAT16, shape)) {
                c.run(f, h);
            }
            return new Halves(cl, h);
        }

        float[] read() {
            try (Tensor f = Tensor.allocate(cl, half.shape(), Layout.NHWC);
                 Cast c = Cast.configure(cl, DType.FLOAT32, half.shape())) {
                c.run(half, f);
                return f.toArray();
            }
        }

        @Override
        public void close() {
            half.close();
        }
    }
}
