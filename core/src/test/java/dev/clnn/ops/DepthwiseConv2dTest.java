package dev.clnn.ops;

import static dev.clnn.ops.Conv2dTest.assertMessage;
import static dev.clnn.ops.Conv2dTest.weights;
import static dev.clnn.ops.ConvHarness.conv;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.clnn.ops.ConvHarness.Case;
import dev.clnn.ops.Conv2dParams.Residual;
import dev.clnn.reference.ReferenceConv;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestData;
import dev.clnn.testing.TestDevices;

/**
 * Depthwise convolution (groups == channels) through Conv2d on every device against the
 * reference: the 3x3 stride 1 / 2 kernel, the general depthwise kernel and the general
 * convolution kernel, over MobileNet v1 and v2's depthwise layers, channel counts off every
 * vector width, every padding, larger kernels, dilation and channel multipliers.
 */
class DepthwiseConv2dTest {
    private static final Contexts CONTEXTS = new Contexts();
    private static final Conv2dParams P = Conv2dParams.defaults();

    private static final Conv2dConfig[] VARIANTS = {
        Conv2dConfig.depthwiseBlocked(16, 4),
        Conv2dConfig.depthwiseBlocked(8, 3),
        Conv2dConfig.depthwiseBlocked(4, 1),
        Conv2dConfig.depthwiseBlocked(4, 2, 1, 64),  // the GPU form: 1-D range, padded to whole work-groups
        Conv2dConfig.depthwiseBlocked(4, 4, 2, 256),
        Conv2dConfig.depthwiseBlocked(8, 3, 3, 48),  // row blocks that do not divide the output height
        Conv2dConfig.depthwiseBlocked(16, 2, 4, 0),
        Conv2dConfig.depthwise(4),
        Conv2dConfig.depthwise(16),
        Conv2dConfig.depthwise(4, 32),
        Conv2dConfig.general(),
    };

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
        ConvHarness.clear();
    }

    static Case dw(String name, int n, int h, int w, int c, int k, Conv2dParams p) {
        return conv(name, n, h, w, c, k, k, c, p.withGroups(c));
    }

    /** 3x3 and 5x5, equal strides of 1 or 2, no dilation: every depthwise variant runs these. */
    static List<Case> blocked(boolean simulator) {
        List<Case> c = new ArrayList<>();
        c.add(dw("5x5 s2 keras same", 1, 9, 10, 12, 5, P.withStride(2).withSamePadding(9, 10, 5, 5)));
        c.add(dw("c3 tail", 1, 5, 7, 3, 3, P.withPadding(1)));
        c.add(dw("c13 s2 keras same", 1, 9, 8, 13, 3, P.withStride(2).withSamePadding(9, 8, 3, 3)
                .withActivation(Activation.RELU6)));
        c.add(dw("c20 asymmetric", 1, 6, 9, 20, 3, P.withPadding(0, 1, 2, 1)));
        c.add(dw("width 1", 1, 6, 1, 8, 3, P.withPadding(1).withActivation(Activation.RELU6)));
        c.add(dw("height 1 s2", 1, 1, 11, 24, 3, P.withStride(2).withPadding(1)));
        c.add(dw("c36 batch 2 s2 valid", 2, 7, 10, 36, 3, P.withStride(2)));
        c.add(dw("residual add", 1, 5, 5, 17, 3, P.withPadding(1).withResidual(Residual.ADD_THEN_ACTIVATE)));
        c.add(dw("relu6 then residual", 1, 4, 6, 16, 3, P.withPadding(1).withActivation(Activation.RELU6)
                .withResidual(Residual.ACTIVATE_THEN_ADD)));
        c.add(ConvHarness.noBias(dw("hard-swish", 1, 5, 4, 9, 3, P.withStride(2).withPadding(1)
                .withActivation(Activation.HARD_SWISH))));
        if (simulator) {
            return c;
        }
        Conv2dParams relu6 = P.withActivation(Activation.RELU6);
        // MobileNet v1 (Keras: stride 1 'same', stride 2 pads bottom/right only)
        c.add(dw("v1 112x112x32 s1", 1, 112, 112, 32, 3, relu6.withPadding(1)));
        c.add(dw("v1 112x112x64 s2", 1, 112, 112, 64, 3, relu6.withStride(2).withSamePadding(112, 112, 3, 3)));
        c.add(dw("v1 56x56x128 s1", 1, 56, 56, 128, 3, relu6.withPadding(1)));
        c.add(dw("v1 28x28x256 s2", 1, 28, 28, 256, 3, relu6.withStride(2).withSamePadding(28, 28, 3, 3)));
        c.add(dw("v1 14x14x512 s1", 1, 14, 14, 512, 3, relu6.withPadding(1)));
        c.add(dw("v1 7x7x1024 s1", 1, 7, 7, 1024, 3, relu6.withPadding(1)));
        // MobileNet v2 (ONNX / PyTorch: symmetric padding 1)
        c.add(dw("v2 56x56x144 s1", 1, 56, 56, 144, 3, relu6.withPadding(1)));
        c.add(dw("v2 28x28x192 s2", 1, 28, 28, 192, 3, relu6.withStride(2).withPadding(1)));
        c.add(dw("v2 14x14x576 s1", 1, 14, 14, 576, 3, relu6.withPadding(1)));
        c.add(dw("v2 7x7x960 s1 batch 3", 3, 7, 7, 960, 3, relu6.withPadding(1)));
        c.add(dw("c100 s2 odd", 2, 15, 13, 100, 3, P.withStride(2).withPadding(1)));
        // EfficientNet-B0's and MobileNet v3's 5x5 layers (PyTorch: symmetric padding 2)
        c.add(dw("5x5 s1 c24", 2, 14, 15, 24, 5, P.withPadding(2).withActivation(Activation.RELU6)));
        c.add(dw("effnet 14x14x672 5x5 s1", 1, 14, 14, 672, 5, P.withPadding(2).withActivation(Activation.SILU)));
        c.add(dw("effnet 28x28x144 5x5 s2", 1, 28, 28, 144, 5, P.withStride(2).withPadding(2)));
        c.add(dw("5x5 asymmetric c21", 1, 9, 7, 21, 5, P.withPadding(1, 3, 2, 0)
                .withResidual(Residual.ADD_THEN_ACTIVATE)));
        return c;
    }

    /** Depthwise shapes only the general depthwise and general convolution kernels run. */
    static List<Case> other(boolean simulator) {
        List<Case> c = new ArrayList<>();
        c.add(dw("3x3 dilation 2", 1, 7, 8, 6, 3, P.withDilation(2).withPadding(2)));
        c.add(dw("3x3 strides 1x2", 1, 6, 9, 5, 3, P.withStride(1, 2).withPadding(1, 0, 1, 2)));
        c.add(dw("1x1 scale", 1, 3, 4, 7, 1, P.withActivation(Activation.RELU6)));
        c.add(dw("2x2 s2", 1, 6, 7, 9, 2, P.withStride(2).withResidual(Residual.ADD_THEN_ACTIVATE)));
        if (simulator) {
            return c;
        }
        c.add(dw("7x7 c5", 1, 11, 12, 5, 7, P.withPadding(3)));
        c.add(dw("3x3 s3 c17", 1, 16, 13, 17, 3, P.withStride(3).withPadding(1)));
        c.add(dw("3x3 dilation 3x1 c40", 1, 20, 12, 40, 3, P.withDilation(3, 1).withPadding(3, 1, 3, 1)));
        return c;
    }

    static Stream<Arguments> cases() {
        return TestDevices.crossedWith(VARIANTS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesReference(ClDevice device, Conv2dConfig config) {
        ClContext cl = CONTEXTS.on(device);
        boolean sim = TestDevices.isSimulator(device);
        List<Case> all = new ArrayList<>(blocked(sim));
        if (config.variant() != Conv2dConfig.Variant.DEPTHWISE_BLOCKED) {
            all.addAll(other(sim));
        }
        long seed = 1;
        for (Case c : all) {
            ConvHarness.check(cl, c, config, seed++);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void channelMultipliersRunOnTheGeneralKernel(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        List<Case> cases = List.of(
                conv("multiplier 2", 1, 6, 5, 4, 3, 3, 8, P.withGroups(4).withPadding(1)),
                conv("multiplier 3 s2", 2, 7, 7, 3, 3, 3, 9, P.withGroups(3).withStride(2)
                        .withSamePadding(7, 7, 3, 3).withActivation(Activation.RELU6)));
        long seed = 50;
        for (Case c : cases) {
            assertEquals(Conv2dConfig.Variant.GENERAL, ConvHarness.check(cl, c, null, seed++).variant(), c.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsMistakesNamingTheShapes(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Conv2dParams dw8 = P.withGroups(8).withPadding(1);
        try (Tensor w = weights(cl, 3, 3, 1, 8)) {
            assertMessage(() -> Conv2d.configure(cl, dw8, Shape.of(1, 6, 6, 6), w, null), "groups=8 must divide",
                    "(1, 6, 6, 6)", "(3, 3, 1, 8)");
            assertMessage(() -> Conv2d.configure(cl, P.withGroups(4).withPadding(1), Shape.of(1, 6, 6, 8), w, null),
                    "channel mismatch", "(1, 6, 6, 8)", "(3, 3, 1, 8)");
            assertMessage(() -> Conv2d.configure(cl, P.withGroups(8), Shape.of(1, 2, 6, 8), w, null),
                    "larger than the padded input", "(1, 2, 6, 8)", "(3, 3, 1, 8)");
            assertMessage(() -> Conv2d.configure(cl, dw8.withDilation(2), Shape.of(1, 6, 6, 8), w, null,
                    Conv2dConfig.depthwiseBlocked(8, 4)), "cannot run", "(1, 6, 6, 8)", "(3, 3, 1, 8)");
            assertMessage(() -> Conv2dConfig.depthwiseBlocked(4, 2, 1, 2048), "WG must be 0, or 1..1024", "2048");
            assertMessage(() -> Conv2dConfig.depthwiseBlocked(4, 2, 9, 0), "HB must be in 1..8", "9");
            assertMessage(() -> new Conv2dConfig(Conv2dConfig.Variant.DIRECT, 4, 2, 1, 64, null), "WG must be",
                    "DIRECT");
            try (Tensor b = Tensor.of(cl, Shape.of(7), new float[7])) {
                assertMessage(() -> Conv2d.configure(cl, dw8, Shape.of(1, 6, 6, 8), w, b), "bias (7,)",
                        "(1, 6, 6, 8)", "(3, 3, 1, 8)");
            }
        }
        try (Tensor w = weights(cl, 3, 3, 1, 8)) {
            Shape in = Shape.of(1, 6, 6, 8);
            Conv2d conv = Conv2d.configure(cl, dw8, in, w, null, Conv2dConfig.depthwiseBlocked(8, 4));
            try (Tensor x = Tensor.of(cl, in, Layout.NHWC, TestData.uniform(288, 3));
                 Tensor y = Tensor.allocate(cl, in, Layout.NHWC)) {
                conv.run(x, y);
                assertMessage(() -> conv.run(x, x), "must not share a buffer");
                conv.close();
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> conv.run(x, y));
                assertTrue(e.getMessage().contains("closed"), e.getMessage());
                y.close();
                Conv2d again = Conv2d.configure(cl, dw8, in, w, null);
                e = assertThrows(IllegalStateException.class, () -> again.run(x, y));
                assertTrue(e.getMessage().contains("used after close"), e.getMessage());
                again.close();
            }
        }
    }

    @Test
    void depthwiseReferenceAgreesWithGroupedConvolutionReference() {
        Case c = dw("cross-check", 2, 6, 7, 5, 3, P.withStride(2).withPadding(1, 0, 1, 1)
                .withActivation(Activation.RELU6).withResidual(Residual.ADD_THEN_ACTIVATE));
        float[] x = TestData.uniform(c.input().sizeAsInt(), 1);
        float[] w = TestData.uniform(c.weights().sizeAsInt(), 2);
        float[] b = TestData.uniform(c.cout(), 3);
        float[] r = TestData.uniform(c.geometry().outputSize(), 4);
        float[] viaDepthwise = ReferenceConv.depthwise(c.geometry(), x, w, b, v -> Math.min(Math.max(v, 0), 6), r, true);
        float[] viaConv = ReferenceConv.conv2d(c.geometry(), x, w, b, v -> Math.min(Math.max(v, 0), 6), r, true);
        assertEquals(viaConv.length, viaDepthwise.length);
        for (int i = 0; i < viaConv.length; i++) {
            assertEquals(viaConv[i], viaDepthwise[i], 1e-6f, "element " + i);
        }
    }
}
