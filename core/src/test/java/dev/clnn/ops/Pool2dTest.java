package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.reference.ReferencePool;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.OpTesting;
import dev.clnn.testing.TestDevices;

/** Max, average and global average pooling, every variant, against {@code ReferencePool}. */
class Pool2dTest {
    private static final Contexts CONTEXTS = new Contexts();

    private record Case(Pool2dParams params, Shape input) {
    }

    /**
     * The poolings of the MNIST CNN and MobileNet v1/v2, TF "SAME" and ONNX padding, odd sizes,
     * channel counts off every vector width.
     */
    private static final Case[] CASES = {
        new Case(Pool2dParams.max(2, 2), Shape.of(2, 26, 26, 32)),                  // MNIST CNN
        new Case(Pool2dParams.max(2, 2), Shape.of(3, 28, 28, 1)),
        new Case(Pool2dParams.max(2, 2), Shape.of(1, 13, 13, 64)),                  // odd: floor drops the last row
        new Case(Pool2dParams.max(2, 2).withPadding(0, 0, 1, 1), Shape.of(1, 13, 13, 5)),   // TF SAME, odd input
        new Case(Pool2dParams.max(3, 2).withPadding(1), Shape.of(2, 15, 17, 3)),
        new Case(Pool2dParams.max(1, 1), Shape.of(1, 3, 3, 5)),
        new Case(Pool2dParams.max(5, 5), Shape.of(1, 5, 5, 2)),                    // one window = the whole input
        new Case(Pool2dParams.average(3, 2).withPadding(1), Shape.of(2, 15, 17, 3)),
        new Case(Pool2dParams.average(3, 2).withPadding(1).withCountIncludePad(true), Shape.of(2, 15, 17, 3)),
        new Case(Pool2dParams.average(3, 1).withPadding(1), Shape.of(1, 9, 11, 17)),
        new Case(Pool2dParams.average(3, 1).withPadding(1).withCountIncludePad(true), Shape.of(1, 9, 11, 17)),
        new Case(Pool2dParams.average(3, 3, 2, 1).withPadding(0, 1, 2, 0), Shape.of(2, 10, 7, 33)),
        new Case(Pool2dParams.average(2, 2).withPadding(0, 0, 1, 1).withCountIncludePad(true), Shape.of(1, 7, 9, 19)),
        new Case(Pool2dParams.max(3, 2).withCeilMode(true), Shape.of(1, 112, 112, 64)),   // GoogLeNet
        new Case(Pool2dParams.max(3, 2).withCeilMode(true), Shape.of(2, 14, 13, 17)),
        new Case(Pool2dParams.max(2, 2).withCeilMode(true), Shape.of(1, 7, 3, 5)),   // last windows of one row, column
        new Case(Pool2dParams.max(3, 3, 2, 1).withPadding(1, 0, 1, 2).withCeilMode(true), Shape.of(1, 10, 6, 3)),
        new Case(Pool2dParams.average(3, 2).withCeilMode(true), Shape.of(2, 14, 13, 17)),
        new Case(Pool2dParams.average(3, 2).withPadding(1).withCeilMode(true), Shape.of(1, 10, 11, 3)),
        new Case(Pool2dParams.average(3, 2).withPadding(1).withCountIncludePad(true).withCeilMode(true),
                Shape.of(1, 10, 11, 3)),
        new Case(Pool2dParams.average(2, 3).withPadding(0, 1, 1, 0).withCountIncludePad(true).withCeilMode(true),
                Shape.of(2, 5, 8, 7)),
        new Case(Pool2dParams.average(7, 2), Shape.of(1, 7, 7, 1024)),              // TF-slim MobileNet v1
        new Case(Pool2dParams.average(7, 1), Shape.of(2, 7, 7, 1024)),
        new Case(Pool2dParams.globalAverage(), Shape.of(1, 7, 7, 1024)),            // MobileNet v1
        new Case(Pool2dParams.globalAverage(), Shape.of(2, 7, 7, 1280)),            // MobileNet v2
        new Case(Pool2dParams.globalAverage(), Shape.of(1, 4, 4, 1024)),            // MobileNet at 128x128
        new Case(Pool2dParams.globalAverage(), Shape.of(3, 5, 5, 17)),
        new Case(Pool2dParams.globalAverage(), Shape.of(2, 31, 29, 3)),
        new Case(Pool2dParams.globalAverage(), Shape.of(1, 1, 1, 1)),
    };
    /** Under the simulator: every mode, padding kind and a partial channel block, small. */
    private static final Case[] SIMULATOR_CASES = {
        new Case(Pool2dParams.max(2, 2).withPadding(0, 0, 1, 1), Shape.of(1, 5, 5, 3)),
        new Case(Pool2dParams.max(3, 2).withPadding(1), Shape.of(1, 6, 5, 5)),
        new Case(Pool2dParams.average(3, 2).withPadding(1), Shape.of(1, 5, 6, 5)),
        new Case(Pool2dParams.average(3, 2).withPadding(1).withCountIncludePad(true), Shape.of(1, 5, 6, 5)),
        new Case(Pool2dParams.average(3, 3, 2, 1).withPadding(0, 1, 2, 0), Shape.of(1, 5, 4, 17)),
        new Case(Pool2dParams.max(3, 2).withCeilMode(true), Shape.of(1, 6, 5, 5)),
        new Case(Pool2dParams.average(3, 2).withPadding(1).withCountIncludePad(true).withCeilMode(true),
                Shape.of(1, 6, 5, 3)),
        new Case(Pool2dParams.globalAverage(), Shape.of(2, 3, 3, 5)),
        new Case(Pool2dParams.globalAverage(), Shape.of(1, 2, 3, 33)),
    };

