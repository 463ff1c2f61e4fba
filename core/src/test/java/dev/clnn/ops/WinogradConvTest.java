package dev.clnn.ops;

import static dev.clnn.ops.ConvHarness.conv;
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
import dev.clnn.ops.ConvHarness.Case;
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
 * The Winograd variant of Conv2d (F(2x2, 3x3) and F(4x4, 3x3), {@code conv/winograd.cl}) with each GEMM form
 * for its products, on every device against the reference: every padding, sizes that leave partial tiles,
 * batches, the fused epilogue (bias, activation, residual before and after it), channel counts off every
 * vector width; the choice by the tuning entry; the shapes it must refuse; and two convolutions sharing a
 * workspace.
 */
class WinogradConvTest {
    private static final Contexts CONTEXTS = new Contexts();
    private static final Conv2dParams P = Conv2dParams.defaults();

    private static final Conv2dConfig[] VARIANTS = {
        Conv2dConfig.winograd(2, GemmConfig.general()),
        Conv2dConfig.winograd(4, GemmConfig.general()),
        Conv2dConfig.winograd(4, GemmConfig.cpu(3, 4, 2)),
        Conv2dConfig.winograd(2, GemmConfig.tiled(32, 64, 8, 4, 8)),
        Conv2dConfig.winograd(4, GemmConfig.tiled(32, 32, 8, 4, 4, 0, 4)),
        Conv2dConfig.winograd(4, GemmConfig.splitk(7)),
    };

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
        ConvHarness.clear();
    }

    static List<Case> shapes(boolean simulator) {
        List<Case> c = new ArrayList<>();
        c.add(conv("same 1x1 image", 1, 1, 1, 3, 3, 3, 5, P.withPadding(1)));
        c.add(conv("valid, exact tiles", 1, 6, 10, 4, 3, 3, 8, P));
        c.add(conv("same, partial tiles", 2, 7, 9, 5, 3, 3, 6, P.withPadding(1).withActivation(Activation.RELU)));
        c.add(conv("asymmetric pads", 1, 8, 5, 3, 3, 3, 7, P.withPadding(0, 2, 1, 0)
                .withActivation(Activation.RELU6)));
        c.add(conv("pad 2", 1, 5, 6, 2, 3, 3, 3, P.withPadding(2)));
        c.add(conv("residual add then relu", 2, 6, 7, 8, 3, 3, 8, P.withPadding(1).withActivation(Activation.RELU)
                .withResidual(Residual.ADD_THEN_ACTIVATE)));
        c.add(conv("relu6 then residual add", 1, 5, 5, 4, 3, 3, 9, P.withPadding(1).withActivation(Activation.RELU6)
                .withResidual(Residual.ACTIVATE_THEN_ADD)));
        c.add(ConvHarness.noBias(conv("hard-swish", 1, 6, 6, 3, 3, 3, 9, P.withPadding(1)
                .withActivation(Activation.HARD_SWISH))));
        if (simulator) {
            return c;
        }
        c.add(conv("resnet-like 64", 2, 14, 14, 64, 3, 3, 64, P.withPadding(1).withActivation(Activation.RELU)
                .withResidual(Residual.ADD_THEN_ACTIVATE)));
        c.add(conv("odd channels", 3, 11, 13, 33, 3, 3, 17, P.withPadding(1)));
        c.add(conv("7x7 feature map 128", 4, 7, 7, 128, 3, 3, 96, P.withPadding(1).withActivation(Activation.RELU)));
        return c;
    }

    static Stream<Arguments> cases() {
        return TestDevices.crossedWith(VARIANTS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesReferenceOnEveryShape(ClDevice device, Conv2dConfig config) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 11;
        for (Case c : shapes(TestDevices.isSimulator(device))) {
            ConvHarness.check(cl, c, config, seed++);
        }
    }

    /**
     * An entry naming WINOGRAD picks it for 3x3 stride-1 layers of at least WINOGRAD_MIN_C channels and
     * WINOGRAD_MIN_TILES tiles; other shapes keep the entry's variant, and -Dclnn.winograd=off keeps it too.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void aTuningEntryPicksItForTheShapesItNames(ClDevice device) {
        assertH200EntryTakesF4WithOneBatchedProduct();
        ClContext cl = CONTEXTS.on(device);
        Case wide = conv("wide", 1, 8, 8, 16, 3, 3, 16, P.withPadding(1));
        Case narrow = conv("narrow", 1, 8, 8, 8, 3, 3, 16, P.withPadding(1));
        Case strided = conv("strided", 1, 8, 8, 16, 3, 3, 16, P.withStride(2).withPadding(1));
        System.setProperty("clnn.tune.conv2d", "variant=implicit_gemm WINOGRAD=4 WINOGRAD_MIN_C=16");
        try {
            Conv2dConfig picked = ConvHarness.check(cl, wide, null, 3);
            assertEquals(Conv2dConfig.Variant.WINOGRAD, picked.variant());
            assertEquals(4, picked.wb());
            assertEquals(Conv2dConfig.Variant.IMPLICIT_GEMM, ConvHarness.check(cl, narrow, null, 4).variant());
            assertEquals(Conv2dConfig.Variant.IMPLICIT_GEMM, ConvHarness.check(cl, strided, null, 5).variant());
            System.setProperty("clnn.tune.conv2d", "variant=implicit_gemm WINOGRAD=2 WINOGRAD_MIN_C=16"
                    + " WINOGRAD_MIN_TILES=17");    // 8x8 in tiles of 2: 16
            assertEquals(Conv2dConfig.Variant.IMPLICIT_GEMM, ConvHarness.check(cl, wide, null, 3).variant());
            System.setProperty("clnn.tune.conv2d", "variant=implicit_gemm WINOGRAD=2 WINOGRAD_MIN_C=16");
            assertEquals(2, ConvHarness.check(cl, wide, null, 3).wb());
            System.setProperty("clnn.winograd", "off");
            assertEquals(Conv2dConfig.Variant.IMPLICIT_GEMM, ConvHarness.check(cl, wide, null, 3).variant());
        } finally {
            System.clearProperty("clnn.tune.conv2d");
            System.clearProperty("clnn.winograd");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void refusesShapesItCannotRunAndBadTiles(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Conv2dConfig f4 = Conv2dConfig.winograd(4, GemmConfig.general());
        Conv2dTest.assertMessage(() -> ConvHarness.check(cl, conv("s2", 1, 8, 8, 4, 3, 3, 4, P.withStride(2)), f4, 1),
                "needs a 3x3 kernel, stride 1, no dilation and groups == 1");
        Conv2dTest.assertMessage(() -> ConvHarness.check(cl, conv("5x5", 1, 8, 8, 4, 5, 5, 4, P), f4, 1),
                "needs a 3x3 kernel");
        Conv2dTest.assertMessage(() -> ConvHarness.check(cl, conv("dilated", 1, 8, 8, 4, 3, 3, 4,
                P.withDilation(2)), f4, 1), "needs a 3x3 kernel");
        Conv2dTest.assertMessage(() -> ConvHarness.check(cl, conv("grouped", 1, 8, 8, 4, 3, 3, 4,
                P.withGroups(2)), f4, 1), "groups == 1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Conv2dConfig.winograd(3, GemmConfig.general()));
        assertTrue(e.getMessage().contains("Winograd tile must be 2 or 4"), e.getMessage());
    }

    /**
     * Two convolutions in one workspace, the second reading the first's output, run back to back: each
     * run's transformed input and products overwrite the other's, and both results are right.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void convolutionsOnOneQueueShareAWorkspace(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Case first = conv("first", 2, 9, 7, 6, 3, 3, 10, P.withPadding(1).withActivation(Activation.RELU));
        Case second = conv("second", 2, 9, 7, 10, 3, 3, 5, P.withPadding(0, 1, 2, 1));
        Conv2dConfig f2 = Conv2dConfig.winograd(2, GemmConfig.general());
        Conv2dConfig f4 = Conv2dConfig.winograd(4, GemmConfig.general());
        float[] x = TestData.uniform(first.input().sizeAsInt(), 21);
        float[] w1 = TestData.uniform(first.weights().sizeAsInt(), 22);
        float[] b1 = TestData.uniform(first.cout(), 23);
        float[] w2 = TestData.uniform(second.weights().sizeAsInt(), 24);
        float[] b2 = TestData.uniform(second.cout(), 25);
        float[] mid = ConvHarness.reference(first, x, w1, b1, null);
        float[] expected = ConvHarness.reference(second, mid, w2, b2, null);
        Shape midShape = first.params().outputShape(first.input(), first.weights(), null);
        Shape outShape = second.params().outputShape(second.input(), second.weights(), null);
        try (Workspace shared = new Workspace(cl);
             Tensor xt = Tensor.of(cl, first.input(), Layout.NHWC, x);
             Tensor w1t = Tensor.of(cl, first.weights(), w1);
             Tensor b1t = Tensor.of(cl, Shape.of(first.cout()), b1);
             Tensor w2t = Tensor.of(cl, second.weights(), w2);
             Tensor b2t = Tensor.of(cl, Shape.of(second.cout()), b2);
             Tensor m = Tensor.allocate(cl, midShape, Layout.NHWC);
             Tensor y = Tensor.allocate(cl, outShape, Layout.NHWC);
             Conv2d a = Conv2d.configure(cl, first.params(), first.input(), w1t, b1t, f4, shared);
             Conv2d b = Conv2d.configure(cl, second.params(), second.input(), w2t, b2t, f2, shared)) {
            long need = Math.max(36L * 2 * 3 * 2 * (6 + 10), 16L * 2 * 5 * 4 * (10 + 5));
            assertEquals(need, shared.reserved(), "the workspace holds the larger of the two runs' scratch");
            for (int round = 0; round < 2; round++) {
                a.run(xt, m);
                b.run(m, y);
            }
            float[] actual = y.toArray();
            Comparison cmp = Comparison.of(actual, expected, Tolerances.CONV_RTOL,
                    Tolerances.convAtol(second.terms()) * 4);
            assertTrue(cmp.passed(), () -> cmp.describe(actual, expected));
        }
    }

    /**
     * The H200's entry (measured: ResNet-18 at batch 64 5,919 -> 10,431 img/s): F(4x4, 3x3) for ResNet's 3x3
     * stride-1 layers, with a tiled form without K slices, so that the 36 products run as one batch; the
     * stride-2 layers keep the implicit GEMM.
     */
    private static void assertH200EntryTakesF4WithOneBatchedProduct() {
        ClDevice h200 = dev.clnn.cl.FakeDevices.h200();
        Conv2dParams same = P.withPadding(1).withActivation(Activation.RELU);
        for (int[] layer : new int[][] {{64, 56, 64}, {64, 28, 128}, {64, 14, 256}, {64, 7, 512}, {1, 7, 512}}) {
            Shape input = Shape.of(layer[0], layer[1], layer[1], layer[2]);
            Shape weights = Shape.of(3, 3, layer[2], layer[2]);
            Conv2dConfig c = Conv2dConfig.forShape(h200, same, input, weights);
            assertEquals(Conv2dConfig.Variant.WINOGRAD, c.variant(), input + ": " + c);
            assertEquals(4, c.wb(), input + ": " + c);
            assertTrue(Gemm.takesBatch(c.gemm()), input + ": " + c);
        }
        Conv2dConfig strided = Conv2dConfig.forShape(h200, same.withStride(2), Shape.of(64, 56, 56, 64),
                Shape.of(3, 3, 64, 128));
        assertEquals(Conv2dConfig.Variant.IMPLICIT_GEMM, strided.variant(), strided.toString());
    }
}
