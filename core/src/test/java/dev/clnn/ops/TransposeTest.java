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
import dev.clnn.reference.ReferenceLayout;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.OpTesting;
import dev.clnn.testing.TestDevices;

/** Transposes of every kind, every variant, against {@code ReferenceLayout.transpose}, bit for bit. */
class TransposeTest {
    private static final Contexts CONTEXTS = new Contexts();

    private record Case(TransposeParams params, Shape input) {
    }

    private static final Case[] CASES = {
        new Case(TransposeParams.NCHW_TO_NHWC, Shape.of(2, 3, 5, 7)),
        new Case(TransposeParams.NCHW_TO_NHWC, Shape.of(1, 3, 224, 224)),
        new Case(TransposeParams.NCHW_TO_NHWC, Shape.of(1, 32, 13, 17)),
        new Case(TransposeParams.NHWC_TO_NCHW, Shape.of(2, 5, 7, 3)),
        new Case(TransposeParams.NHWC_TO_NCHW, Shape.of(1, 1, 1, 1)),
        new Case(TransposeParams.of(1, 0), Shape.of(37, 53)),
        new Case(TransposeParams.of(1, 0), Shape.of(1, 64)),
        new Case(TransposeParams.of(0, 1, 2), Shape.of(3, 4, 5)),
        new Case(TransposeParams.of(1, 0, 2), Shape.of(3, 5, 7)),
        new Case(TransposeParams.of(0, 2, 1), Shape.of(4, 33, 65)),
        new Case(TransposeParams.of(0, 2, 1), Shape.of(2, 100, 3)),
        new Case(TransposeParams.reverse(3), Shape.of(3, 4, 5)),
        new Case(TransposeParams.of(0, 3, 1, 4, 2), Shape.of(2, 3, 4, 5, 6)),
        new Case(TransposeParams.reverse(8), Shape.of(2, 1, 2, 3, 1, 2, 2, 2)),
        new Case(TransposeParams.of(), Shape.of()),
        new Case(TransposeParams.of(1, 0), Shape.of(0, 5)),
    };
    /** Under the simulator: NCHW <-> NHWC, a plain and a batched 2-D transpose, a kept last axis, a reversal. */
    private static final Case[] SIMULATOR_CASES = {
        new Case(TransposeParams.NCHW_TO_NHWC, Shape.of(1, 3, 5, 7)),
        new Case(TransposeParams.NHWC_TO_NCHW, Shape.of(2, 3, 2, 5)),
        new Case(TransposeParams.of(1, 0), Shape.of(17, 19)),
        new Case(TransposeParams.of(1, 0, 2), Shape.of(2, 3, 5)),
        new Case(TransposeParams.of(0, 2, 1, 3), Shape.of(2, 3, 2, 5)),
        new Case(TransposeParams.reverse(3), Shape.of(2, 3, 4)),
    };