    private static final List<KernelConfig<Pool2d.Variant>> VARIANTS = List.of(
            KernelConfig.of(Pool2d.Variant.GENERAL, 1, 64),
            KernelConfig.of(Pool2d.Variant.VECTOR, 4, 64),
            KernelConfig.of(Pool2d.Variant.VECTOR, 16, 64),
            KernelConfig.of(Pool2d.Variant.LOCAL, 1, 16),
            KernelConfig.of(Pool2d.Variant.LOCAL, 1, 64),
            KernelConfig.of(Pool2d.Variant.LOCAL, 1, 256));

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    static Stream<Arguments> cases() {
        return TestDevices.crossedWith(VARIANTS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesTheReference(ClDevice device, KernelConfig<Pool2d.Variant> config) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 1;
        for (Case c : TestDevices.isSimulator(device) ? SIMULATOR_CASES : CASES) {
            boolean global = c.params().mode() == Pool2dParams.Mode.GLOBAL_AVERAGE;
            if (config.variant() == Pool2d.Variant.LOCAL && !global) {
                continue;
            }
            check(cl, Pool2d.configure(cl, c.params(), c.input(), config), seed++);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void tunedConfigurationsMatchTheReference(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        check(cl, Pool2d.configure(cl, Pool2dParams.max(3, 2).withPadding(1), Shape.of(1, 11, 11, 24)), 3);
        check(cl, Pool2d.configure(cl, Pool2dParams.average(2, 2), Shape.of(1, 11, 11, 24)), 4);
        check(cl, Pool2d.configure(cl, Pool2dParams.globalAverage(), Shape.of(2, 7, 7, 40)), 5);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void maxPoolPropagatesNan(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Shape in = Shape.of(1, 4, 4, 3);
        float[] x = OpTesting.uniform(in.sizeAsInt(), 8, 1f);
        x[(1 * 4 + 1) * 3 + 2] = Float.NaN;      // pixel (1, 1), channel 2: the top-left window
        for (KernelConfig<Pool2d.Variant> config : VARIANTS.subList(0, 3)) {
            Pool2d op = Pool2d.configure(cl, Pool2dParams.max(2, 2), in, config);
            try (Tensor tx = Tensor.of(cl, in, Layout.NHWC, x);
                 Tensor ty = Tensor.allocate(cl, op.outputShape(), Layout.NHWC)) {
                op.run(tx, ty);
                float[] y = ty.toArray();
                assertTrue(Float.isNaN(y[2]), op + ": NaN was dropped");
                assertEquals(1, countNan(y), op.toString());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsBadShapesAndTensors(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Shape in = Shape.of(1, 2, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pool2d.configure(cl, Pool2dParams.max(3, 1), in));
        assertTrue(e.getMessage().contains("Pool2d") && e.getMessage().contains("(1, 2, 2, 3)")
                && e.getMessage().contains("(3, 3)"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Pool2d.configure(cl, Pool2dParams.max(2, 2), Shape.of(2, 2, 3)));
        assertThrows(IllegalArgumentException.class,
                () -> Pool2d.configure(cl, Pool2dParams.max(2, 2), in, KernelConfig.of(Pool2d.Variant.LOCAL)));
        Pool2d op = Pool2d.configure(cl, Pool2dParams.max(2, 2), in);
        try (Tensor x = Tensor.allocate(cl, in, Layout.NHWC);
             Tensor nchw = Tensor.allocate(cl, in, Layout.NCHW);
             Tensor y = Tensor.allocate(cl, op.outputShape(), Layout.NHWC)) {
            e = assertThrows(IllegalArgumentException.class, () -> op.run(y, y));
            assertTrue(e.getMessage().contains("(1, 1, 1, 3)") && e.getMessage().contains("(1, 2, 2, 3)"),
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> op.run(nchw, y));
            Pool2d same = Pool2d.configure(cl, Pool2dParams.max(1, 1), in);
            assertThrows(IllegalArgumentException.class, () -> same.run(x, x));
            Tensor closed = Tensor.allocate(cl, in, Layout.NHWC);
            closed.close();
            assertThrows(IllegalStateException.class, () -> op.run(closed, y));
        }
    }

    @Test
    void ceilModeRoundsUpButDropsAWindowStartingInTheEndPadding() {
        assertEquals(56, Pool2dParams.max(3, 2).withCeilMode(true).outputHeight(112));     // GoogLeNet
        assertEquals(55, Pool2dParams.max(3, 2).outputHeight(112));
        assertEquals(7, Pool2dParams.average(3, 2).withCeilMode(true).outputWidth(14));
        // (5 + 2 - 2) / 2 rounds up to 4 windows, but the fourth starts at padded row 6, past the input
        assertEquals(3, Pool2dParams.max(2, 2).withPadding(1).withCeilMode(true).outputHeight(5));
        assertEquals(1, Pool2dParams.max(2, 2).withCeilMode(true).outputWidth(2));
    }

    @Test
    void rejectsImpossibleParameters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pool2dParams.max(2, 2).withPadding(2));
        assertTrue(e.getMessage().contains("smaller than the window"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pool2dParams.max(0, 1));
        assertThrows(IllegalArgumentException.class, () -> Pool2dParams.average(3, 1).withPadding(-1));
    }

    private static void check(ClContext cl, Pool2d op, long seed) {
        Pool2dParams p = op.params();
        Shape in = op.inputShape();
        boolean max = p.mode() == Pool2dParams.Mode.MAX;
        int size = in.sizeAsInt();
        float[] x = max ? OpTesting.withExtremes(size, seed, 1f) : OpTesting.uniform(size, seed, 1f);
        float[] expected = reference(p, in, x);
        try (Tensor tx = Tensor.of(cl, in, Layout.NHWC, x);
             Tensor ty = Tensor.allocate(cl, op.outputShape(), Layout.NHWC)) {
            op.run(tx, ty);
            float[] actual = ty.toArray();
            if (max) {
                OpTesting.assertExact(actual, expected, op::toString);
            } else {
                OpTesting.assertClose(actual, expected, Tolerances.POOL_RTOL, Tolerances.POOL_ATOL, op::toString);
            }
        }
    }

    private static float[] reference(Pool2dParams p, Shape in, float[] x) {
        switch (p.mode()) {
            case MAX:
                return ReferencePool.maxPool(x, in, p.kernelH(), p.kernelW(), p.strideH(), p.strideW(),
                        p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), p.ceilMode());
            case AVERAGE:
                return ReferencePool.averagePool(x, in, p.kernelH(), p.kernelW(), p.strideH(), p.strideW(),
                        p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), p.countIncludePad(), p.ceilMode());
            default:
                return ReferencePool.globalAveragePool(x, in);
        }
    }

    private static int countNan(float[] y) {
        int n = 0;
        for (float v : y) {
            n += Float.isNaN(v) ? 1 : 0;
        }
        return n;
    }
}
