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
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.OpTesting;
import dev.clnn.testing.TestDevices;

/** Strided windows of every rank up to 6, every variant, against {@code ReferenceLayout.slice}, bit for bit. */
class SliceTest {
    private static final Contexts CONTEXTS = new Contexts();

    private record Case(SliceParams params, Shape input) {
    }

    private static final int END = Integer.MAX_VALUE;

    private static final Case[] CASES = {
        new Case(SliceParams.all(4).withAxis(3, 0, 58, 1), Shape.of(2, 7, 7, 116)),         // ShuffleNet v2 split
        new Case(SliceParams.all(4).withAxis(3, 58, END, 1), Shape.of(2, 7, 7, 116)),
        new Case(SliceParams.all(4).withAxis(3, 5, 22, 1), Shape.of(1, 3, 5, 23)),         // unaligned start
        new Case(SliceParams.all(4).withAxis(3, -1, END, 1), Shape.of(3, 2, 2, 17)),       // last channel
        new Case(SliceParams.all(4).withAxis(1, 1, -1, 2).withAxis(2, 0, 100, 3), Shape.of(2, 9, 11, 5)),
        new Case(SliceParams.all(4).withAxis(3, 1, END, 2), Shape.of(1, 4, 4, 31)),        // strided last axis
        new Case(SliceParams.all(4).withAxis(3, -2, -40, -3), Shape.of(1, 2, 3, 37)),      // negative step
        new Case(SliceParams.all(2).withAxis(1, 3, 4, 1), Shape.of(5, 7)),
        new Case(SliceParams.all(1).withAxis(0, -5, -1, 1), Shape.of(13)),
        new Case(SliceParams.all(3).withAxis(1, 2, 2, 1), Shape.of(2, 5, 3)),              // empty
        new Case(SliceParams.all(6).withAxis(2, 1, 3, 1).withAxis(5, 0, 7, 2), Shape.of(2, 1, 3, 2, 3, 9)),
        new Case(SliceParams.all(5).withAxis(4, 3, END, 1).withAxis(1, 1, END, 1), Shape.of(1, 3, 2, 2, 19)),
    };
    private static final Case[] SIMULATOR_CASES = {
        new Case(SliceParams.all(4).withAxis(3, 5, 22, 1), Shape.of(1, 2, 3, 23)),
        new Case(SliceParams.all(4).withAxis(1, 1, -1, 2).withAxis(3, -2, -40, -3), Shape.of(1, 5, 2, 11)),
        new Case(SliceParams.all(6).withAxis(2, 1, 3, 1).withAxis(5, 0, 7, 2), Shape.of(2, 1, 3, 2, 1, 9)),
    };

    private static final List<KernelConfig<Slice.Variant>> VARIANTS = List.of(
            KernelConfig.of(Slice.Variant.GENERAL, 1, 64),
            KernelConfig.of(Slice.Variant.VECTOR, 4, 64),
            KernelConfig.of(Slice.Variant.VECTOR, 16, 64));

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    static Stream<Arguments> cases() {
        return TestDevices.crossedWith(VARIANTS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesTheReferenceExactly(ClDevice device, KernelConfig<Slice.Variant> config) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 1;
        for (Case c : TestDevices.isSimulator(device) ? SIMULATOR_CASES : CASES) {
            check(cl, Slice.configure(cl, c.params(), c.input(), config), seed++);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void tunedConfigurationMatchesTheReference(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        check(cl, Slice.configure(cl, SliceParams.all(4).withAxis(3, 12, 24, 1), Shape.of(2, 5, 5, 24)), 9);
    }

    @Test
    void outputShapesFollowOnnxClamping() {
        assertEquals(Shape.of(2, 3), SliceParams.all(2).withAxis(1, -3, END, 1).outputShape(Shape.of(2, 7)));
        assertEquals(Shape.of(2, 0), SliceParams.all(2).withAxis(1, 9, 20, 1).outputShape(Shape.of(2, 7)));
        assertEquals(Shape.of(2, 7), SliceParams.all(2).withAxis(1, -100, 100, 1).outputShape(Shape.of(2, 7)));
        assertEquals(Shape.of(2, 7), SliceParams.all(2).withAxis(1, 100, -100, -1).outputShape(Shape.of(2, 7)));
        assertEquals(Shape.of(2, 3), SliceParams.all(2).withAxis(1, 1, END, 2).outputShape(Shape.of(2, 7)));
        assertThrows(IllegalArgumentException.class, () -> SliceParams.all(2).withAxis(1, 0, 1, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsBadShapesAndTensors(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Slice.configure(cl, SliceParams.all(3), Shape.of(2, 3)));
        assertTrue(e.getMessage().contains("(2, 3)"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Slice.configure(cl, SliceParams.all(7), Shape.of(1, 1, 1, 1, 1, 1, 1)));
        Slice op = Slice.configure(cl, SliceParams.all(2).withAxis(1, 1, END, 1), Shape.of(2, 3));
        try (Tensor x = Tensor.allocate(cl, Shape.of(2, 3)); Tensor y = Tensor.allocate(cl, Shape.of(2, 2))) {
            assertThrows(IllegalArgumentException.class, () -> op.run(y, x));
            Slice whole = Slice.configure(cl, SliceParams.all(2), Shape.of(2, 3));
            e = assertThrows(IllegalArgumentException.class, () -> whole.run(x, x));
            assertTrue(e.getMessage().contains("share a buffer"), e.getMessage());
        }
    }

    private static void check(ClContext cl, Slice op, long seed) {
        Shape in = op.inputShape();
        float[] x = OpTesting.withExtremes(in.sizeAsInt(), seed, 3f);
        try (Tensor xt = Tensor.of(cl, in, x); Tensor y = Tensor.allocate(cl, op.outputShape())) {
            op.run(xt, y);
            float[] expected = ReferenceLayout.slice(x, in, op.params().first(in), op.params().steps(),
                    op.outputShape());
            OpTesting.assertExact(y.toArray(), expected, op::toString);
        }
    }
}