    private static final List<KernelConfig<Transpose.Variant>> VARIANTS = List.of(
            KernelConfig.of(Transpose.Variant.GENERAL, 1, 64),
            KernelConfig.of(Transpose.Variant.ROWS, 1, 64),
            KernelConfig.of(Transpose.Variant.ROWS, 16, 64),
            KernelConfig.of(Transpose.Variant.TILED, 1, 16),
            KernelConfig.of(Transpose.Variant.TILED, 1, 256),
            KernelConfig.of(Transpose.Variant.BLOCKED, 1, 64));

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    static Stream<Arguments> cases() {
        return TestDevices.crossedWith(VARIANTS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesTheReferenceExactly(ClDevice device, KernelConfig<Transpose.Variant> config) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 1;
        int ran = 0;
        for (Case c : TestDevices.isSimulator(device) ? SIMULATOR_CASES : CASES) {
            if (Transpose.applies(config.variant(), c.params(), c.input())) {
                check(cl, Transpose.configure(cl, c.params(), c.input(), config), seed++);
                ran++;
            }
        }
        assertTrue(ran >= 2, config + " ran on " + ran + " cases only");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void nchwNhwcRoundTrip(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Shape nchw = Shape.of(2, 3, 11, 13);
        Transpose there = Transpose.nchwToNhwc(cl, nchw);
        Transpose back = Transpose.nhwcToNchw(cl, there.outputShape());
        assertEquals(Shape.of(2, 11, 13, 3), there.outputShape());
        assertEquals(Layout.NHWC, there.outputLayout(Layout.NCHW));
        assertEquals(Layout.NCHW, back.outputLayout(Layout.NHWC));
        float[] data = OpTesting.withExtremes(nchw.sizeAsInt(), 4, 2f);
        try (Tensor x = Tensor.of(cl, nchw, Layout.NCHW, data);
             Tensor y = Tensor.allocate(cl, there.outputShape(), Layout.NHWC);
             Tensor z = Tensor.allocate(cl, nchw, Layout.NCHW)) {
            // NaN first: an element the first transpose skipped would survive into the comparison. NOTE: a
            // whole-buffer host write also gives Oclgrind 21.10 a full-size shadow for y. Without it, a buffer
            // reusing the handle of a smaller freed one keeps that one's shadow size, and the second kernel's
            // reads of y are reported as uninitialized although every element was written (fill() does
            // not help: Oclgrind sizes the shadow by one fill pattern).
            float[] nan = new float[y.shape().sizeAsInt()];
            java.util.Arrays.fill(nan, Float.NaN);
            y.copyFrom(nan);
            there.run(x, y);
            back.run(y, z);
            OpTesting.assertExact(y.toArray(), ReferenceLayout.transpose(data, nchw, new int[] {0, 2, 3, 1}),
                    there::toString);
            OpTesting.assertExact(z.toArray(), data, () -> "round trip " + there + " then " + back);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsBadPermutationsAndTensors(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Transpose.configure(cl, TransposeParams.of(0, 2, 1), Shape.of(3, 4)));
        assertTrue(e.getMessage().contains("Transpose") && e.getMessage().contains("(3, 4)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Transpose.configure(cl, TransposeParams.reverse(3),
                Shape.of(2, 3, 4), KernelConfig.of(Transpose.Variant.TILED, 1, 256)));
        assertTrue(e.getMessage().contains("TILED") || e.getMessage().contains("tiled"), e.getMessage());
        Transpose t = Transpose.configure(cl, TransposeParams.of(1, 0), Shape.of(2, 3));
        try (Tensor x = Tensor.allocate(cl, Shape.of(2, 3)); Tensor y = Tensor.allocate(cl, Shape.of(3, 2))) {
            e = assertThrows(IllegalArgumentException.class, () -> t.run(y, x));
            assertTrue(e.getMessage().contains("(3, 2)") && e.getMessage().contains("(2, 3)"), e.getMessage());
            Tensor closed = Tensor.allocate(cl, Shape.of(2, 3));
            closed.close();
            assertThrows(IllegalStateException.class, () -> t.run(closed, y));
        }
    }

    @Test
    void rejectsNonPermutations() {
        for (int[] bad : new int[][] {{0, 0}, {1, 2}, {-1, 0}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TransposeParams.of(bad));
            assertTrue(e.getMessage().contains("not a permutation"), e.getMessage());
        }
    }

    private static void check(ClContext cl, Transpose op, long seed) {
        Shape in = op.inputShape();
        float[] x = OpTesting.withExtremes(in.sizeAsInt(), seed, 3f);
        float[] expected = ReferenceLayout.transpose(x, in, op.params().perm());
        try (Tensor tx = Tensor.of(cl, in, x); Tensor ty = Tensor.allocate(cl, op.outputShape())) {
            op.run(tx, ty);
            OpTesting.assertExact(ty.toArray(), expected, op::toString);
        }
    }
}
