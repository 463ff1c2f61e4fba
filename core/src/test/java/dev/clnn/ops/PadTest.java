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

/** Constant padding, every variant, against {@code ReferenceLayout.pad}, compared bit for bit. */
class PadTest {
    private static final Contexts CONTEXTS = new Contexts();

    private record Case(PadParams params, Shape input) {
    }

    private static final Case[] CASES = {
        new Case(PadParams.nhwc(1, 1, 1, 1), Shape.of(1, 7, 7, 3)),
        new Case(PadParams.nhwc(0, 1, 0, 1), Shape.of(2, 13, 13, 32)),         // Keras MobileNet stride-2 padding
        new Case(PadParams.nhwc(1, 1, 1, 1), Shape.of(1, 112, 112, 32)),
        new Case(PadParams.nhwc(2, 0, 1, 3), Shape.of(1, 5, 5, 17)),
        new Case(PadParams.of(new int[] {0, 0, 0, 2}, new int[] {0, 0, 0, 3}), Shape.of(2, 3, 3, 5)),   // channels
        new Case(new PadParams(new int[] {1, 2, 0}, new int[] {2, 0, 3}, -1.5f), Shape.of(3, 1, 4)),
        new Case(new PadParams(new int[] {3}, new int[] {0}, Float.NaN), Shape.of(5)),
        new Case(new PadParams(new int[] {}, new int[] {}, 7f), Shape.of()),
        new Case(new PadParams(new int[] {1, 0}, new int[] {1, 0}, Float.NEGATIVE_INFINITY), Shape.of(0, 3)),
        new Case(PadParams.of(new int[] {1, 0, 0, 1, 0, 0, 1, 0}, new int[] {0, 1, 0, 0, 1, 0, 0, 1}),
                Shape.of(2, 1, 2, 3, 1, 2, 1, 3)),
        new Case(PadParams.onnx(new int[] {0, 0, 1, 1, 0, 0, 1, 1}, 0f), Shape.of(2, 3, 4, 5)),   // NCHW spatial
    };
    private static final Case[] SIMULATOR_CASES = {
        new Case(PadParams.nhwc(1, 1, 1, 1), Shape.of(1, 5, 5, 3)),
        new Case(PadParams.of(new int[] {0, 0, 0, 2}, new int[] {0, 0, 0, 3}), Shape.of(1, 2, 2, 5)),
        new Case(new PadParams(new int[] {1, 2, 0}, new int[] {2, 0, 3}, -1.5f), Shape.of(3, 1, 4)),
        new Case(new PadParams(new int[] {}, new int[] {}, 7f), Shape.of()),
    };

    private static final List<KernelConfig<Pad.Variant>> VARIANTS = List.of(
            KernelConfig.of(Pad.Variant.GENERAL, 1, 64),
            KernelConfig.of(Pad.Variant.ROWS, 1, 64),
            KernelConfig.of(Pad.Variant.ROWS, 4, 64),
            KernelConfig.of(Pad.Variant.ROWS, 16, 64));

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    static Stream<Arguments> cases() {
        return TestDevices.crossedWith(VARIANTS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesTheReferenceExactly(ClDevice device, KernelConfig<Pad.Variant> config) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 1;
        for (Case c : TestDevices.isSimulator(device) ? SIMULATOR_CASES : CASES) {
            check(cl, Pad.configure(cl, c.params(), c.input(), config), seed++);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void tunedConfigurationMatchesTheReference(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        check(cl, Pad.configure(cl, PadParams.nhwc(1, 1, 1, 1), Shape.of(2, 9, 9, 24)), 3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsBadPadsAndTensors(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pad.configure(cl, PadParams.nhwc(1, 1, 1, 1), Shape.of(3, 4)));
        assertTrue(e.getMessage().contains("Pad") && e.getMessage().contains("(3, 4)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pad.configure(cl,
                PadParams.of(new int[9], new int[9]), Shape.of(2, 2, 2, 2, 2, 2, 2, 2, 2),
                KernelConfig.of(Pad.Variant.GENERAL)));
        Pad pad = Pad.configure(cl, PadParams.nhwc(1, 1, 1, 1), Shape.of(1, 2, 2, 1));
        assertEquals(Shape.of(1, 4, 4, 1), pad.outputShape());
        try (Tensor x = Tensor.allocate(cl, Shape.of(1, 2, 2, 1));
             Tensor y = Tensor.allocate(cl, Shape.of(1, 4, 4, 1))) {
            e = assertThrows(IllegalArgumentException.class, () -> pad.run(y, y));
            assertTrue(e.getMessage().contains("(1, 4, 4, 1)") && e.getMessage().contains("(1, 2, 2, 1)"),
                    e.getMessage());
            Tensor closed = Tensor.allocate(cl, Shape.of(1, 4, 4, 1));
            closed.close();
            assertThrows(IllegalStateException.class, () -> pad.run(x, closed));
        }
    }

    @Test
    void rejectsNegativeAndMismatchedPads() {
        assertThrows(IllegalArgumentException.class, () -> PadParams.of(new int[] {-1}, new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> PadParams.of(new int[] {1, 1}, new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> PadParams.onnx(new int[] {1, 1, 1}, 0f));
        int[] begin = {1, 2};
        PadParams p = PadParams.of(begin, new int[] {0, 0});
        begin[0] = 9;
        assertEquals(1, p.begin()[0], "params must copy their arrays");
    }

    private static void check(ClContext cl, Pad op, long seed) {
        PadParams p = op.params();
        Shape in = op.inputShape();
        float[] x = OpTesting.withExtremes(in.sizeAsInt(), seed, 3f);
        float[] expected = ReferenceLayout.pad(x, in, p.begin(), p.end(), p.value());
        try (Tensor tx = Tensor.of(cl, in, x); Tensor ty = Tensor.allocate(cl, op.outputShape())) {
            op.run(tx, ty);
            OpTesting.assertExact(ty.toArray(), expected, op::toString);
        }
    }
}
