package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.reference.ReferenceReduce;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.OpTesting;
import dev.clnn.testing.TestDevices;

/** Sums and means over every kind of axis set, ranks 1 to 6, against {@code ReferenceReduce}. */
class ReduceTest {
    private static final Contexts CONTEXTS = new Contexts();
    private static final ReduceParams.Mode SUM = ReduceParams.Mode.SUM;
    private static final ReduceParams.Mode MEAN = ReduceParams.Mode.MEAN;
    private static final ReduceParams.Mode L2 = ReduceParams.Mode.L2;

    private record Case(ReduceParams params, Shape input) {
    }

    private static Case c(ReduceParams.Mode mode, boolean keep, Shape input, int... axes) {
        return new Case(new ReduceParams(mode, axes, keep), input);
    }

    private static final Case[] CASES = {
        c(MEAN, true, Shape.of(2, 197, 37), -1),                  // a transformer's LayerNorm, decomposed
        c(SUM, false, Shape.of(3, 5, 7, 11), 1),
        c(MEAN, true, Shape.of(2, 7, 7, 13), 1, 2),                // spatial of NHWC
        c(SUM, true, Shape.of(2, 3, 5, 7), 1, 3),                  // not adjacent
        c(MEAN, false, Shape.of(1, 4, 1, 9), -3, -1),
        c(SUM, false, Shape.of(13), 0),
        c(SUM, true, Shape.of(2, 3, 1, 2, 3, 5), 1, 3, 5),
        c(MEAN, false, Shape.of(2, 3, 4, 2, 3, 5), 0, 2, 4),
        c(L2, true, Shape.of(2, 7, 7, 40), 1, 2),                  // ConvNeXt v2's response norm, NHWC
        c(L2, false, Shape.of(3, 5, 7, 11), 1, 3),
        c(L2, true, Shape.of(2, 0, 3), 1),                         // empty reduction: zeros
        c(SUM, true, Shape.of(2, 0, 3), 2),                        // empty output
        c(SUM, true, Shape.of(2, 0, 3), 1),                        // empty reduction: zeros
    };
    private static final Case[] SIMULATOR_CASES = {
        c(MEAN, true, Shape.of(2, 5, 7), -1),
        c(SUM, false, Shape.of(2, 3, 2, 3, 2, 3), 1, 3, 4),
        c(SUM, true, Shape.of(3, 4, 5), 0, 1),
        c(L2, true, Shape.of(2, 3, 3, 5), 1, 2),
    };

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void matchesTheReference(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 1;
        for (Case k : TestDevices.isSimulator(device) ? SIMULATOR_CASES : CASES) {
            try (Reduce op = Reduce.configure(cl, k.params(), k.input())) {
                check(cl, op, seed++);
            }
        }
    }

    @Test
    void outputShapesKeepOrDropTheAxes() {
        ReduceParams p = new ReduceParams(SUM, new int[] {1, -1}, true);
        assertEquals(Shape.of(2, 1, 4, 1), p.outputShape(Shape.of(2, 3, 4, 5)));
        assertEquals(Shape.of(2, 4), new ReduceParams(MEAN, new int[] {1, -1}, false).outputShape(Shape.of(2, 3, 4, 5)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ReduceParams(SUM, new int[] {1, -2}, true).outputShape(Shape.of(2, 3, 4)));
        assertTrue(e.getMessage().contains("repeated"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ReduceParams(SUM, new int[] {3}, true).outputShape(
                Shape.of(2, 3, 4)));
        assertThrows(IllegalArgumentException.class, () -> new ReduceParams(SUM, new int[0], true));
        assertEquals(new ReduceParams(SUM, new int[] {1}, true), new ReduceParams(SUM, new int[] {1}, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsBadShapesAndTensors(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        ReduceParams last = new ReduceParams(SUM, new int[] {-1}, true);
        assertThrows(IllegalArgumentException.class, () -> Reduce.configure(cl, last, Shape.of(1, 1, 1, 1, 1, 1, 2)));
        try (Reduce op = Reduce.configure(cl, last, Shape.of(2, 3)); Tensor x = Tensor.allocate(cl, Shape.of(2, 3));
             Tensor y = Tensor.allocate(cl, Shape.of(2, 1))) {
            assertThrows(IllegalArgumentException.class, () -> op.run(y, x));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> op.run(x, x.reshape(
                    Shape.of(2, 3))));
            assertTrue(e.getMessage().contains("shape") || e.getMessage().contains("share"), e.getMessage());
        }
    }

    private static void check(ClContext cl, Reduce op, long seed) {
        Shape in = op.inputShape();
        float[] x = OpTesting.uniform(in.sizeAsInt(), seed, 2f);
        try (Tensor xt = Tensor.of(cl, in, x); Tensor y = Tensor.allocate(cl, op.outputShape())) {
            op.run(xt, y);
            boolean[] reduced = op.params().reduced(in.rank());
            float[] expected = op.params().mode() == L2 ? ReferenceReduce.l2(x, in, reduced)
                    : ReferenceReduce.reduce(x, in, reduced, op.params().mode() == MEAN);
            OpTesting.assertClose(y.toArray(), expected, 1e-5f, 1e-5f, op::toString);
        }
    }
}
