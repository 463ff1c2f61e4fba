package dev.clnn.ops;

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
 * The general and direct convolution kernels, and the GEMM family reading the input as an implicit
 * im2col matrix in each of its forms, on every device against the reference: the MNIST
 * and MobileNet stems, every padding, stride, dilation and group combination, channel counts
 * off every vector width; the variant choice; and the caller mistakes Conv2d must reject.
 */
class Conv2dTest {
    private static final Contexts CONTEXTS = new Contexts();
    private static final Conv2dParams P = Conv2dParams.defaults();

    private static final Conv2dConfig[] VARIANTS = {
        Conv2dConfig.general(),
        Conv2dConfig.direct(16, 4),
        Conv2dConfig.direct(4, 3),
        Conv2dConfig.implicitGemm(GemmConfig.general()),
        Conv2dConfig.implicitGemm(GemmConfig.cpu(3, 4, 2)),
        // strips of two blocks in K slices of 5: slices that start and end inside a tap
        Conv2dConfig.implicitGemm(GemmConfig.cpu(3, 4, 2, 6, 5)),
        Conv2dConfig.implicitGemm(GemmConfig.tiled(32, 64, 8, 4, 8)),
        // split K in slices of 24 (the im2col walk starts inside a tap), and a work-group of 64 that TK = 48
        // does not divide (the element-by-element loader)
        Conv2dConfig.implicitGemm(GemmConfig.tiled(32, 32, 8, 4, 4, 24)),
        Conv2dConfig.implicitGemm(GemmConfig.tiled(32, 32, 48, 4, 4)),
        // K groups: the im2col walk of each group stepping over the other groups' slices
        Conv2dConfig.implicitGemm(GemmConfig.tiled(32, 32, 8, 4, 4, 0, 4)),
        Conv2dConfig.implicitGemm(GemmConfig.splitk(7)),
    };

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
        ConvHarness.clear();
    }

    /** Ungrouped shapes: the general, direct and implicit-GEMM kernels run them. */
    static List<Case> ungrouped(boolean simulator) {
        List<Case> c = new ArrayList<>();
        c.add(conv("1x1x1", 1, 1, 1, 1, 1, 1, 1, P));
        c.add(conv("primes", 1, 7, 5, 3, 2, 3, 5, P.withStride(2, 1).withPadding(1, 0, 2, 1)));
        c.add(conv("dilated", 2, 9, 11, 4, 3, 3, 7, P.withDilation(2).withPadding(2).withActivation(Activation.RELU)));
        c.add(conv("dilation 2x3", 1, 8, 10, 3, 3, 2, 9, P.withDilation(2, 3).withPadding(1, 3, 0, 2)));
        c.add(conv("kernel = padded input", 1, 3, 3, 2, 5, 5, 4, P.withPadding(1)));
        c.add(conv("5x5 stride 3", 1, 11, 13, 3, 5, 5, 17, P.withStride(3).withPadding(2)
                .withActivation(Activation.RELU6)));
        c.add(conv("1x1 stride 2", 1, 9, 9, 6, 1, 1, 10, P.withStride(2)));
        c.add(conv("keras same s2 (pads bottom/right)", 1, 10, 12, 3, 3, 3, 8,
                P.withStride(2).withSamePadding(10, 12, 3, 3).withActivation(Activation.RELU6)));
        c.add(conv("residual add then relu", 1, 6, 5, 5, 3, 3, 6, P.withPadding(1).withActivation(Activation.RELU)
                .withResidual(Residual.ADD_THEN_ACTIVATE)));
        c.add(conv("relu6 then residual add", 1, 5, 6, 3, 3, 3, 5, P.withPadding(1).withActivation(Activation.RELU6)
                .withResidual(Residual.ACTIVATE_THEN_ADD)));
        c.add(ConvHarness.noBias(conv("hard-swish", 1, 6, 6, 3, 3, 3, 9, P.withPadding(1)
                .withActivation(Activation.HARD_SWISH))));
        c.add(conv("mnist small", 1, 10, 10, 1, 3, 3, 32, P.withActivation(Activation.RELU)));
        c.add(conv("mobilenet stem small", 1, 16, 16, 3, 3, 3, 32, P.withStride(2).withSamePadding(16, 16, 3, 3)
                .withActivation(Activation.RELU6)));
        if (simulator) {
            return c;
        }
        c.add(conv("mnist conv 3x3x32 valid", 1, 28, 28, 1, 3, 3, 32, P.withActivation(Activation.RELU)));
        c.add(conv("mnist conv batch 5", 5, 28, 28, 1, 3, 3, 32, P.withActivation(Activation.RELU)));
        c.add(conv("mobilenet v1/v2 stem keras", 1, 224, 224, 3, 3, 3, 32, P.withStride(2)
                .withSamePadding(224, 224, 3, 3).withActivation(Activation.RELU6)));
        c.add(conv("mobilenet stem pytorch pad 1", 2, 96, 96, 3, 3, 3, 32, P.withStride(2).withPadding(1)
                .withActivation(Activation.RELU6)));
        c.add(conv("3x3 s1 same 64", 1, 17, 19, 64, 3, 3, 33, P.withPadding(1).withActivation(Activation.RELU6)));
        c.add(conv("7x7 s2 resnet stem", 1, 37, 41, 3, 7, 7, 16, P.withStride(2).withPadding(3)
                .withActivation(Activation.RELU)));
        c.add(conv("wide odd", 3, 13, 31, 7, 3, 1, 23, P.withPadding(1, 0, 1, 0)));
        return c;
    }

    /** Grouped but not depthwise: only the general kernel runs them. */
    static List<Case> grouped(boolean simulator) {
        List<Case> c = new ArrayList<>();
        c.add(conv("groups 2", 1, 6, 7, 6, 3, 3, 4, P.withGroups(2).withPadding(1)));
        c.add(conv("groups 3 stride 2", 1, 9, 8, 9, 3, 3, 6, P.withGroups(3).withStride(2).withPadding(0, 0, 1, 1)
                .withActivation(Activation.leakyRelu(0.1f))));
        c.add(conv("groups 4 1x1 residual", 2, 3, 5, 8, 1, 1, 12, P.withGroups(4)
                .withResidual(Residual.ADD_THEN_ACTIVATE)));
        if (!simulator) {
            c.add(conv("groups 8 dilated", 1, 19, 17, 32, 3, 3, 64, P.withGroups(8).withDilation(2).withPadding(2)));
        }
        return c;
    }

    static Stream<Arguments> cases() {
        return TestDevices.crossedWith(VARIANTS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesReferenceOnEveryUngroupedShape(ClDevice device, Conv2dConfig config) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 1;
        for (Case c : ungrouped(TestDevices.isSimulator(device))) {
            ConvHarness.check(cl, c, config, seed++);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void generalKernelRunsGroupedConvolutions(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 100;
        for (Case c : grouped(TestDevices.isSimulator(device))) {
            assertEquals(Conv2dConfig.Variant.GENERAL, ConvHarness.check(cl, c, null, seed++).variant(), c.toString());
        }
    }

    /**
     * Every activation kind fused into the epilogue, each on two of the kernels (scalar and
     * vector ones), so each kernel meets several kinds without compiling every combination.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void everyActivationKindIsFused(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Activation[] kinds = {Activation.RELU, Activation.leakyRelu(0.2f), Activation.SIGMOID, Activation.TANH,
            Activation.HARD_SWISH, Activation.hardSigmoid(0.2f, 0.5f), Activation.clip(-0.5f, 0.25f), Activation.NONE};
        Conv2dConfig[] kernels = {Conv2dConfig.general(), Conv2dConfig.direct(16, 4), Conv2dConfig.depthwiseBlocked(16, 4),
            Conv2dConfig.depthwise(4), Conv2dConfig.pointwise(GemmConfig.cpu(6, 16, 2)),
            Conv2dConfig.pointwise(GemmConfig.tiled(32, 64, 8, 4, 8)), Conv2dConfig.pointwise(GemmConfig.general()),
            Conv2dConfig.pointwise(GemmConfig.tiled(32, 32, 8, 4, 4, 8)),
            Conv2dConfig.pointwise(GemmConfig.tiled(32, 32, 8, 4, 4, 0, 2))};
        long seed = 200;
        for (int k = 0; k < kinds.length; k++) {
            for (int j : new int[] {k % kernels.length, (k + 3) % kernels.length}) {
                Conv2dConfig config = kernels[j];
                Conv2dParams p = P.withActivation(kinds[k]);
                Case c;
                switch (config.variant()) {
                    case POINTWISE:
                        c = conv("pointwise", 1, 4, 5, 9, 1, 1, 19, p);
                        break;
                    case DEPTHWISE:
                    case DEPTHWISE_BLOCKED:
                        c = conv("depthwise", 1, 5, 4, 21, 3, 3, 21, p.withGroups(21).withPadding(1));
                        break;
                    default:
                        c = conv("3x3", 1, 5, 6, 3, 3, 3, 21, p.withPadding(1));
                        break;
                }
                ConvHarness.check(cl, c, config, seed++);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void configurePicksAVariantByShape(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Case stem = conv("stem", 1, 16, 16, 3, 3, 3, 32, P.withStride(2).withSamePadding(16, 16, 3, 3));
        Case pointwise = conv("pointwise", 1, 5, 5, 8, 1, 1, 16, P);
        Case depthwise = conv("depthwise", 1, 6, 6, 8, 3, 3, 8, P.withGroups(8).withPadding(1));
        Case depthwise5 = conv("depthwise 5x5", 1, 6, 6, 8, 5, 5, 8, P.withGroups(8).withPadding(2));
        Case multiplier = conv("depthwise multiplier 2", 1, 6, 6, 4, 3, 3, 8, P.withGroups(4).withPadding(1));
        Case grouped = conv("grouped", 1, 6, 6, 8, 3, 3, 8, P.withGroups(2).withPadding(1));
        assertTrue(ConvHarness.check(cl, pointwise, null, 1).variant() == Conv2dConfig.Variant.POINTWISE);
        Conv2dConfig.Variant dw = ConvHarness.check(cl, depthwise, null, 2).variant();
        assertTrue(dw == Conv2dConfig.Variant.DEPTHWISE_BLOCKED || dw == Conv2dConfig.Variant.GENERAL, dw::toString);
        Conv2dConfig.Variant dw5 = ConvHarness.check(cl, depthwise5, null, 3).variant();
        // 5x5 takes the blocked kernel where the depthwise entry gives it MAX_KS=5 (CPUs), else the general one
        java.util.Map<String, String> dwEntry = Tuning.find("depthwise", device);
        boolean five = dwEntry != null && "5".equals(dwEntry.get("MAX_KS"));
        assertTrue(five ? dw5 == Conv2dConfig.Variant.DEPTHWISE_BLOCKED
                : dw5 == Conv2dConfig.Variant.DEPTHWISE || dw5 == Conv2dConfig.Variant.GENERAL, dw5::toString);
        Conv2dConfig.Variant st = ConvHarness.check(cl, stem, null, 4).variant();
        java.util.Map<String, String> tuned = Tuning.find("conv2d", device);
        boolean implicit = tuned != null && "implicit_gemm".equals(tuned.get("variant"));
        int minCout = implicit && tuned.containsKey("MIN_COUT") ? Integer.parseInt(tuned.get("MIN_COUT")) : 0;
        // NVIDIA GPUs and AVX-512 CPUs: dense convolutions as implicit GEMM (measured faster there;
        // tuning.properties), on the CPUs from MIN_COUT output channels, the direct kernel below
        Case wide = conv("wide", 1, 8, 8, 8, 3, 3, 64, P.withPadding(1));
        Conv2dConfig.Variant wv = ConvHarness.check(cl, wide, null, 7).variant();
        Conv2dConfig.Variant[] picked = {st, wv};
        int[] couts = {32, 64};
        for (int i = 0; i < picked.length; i++) {
            Conv2dConfig.Variant v = picked[i];
            int cout = couts[i];
            if (implicit && cout >= minCout) {
                assertEquals(Conv2dConfig.Variant.IMPLICIT_GEMM, v, cout + " output channels");
            } else {
                assertTrue(v == Conv2dConfig.Variant.DIRECT || v == Conv2dConfig.Variant.GENERAL, v::toString);
            }
        }
        assertEquals(Conv2dConfig.Variant.GENERAL, ConvHarness.check(cl, multiplier, null, 5).variant());
        assertEquals(Conv2dConfig.Variant.GENERAL, ConvHarness.check(cl, grouped, null, 6).variant());
    }

    /** A tuning entry (or override) naming implicit_gemm picks the GEMM; elsewhere the direct kernel is the default. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void aTuningEntryCanPickTheImplicitGemm(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Case stem = conv("stem", 1, 16, 16, 3, 3, 3, 32, P.withStride(2).withSamePadding(16, 16, 3, 3)
                .withActivation(Activation.RELU6));
        System.setProperty("clnn.tune.conv2d", "variant=implicit_gemm");
        try {
            assertEquals(Conv2dConfig.Variant.IMPLICIT_GEMM, ConvHarness.check(cl, stem, null, 7).variant());
        } finally {
            System.clearProperty("clnn.tune.conv2d");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsMismatchedShapesNamingBoth(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Shape in = Shape.of(1, 8, 8, 3);
        try (Tensor w = weights(cl, 3, 3, 4, 8)) {
            assertMessage(() -> Conv2d.configure(cl, P, in, w, null), "channel mismatch", "(1, 8, 8, 3)",
                    "(3, 3, 4, 8)");
        }
        try (Tensor w = weights(cl, 3, 3, 2, 8)) {
            assertMessage(() -> Conv2d.configure(cl, P.withGroups(4), Shape.of(1, 8, 8, 6), w, null),
                    "groups=4 must divide", "(1, 8, 8, 6)", "(3, 3, 2, 8)");
        }
        try (Tensor w = weights(cl, 5, 5, 3, 4)) {
            assertMessage(() -> Conv2d.configure(cl, P.withPadding(1), Shape.of(1, 2, 2, 3), w, null),
                    "larger than the padded input 4x4", "(1, 2, 2, 3)", "(5, 5, 3, 4)");
        }
        try (Tensor w = weights(cl, 3, 3, 3, 4);
             Tensor b = Tensor.of(cl, Shape.of(5), new float[5])) {
            assertMessage(() -> Conv2d.configure(cl, P, in, w, b), "bias (5,)", "(1, 8, 8, 3)", "(3, 3, 3, 4)");
            assertMessage(() -> Conv2d.configure(cl, P, Shape.of(8, 8, 3), w, null), "rank 4", "(8, 8, 3)");
            assertMessage(() -> Conv2d.configure(cl, P, in, w, null, Conv2dConfig.depthwiseBlocked(8, 4)),
                    "cannot run input (1, 8, 8, 3) with weights (3, 3, 3, 4)");
            assertMessage(() -> Conv2d.configure(cl, P, in, w, null, Conv2dConfig.pointwise(GemmConfig.general())),
                    "needs a 1x1 kernel");
        }
        try (Tensor w = weights(cl, 3, 3, 2, 8)) {
            assertMessage(() -> Conv2d.configure(cl, P.withGroups(2), Shape.of(1, 8, 8, 4), w, null,
                    Conv2dConfig.implicitGemm(GemmConfig.general())), "needs groups == 1, got 2");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void runRejectsWrongTensorsAndUseAfterClose(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Shape in = Shape.of(1, 6, 6, 3);
        try (Tensor w = weights(cl, 3, 3, 3, 4);
             Conv2d conv = Conv2d.configure(cl, P.withPadding(1), in, w, null);
             Tensor x = Tensor.of(cl, in, Layout.NHWC, TestData.uniform(108, 1));
             Tensor y = Tensor.allocate(cl, Shape.of(1, 6, 6, 4), Layout.NHWC);
             Tensor wrong = Tensor.allocate(cl, Shape.of(1, 6, 6, 5), Layout.NHWC);
             Tensor nchw = Tensor.allocate(cl, Shape.of(1, 6, 6, 3), Layout.NCHW)) {
            assertMessage(() -> conv.run(x, wrong), "Conv2d: output has shape (1, 6, 6, 5) but (1, 6, 6, 4)");
            assertMessage(() -> conv.run(nchw, y), "NCHW");
            assertMessage(() -> conv.run(x, y, y), "a residual (1, 6, 6, 4) was passed");
            conv.run(x, y);
            Tensor closed = Tensor.of(cl, in, Layout.NHWC, TestData.uniform(108, 2));
            closed.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> conv.run(closed, y));
            assertTrue(e.getMessage().contains("used after close"), e.getMessage());
            conv.close();
            conv.close();   // idempotent
            e = assertThrows(IllegalStateException.class, () -> conv.run(x, y));
            assertTrue(e.getMessage().contains("Conv2d") && e.getMessage().contains("closed"), e.getMessage());
        }
        try (Tensor w = weights(cl, 1, 1, 3, 4);
             Conv2d conv = Conv2d.configure(cl, P.withResidual(Residual.ADD_THEN_ACTIVATE), in, w, null);
             Tensor x = Tensor.of(cl, in, Layout.NHWC, TestData.uniform(108, 1));
             Tensor y = Tensor.allocate(cl, Shape.of(1, 6, 6, 4), Layout.NHWC)) {
            assertMessage(() -> conv.run(x, y), "Conv2d: residual is missing");
            w.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, conv::reloadWeights);
            assertTrue(e.getMessage().contains("used after close"), e.getMessage());
        }
    }

    /** The GEMM forms that write a convolution's channels of a wider tensor (a concatenation, in place). */
    private static final Conv2dConfig[] SLICE_VARIANTS = {
        Conv2dConfig.implicitGemm(GemmConfig.general()),
        Conv2dConfig.implicitGemm(GemmConfig.cpu(3, 4, 2)),
        Conv2dConfig.implicitGemm(GemmConfig.cpu(3, 4, 2, 6, 5)),
        Conv2dConfig.implicitGemm(GemmConfig.tiled(32, 64, 8, 4, 8)),
        Conv2dConfig.implicitGemm(GemmConfig.tiled(32, 32, 8, 4, 4, 24)),
        Conv2dConfig.implicitGemm(GemmConfig.splitk(7)),
    };

    static Stream<Arguments> devicesAndSliceVariants() {
        return TestDevices.crossedWith(List.of(SLICE_VARIANTS));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("devicesAndSliceVariants")
    void writesItsChannelsOfAWiderTensorAndLeavesTheOthers(ClDevice device, Conv2dConfig config) {
        ClContext cl = CONTEXTS.on(device);
        Shape in = Shape.of(2, 5, 6, 7);
        Shape wide = Shape.of(2, 5, 6, 13);
        int cout = 5;
        int offset = 4;
        Conv2dParams p = P.withPadding(1).withActivation(Activation.RELU);
        float[] x = TestData.uniform(in.sizeAsInt(), 1);
        float[] w = TestData.uniform(3 * 3 * 7 * cout, 2);
        float[] b = TestData.uniform(cout, 3);
        ReferenceConv.Geometry g = new ReferenceConv.Geometry(2, 5, 6, 7, 3, 3, cout, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        float[] expected = ReferenceConv.conv2d(g, x, w, b, v -> Math.max(0f, (float) v), null, true);
        try (Tensor wt = Tensor.of(cl, Shape.of(3, 3, 7, cout), w);
             Tensor bt = Tensor.of(cl, Shape.of(cout), b);
             Tensor xt = Tensor.of(cl, in, Layout.NHWC, x);
             Tensor y = Tensor.allocate(cl, wide, Layout.NHWC);
             Conv2d conv = Conv2d.configureInto(cl, p, in, wt, bt, wide.dim(3), offset, config)) {
            assertEquals(wide, conv.writtenShape());
            y.buffer().fill(42f);
            conv.run(xt, y);
            float[] got = y.toArray();
            for (int pixel = 0; pixel < 2 * 5 * 6; pixel++) {
                for (int c = 0; c < wide.dim(3); c++) {
                    float v = got[pixel * wide.dim(3) + c];
                    if (c < offset || c >= offset + cout) {
                        assertEquals(42f, v, "pixel " + pixel + ", channel " + c + " is not the convolution's");
                    } else {
                        float e = expected[pixel * cout + c - offset];
                        assertTrue(Math.abs(v - e) <= 1e-4f + 1e-4f * Math.abs(e),
                                config + ": pixel " + pixel + ", channel " + c + ": " + v + " against " + e);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void onlyGemmVariantsWithoutAResidualWriteASlice(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Shape in = Shape.of(1, 6, 6, 4);
        try (Tensor w = weights(cl, 3, 3, 4, 4);
             Tensor dw = weights(cl, 3, 3, 1, 4)) {
            assertMessage(() -> Conv2d.configureInto(cl, P.withPadding(1), in, w, null, 6, 3), "channels [3, 7)",
                    "6 channels");
            assertMessage(() -> Conv2d.configureInto(cl, P.withPadding(1).withResidual(Residual.ADD_THEN_ACTIVATE), in, w,
                    null, 8, 0), "residual");
            assertMessage(() -> Conv2d.configureInto(cl, P.withPadding(1).withGroups(4), in, dw, null, 8, 0),
                    "writes a tensor of its own");
            assertMessage(() -> Conv2d.configureInto(cl, P.withPadding(1), in, w, null, 8, 0, Conv2dConfig.direct(4, 2)),
                    "writes a tensor of its own");
            assertTrue(!Conv2d.writesSlices(device, P.withPadding(1).withGroups(4), in, dw.shape()),
                    "a depthwise convolution writes a tensor of its own");
        }
    }

    @Test
    void samePaddingFollowsKeras() {
        Conv2dParams s2 = P.withStride(2).withSamePadding(224, 224, 3, 3);
        assertEquals(List.of(0, 0, 1, 1), List.of(s2.padTop(), s2.padLeft(), s2.padBottom(), s2.padRight()));
        Conv2dParams s1 = P.withSamePadding(28, 28, 3, 3);
        assertEquals(List.of(1, 1, 1, 1), List.of(s1.padTop(), s1.padLeft(), s1.padBottom(), s1.padRight()));
        Conv2dParams odd = P.withStride(2).withSamePadding(7, 7, 3, 3);
        assertEquals(List.of(1, 1, 1, 1), List.of(odd.padTop(), odd.padLeft(), odd.padBottom(), odd.padRight()));
        assertEquals(Shape.of(1, 112, 112, 32), s2.outputShape(Shape.of(1, 224, 224, 3), Shape.of(3, 3, 3, 32), null));
        assertThrows(IllegalArgumentException.class, () -> P.withStride(0));
        assertThrows(IllegalArgumentException.class, () -> P.withPadding(-1));
        assertThrows(IllegalArgumentException.class, () -> Conv2dConfig.direct(5, 4));
    }

    static Tensor weights(ClContext cl, int kh, int kw, int cin, int cout) {
        Shape s = Shape.of(kh, kw, cin, cout);
        return Tensor.of(cl, s, TestData.uniform(s.sizeAsInt(), 9));
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "'" + f + "' not in: " + e.getMessage());
        }
    }
}
