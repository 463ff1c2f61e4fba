package dev.clnn.ops;

import static dev.clnn.ops.Conv2dTest.assertMessage;
import static dev.clnn.ops.Conv2dTest.weights;
import static dev.clnn.ops.ConvHarness.conv;
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
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestData;
import dev.clnn.testing.TestDevices;

/**
 * Pointwise (1x1) convolutions on every device against the reference, through every form of the
 * GEMM family (general, CPU-blocked, GPU-tiled with several blockings, split-K) and the direct
 * and general convolution kernels: MobileNet v1's pointwise layers, MobileNet v2's expansions and
 * its projections with the residual add, and sizes off every tile and vector width.
 */
class PointwiseConvTest {
    private static final Contexts CONTEXTS = new Contexts();
    private static final Conv2dParams P = Conv2dParams.defaults();

    private static final Conv2dConfig[] VARIANTS = {
        Conv2dConfig.pointwise(GemmConfig.general()),
        Conv2dConfig.pointwise(GemmConfig.cpu(6, 16, 2)),
        Conv2dConfig.pointwise(GemmConfig.cpu(3, 4, 1)),
        Conv2dConfig.pointwise(GemmConfig.tiled(64, 64, 16, 4, 4)),
        Conv2dConfig.pointwise(GemmConfig.tiled(32, 64, 8, 4, 8)),
        Conv2dConfig.pointwise(GemmConfig.splitk(16)),
        Conv2dConfig.direct(16, 4),
        Conv2dConfig.general(),
    };

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
        ConvHarness.clear();
    }

    static Case pw(String name, int n, int h, int w, int cin, int cout, Conv2dParams p) {
        return conv(name, n, h, w, cin, 1, 1, cout, p);
    }

    static List<Case> shapes(boolean simulator) {
        Conv2dParams relu6 = P.withActivation(Activation.RELU6);
        Conv2dParams add = P.withResidual(Residual.ADD_THEN_ACTIVATE);
        List<Case> c = new ArrayList<>();
        c.add(pw("1 -> 1", 1, 1, 1, 1, 1, P));
        c.add(pw("M=1", 1, 1, 1, 7, 5, relu6));
        c.add(pw("primes", 1, 3, 5, 13, 17, relu6));
        c.add(pw("batch 2 residual", 2, 4, 3, 19, 33, add));
        c.add(pw("K=1", 1, 5, 5, 1, 40, P));
        c.add(pw("N=1", 1, 6, 7, 23, 1, P));
        c.add(ConvHarness.noBias(pw("activate then add", 1, 5, 5, 9, 11, P.withActivation(Activation.HARD_SWISH)
                .withResidual(Residual.ACTIVATE_THEN_ADD))));
        c.add(pw("v2 projection small", 1, 8, 9, 48, 16, add));
        c.add(pw("past one tile", 1, 9, 8, 20, 70, relu6));
        if (simulator) {
            return c;
        }
        c.add(pw("v1 112x112x32->64", 1, 112, 112, 32, 64, relu6));
        c.add(pw("v1 112x112x64->128", 1, 112, 112, 64, 128, relu6));
        c.add(pw("v1 56x56x128->128", 1, 56, 56, 128, 128, relu6));
        c.add(pw("v1 28x28x256->256", 1, 28, 28, 256, 256, relu6));
        c.add(pw("v1 14x14x512->512", 1, 14, 14, 512, 512, relu6));
        c.add(pw("v1 7x7x1024->1024", 1, 7, 7, 1024, 1024, relu6));
        c.add(pw("v2 expand 56x56x24->144", 1, 56, 56, 24, 144, relu6));
        c.add(pw("v2 project 56x56x144->24 + residual", 1, 56, 56, 144, 24, add));
        c.add(pw("v2 project 28x28x192->32 + residual", 1, 28, 28, 192, 32, add));
        c.add(pw("v2 last 7x7x320->1280", 1, 7, 7, 320, 1280, relu6));
        c.add(pw("odd batch 2", 2, 17, 19, 70, 130, P));
        return c;
    }

    static Stream<Arguments> cases() {
        return TestDevices.crossedWith(VARIANTS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesReference(ClDevice device, Conv2dConfig config) {
        ClContext cl = CONTEXTS.on(device);
        if (config.variant() == Conv2dConfig.Variant.POINTWISE && !Gemm.fits(config.gemm(), device)) {
            return;     // NOTE: a tile larger than the device's work-groups; configure rejects it (tested below)
        }
        long seed = 1;
        for (Case c : shapes(TestDevices.isSimulator(device))) {
            ConvHarness.check(cl, c, config, seed++);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void residualMayBeTheOutputItself(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Shape in = Shape.of(1, 5, 6, 12);
        Shape out = Shape.of(1, 5, 6, 8);
        float[] x = TestData.uniform(in.sizeAsInt(), 1);
        float[] r = TestData.uniform(out.sizeAsInt(), 2);
        Case c = pw("in place", 1, 5, 6, 12, 8, P.withResidual(Residual.ADD_THEN_ACTIVATE));
        try (Tensor w = weights(cl, 1, 1, 12, 8);
             Tensor b = Tensor.of(cl, Shape.of(8), TestData.uniform(8, 3));
             Conv2d conv = Conv2d.configure(cl, c.params(), in, w, b);
             Tensor xt = Tensor.of(cl, in, Layout.NHWC, x);
             Tensor yt = Tensor.of(cl, out, Layout.NHWC, r)) {
            conv.run(xt, yt, yt);
            float[] expected = ConvHarness.reference(c, x, TestData.uniform(96, 9), TestData.uniform(8, 3), r);
            float[] actual = yt.toArray();
            for (int i = 0; i < expected.length; i++) {
                float e = expected[i];
                float a = actual[i];
                assertTrue(Math.abs(a - e) <= 1e-4f, () -> "in-place residual: got " + a + ", expected " + e);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsMistakesNamingTheShapes(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        try (Tensor w = weights(cl, 1, 1, 16, 24)) {
            assertMessage(() -> Conv2d.configure(cl, P, Shape.of(1, 7, 7, 15), w, null), "channel mismatch",
                    "(1, 7, 7, 15)", "(1, 1, 16, 24)");
            assertMessage(() -> Conv2d.configure(cl, P.withGroups(5), Shape.of(1, 7, 7, 48), w, null),
                    "groups=5 must divide", "(1, 7, 7, 48)", "(1, 1, 16, 24)");
            assertMessage(() -> Conv2d.configure(cl, P.withStride(2), Shape.of(1, 7, 7, 16), w, null,
                    Conv2dConfig.pointwise(GemmConfig.cpu(6, 16, 2))), "needs a 1x1 kernel, stride 1");
            assertMessage(() -> Conv2d.configure(cl, P, Shape.of(1, 7, 7, 16), w, null,
                    Conv2dConfig.pointwise(GemmConfig.tiled(512, 512, 128, 4, 4))), "cannot run", "local memory");
            try (Tensor b = Tensor.of(cl, Shape.of(16), new float[16])) {
                assertMessage(() -> Conv2d.configure(cl, P, Shape.of(1, 7, 7, 16), w, b), "bias (16,)",
                        "(1, 7, 7, 16)", "(1, 1, 16, 24)");
            }
            Shape in = Shape.of(1, 7, 7, 16);
            try (Conv2d conv = Conv2d.configure(cl, P, in, w, null);
                 Tensor x = Tensor.allocate(cl, in, Layout.NHWC);
                 Tensor y = Tensor.allocate(cl, Shape.of(1, 7, 7, 24), Layout.NHWC)) {
                assertMessage(() -> conv.run(y, y), "input has shape (1, 7, 7, 24) but (1, 7, 7, 16)");
                w.close();
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> conv.run(x, y));
                assertTrue(e.getMessage().contains("used after close"), e.getMessage());
            }
        }
    }
}
