package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.reference.ReferenceLayout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.OpTesting;
import dev.clnn.testing.TestDevices;

/** Repetitions of ranks 1 to 6, Expand-like (dimensions of 1) and Tile-like, against {@code ReferenceLayout.tile}, exactly. */
class TileTest {
    private static final Contexts CONTEXTS = new Contexts();

    private record Case(int[] repeats, Shape input) {
    }

    private static final Case[] CASES = {
        new Case(new int[] {1, 197, 1}, Shape.of(2, 1, 64)),              // a class token expanded
        new Case(new int[] {1, 2, 1, 3}, Shape.of(2, 3, 5, 7)),
        new Case(new int[] {1, 1, 4, 1}, Shape.of(3, 5, 1, 11)),
        new Case(new int[] {3}, Shape.of(13)),
        new Case(new int[] {1, 2, 1, 2, 1, 3}, Shape.of(2, 1, 3, 2, 1, 5)),
        new Case(new int[] {1, 0, 2}, Shape.of(2, 3, 4)),                 // empty
        new Case(new int[] {1, 1, 1}, Shape.of(2, 3, 4)),
    };
    private static final Case[] SIMULATOR_CASES = {
        new Case(new int[] {1, 3, 1}, Shape.of(2, 1, 5)),
        new Case(new int[] {1, 2, 1, 2, 1, 3}, Shape.of(2, 1, 3, 2, 1, 2)),
    };

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void matchesTheReferenceExactly(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 1;
        for (Case c : TestDevices.isSimulator(device) ? SIMULATOR_CASES : CASES) {
            try (Tile op = Tile.configure(cl, c.repeats(), c.input())) {
                float[] x = OpTesting.withExtremes(c.input().sizeAsInt(), seed++, 3f);
                try (Tensor xt = Tensor.of(cl, c.input(), x); Tensor y = Tensor.allocate(cl, op.outputShape())) {
                    op.run(xt, y);
                    OpTesting.assertExact(y.toArray(), ReferenceLayout.tile(x, c.input(), c.repeats()), op::toString);
                }
            }
        }
    }

    @Test
    void outputShapesMultiplyTheDimensions() {
        assertEquals(Shape.of(2, 6, 5), Tile.outputShape(new int[] {1, 2, 5}, Shape.of(2, 3, 1)));
        assertThrows(IllegalArgumentException.class, () -> Tile.outputShape(new int[] {1, 2}, Shape.of(2, 3, 1)));
        assertThrows(IllegalArgumentException.class, () -> Tile.outputShape(new int[] {1, -1}, Shape.of(2, 3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsBadShapesAndAliasing(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        assertThrows(IllegalArgumentException.class, () -> Tile.configure(cl, new int[] {1, 1, 1, 1, 1, 1, 1},
                Shape.of(1, 1, 1, 1, 1, 1, 2)));
        try (Tile op = Tile.configure(cl, new int[] {1, 1}, Shape.of(2, 3)); Tensor x = Tensor.allocate(cl,
                Shape.of(2, 3))) {
            assertThrows(IllegalArgumentException.class, () -> op.run(x, x));
        }
    }
}
