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
 * A batch normalisation and its activation, then a pointwise convolution, as one kernel (the GEMM
 * family's A_NORM) against the plain-Java normalisation and convolution: channel counts off every vector width
 * and past one run of normalised columns, rows past the last block, K slices that start inside a
 * vector, no activation, ReLU and a clip, with and without a bias, both residual modes; through the
 * table's choice and every form of the GEMM (cpu, tiled with and without K slices, split-K, general) on
 * every device. Activations the kernel does not apply and other convolutions are refused with a clear
 * message.
 */
class NormalizedPointwiseTest {
    private static final Contexts CONTEXTS = new Contexts();
    private static final Conv2dParams P = Conv2dParams.defaults();

    record Case(String name, Shape input, int cout, Activation norm, Conv2dParams params, boolean bias) {
        @Override
        public String toString() { return name; }
    }

    private static final GemmConfig[] FORMS = {
        null,
        GemmConfig.cpu(3, 4, 2),
        GemmConfig.cpu(3, 4, 2, 6, 5),
        GemmConfig.cpu(2, 8, 1, 4, 16),
        GemmConfig.tiled(32, 32, 8, 4, 4),
        GemmConfig.tiled(32, 32, 8, 4, 4, 16),
        GemmConfig.splitk(8),
        GemmConfig.general(),
    };

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("16 channels, relu, then relu", Shape.of(1, 7, 9, 16), 8, Activation.RELU,
                P.withActivation(Activation.RELU), true));
        c.add(new Case("three images, 20 channels, relu6, no bias", Shape.of(3, 5, 4, 20), 24, Activation.RELU6, P,
                false));
        c.add(new Case("7 channels, no activation, residual then relu", Shape.of(2, 3, 5, 7), 5, Activation.NONE,
                P.withActivation(Activation.RELU).withResidual(Residual.ADD_THEN_ACTIVATE), true));
        c.add(new Case("33 channels, clip, relu6 then residual", Shape.of(2, 4, 4, 33), 6, Activation.clip(-0.25f, 0.5f),
                P.withActivation(Activation.RELU6).withResidual(Residual.ACTIVATE_THEN_ADD), true));
        c.add(new Case("150 channels (three runs), relu", Shape.of(1, 5, 5, 150), 40, Activation.RELU, P, true));
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
    void computesTheNormalisationAndTheConvolution(ClDevice device, Case c) {
        ClContext cl = CONTEXTS.on(device);
        Shape in = c.input();
        int ch = in.dim(3);
        Shape out = Shape.of(in.dim(0), in.dim(1), in.dim(2), c.cout());
        float[] x = TestData.uniform(in.sizeAsInt(), 1);
        float[] gamma = TestData.uniform(ch, 2);
        float[] beta = TestData.uniform(ch, 3);
        float[] mean = TestData.uniform(ch, 4);
        float[] variance = TestData.uniform(ch, 5);
        for (int i = 0; i < ch; i++) {
            variance[i] = 0.5f + Math.abs(variance[i]);
        }
        float[] w = TestData.uniform(ch * c.cout(), 6);
        float[] b = c.bias() ? TestData.uniform(c.cout(), 7) : null;
        boolean residual = c.params().residual() != Residual.NONE;
        float[] r = residual ? TestData.uniform(out.sizeAsInt(), 8) : null;
        BatchNormParams norm = BatchNormParams.nhwc(1e-3f).with(c.norm());
        float[] expected = reference(c, norm.epsilon(), x, gamma, beta, mean, variance, w, b, r);
        for (GemmConfig form : FORMS) {
            try (Tensor wt = Tensor.of(cl, Shape.of(1, 1, ch, c.cout()), w);
                 Tensor bt = b == null ? null : Tensor.of(cl, Shape.of(c.cout()), b);
                 Tensor xt = Tensor.of(cl, in, Layout.NHWC, x);
                 Tensor rt = r == null ? null : Tensor.of(cl, out, Layout.NHWC, r);
                 Tensor y = Tensor.allocate(cl, out, Layout.NHWC)) {
                try (NormalizedPointwise op = form == null
                        ? NormalizedPointwise.configure(cl, norm, gamma, beta, mean, variance, c.params(), in, wt, bt)
                        : NormalizedPointwise.configure(cl, norm, gamma, beta, mean, variance, c.params(), in, wt, bt,
                                form)) {
                    y.buffer().fill(Float.NaN);       // every output must be written
                    op.run(xt, rt, y);
                    float[] actual = y.toArray();
                    Comparison cmp = Comparison.of(actual, expected, Tolerances.CONV_RTOL, Tolerances.convAtol(ch));
                    assertTrue(cmp.passed(), () -> c + " " + op.config() + ": " + cmp.describe(actual, expected));
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> op.run(xt, rt, xt));
                    assertTrue(e.getMessage().contains("NormalizedPointwise"), e.getMessage());
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void readsTheFirstChannelsOfAWiderInput(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Shape wide = Shape.of(2, 4, 5, 40);
        for (int k : new int[] {24, 17}) {
            Shape in = Shape.of(2, 4, 5, k);
            Case c = new Case(k + " of 40 channels", in, 9, Activation.RELU, P, true);
            float[] xw = TestData.uniform(wide.sizeAsInt(), 1);
            float[] x = new float[in.sizeAsInt()];
            for (int p = 0; p < 2 * 4 * 5; p++) {
                System.arraycopy(xw, p * 40, x, p * k, k);
            }
            float[] gamma = TestData.uniform(k, 2);
            float[] beta = TestData.uniform(k, 3);
            float[] mean = TestData.uniform(k, 4);
            float[] variance = new float[k];
            java.util.Arrays.fill(variance, 0.7f);
            float[] w = TestData.uniform(k * 9, 6);
            float[] b = TestData.uniform(9, 7);
            BatchNormParams norm = BatchNormParams.nhwc(1e-5f).with(Activation.RELU);
            float[] expected = reference(c, norm.epsilon(), x, gamma, beta, mean, variance, w, b, null);
            for (GemmConfig form : FORMS) {
                try (Tensor wt = Tensor.of(cl, Shape.of(1, 1, k, 9), w);
                     Tensor bt = Tensor.of(cl, Shape.of(9), b);
                     Tensor xt = Tensor.of(cl, wide, Layout.NHWC, xw);
                     Tensor y = Tensor.allocate(cl, Shape.of(2, 4, 5, 9), Layout.NHWC);
                     NormalizedPointwise op = form == null
                             ? NormalizedPointwise.configure(cl, norm, gamma, beta, mean, variance, P, wide, wt, bt)
                             : NormalizedPointwise.configure(cl, norm, gamma, beta, mean, variance, P, wide, wt, bt, form)) {
                    y.buffer().fill(Float.NaN);
                    op.run(xt, null, y);
                    float[] actual = y.toArray();
                    Comparison cmp = Comparison.of(actual, expected, Tolerances.CONV_RTOL, Tolerances.convAtol(k));
                    assertTrue(cmp.passed(), () -> c + " " + op.config() + ": " + cmp.describe(actual, expected));
                }
            }
        }
        try (Tensor w = Tensor.of(cl, Shape.of(1, 1, 48, 9), new float[48 * 9])) {
            float[] ones = new float[48];
            java.util.Arrays.fill(ones, 1f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NormalizedPointwise.configure(
                    cl, BatchNormParams.nhwc(1e-5f), ones, ones, ones, ones, P, wide, w, null, GemmConfig.cpu(3, 4, 2)));
            assertTrue(e.getMessage().contains("48 channels") && e.getMessage().contains("40"), e.getMessage());
        }
    }

    /** The normalisation and its activation, then the convolution, in plain Java (double where it rounds). */
    private static float[] reference(Case c, float eps, float[] x, float[] gamma, float[] beta, float[] mean,
                                     float[] variance, float[] w, float[] b, float[] r) {
        Shape in = c.input();
        int ch = in.dim(3);
        float[] normed = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int k = i % ch;
            double v = (x[i] - (double) mean[k]) / Math.sqrt((double) variance[k] + eps) * gamma[k] + beta[k];
            normed[i] = c.norm().apply((float) v);
        }
        ReferenceConv.Geometry g = new ReferenceConv.Geometry(in.dim(0), in.dim(1), in.dim(2), ch, 1, 1, c.cout(), 1, 1,
                1, 1, 0, 0, 0, 0, 1);
        Activation a = c.params().activation();
        boolean before = c.params().residual() != Residual.ACTIVATE_THEN_ADD;
        return ReferenceConv.conv2d(g, normed, w, b, v -> a.apply((float) v), r, before);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void onlyPointwiseConvolutionsAndClampingActivationsAreTaken(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        float[] ones = {1, 1, 1, 1};
        BatchNormParams relu = BatchNormParams.nhwc(1e-5f).with(Activation.RELU);
        try (Tensor w3 = Tensor.of(cl, Shape.of(3, 3, 4, 4), new float[144]);
             Tensor w1 = Tensor.of(cl, Shape.of(1, 1, 4, 4), new float[16])) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NormalizedPointwise.configure(
                    cl, relu, ones, ones, ones, ones, P.withPadding(1), Shape.of(1, 5, 5, 4), w3, null,
                    GemmConfig.cpu(3, 4, 2)));
            assertTrue(e.getMessage().contains("NormalizedPointwise") && e.getMessage().contains("pointwise"),
                    e.getMessage());
            IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> NormalizedPointwise.configure(
                    cl, BatchNormParams.nhwc(1e-5f).with(Activation.SILU), ones, ones, ones, ones, P,
                    Shape.of(1, 5, 5, 4), w1, null, GemmConfig.cpu(3, 4, 2)));
            assertTrue(s.getMessage().contains("ReLU or a clip"), s.getMessage());
            float[] negative = {1, -2, 1, 1};
            IllegalArgumentException v = assertThrows(IllegalArgumentException.class, () -> NormalizedPointwise.configure(
                    cl, relu, ones, ones, ones, negative, P, Shape.of(1, 5, 5, 4), w1, null, GemmConfig.cpu(3, 4, 2)));
            assertTrue(v.getMessage().contains("variance"), v.getMessage());
        }
    }
}
