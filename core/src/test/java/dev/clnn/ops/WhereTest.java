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
import dev.clnn.reference.ReferenceElementwise;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.OpTesting;
import dev.clnn.testing.TestDevices;

/** Selection with every kind of broadcast of its three operands, against {@code ReferenceElementwise.where}, exactly. */
class WhereTest {
    private static final Contexts CONTEXTS = new Contexts();

    private static final Shape[][] CASES = {
        {Shape.of(2, 3, 5, 7), Shape.of(2, 3, 5, 7), Shape.of(2, 3, 5, 7)},
        {Shape.of(2, 1, 5, 5), Shape.of(), Shape.of(2, 4, 5, 5)},               // an attention mask and -inf
        {Shape.of(3, 1), Shape.of(1, 13), Shape.of(3, 13)},
        {Shape.of(2, 1, 1, 3, 1, 2), Shape.of(2, 3, 1, 1, 4, 1), Shape.of(1, 1, 2, 3, 4, 2)},
        {Shape.of(17), Shape.of(1), Shape.of(17)},
        {Shape.of(2, 0, 3), Shape.of(2, 1, 3), Shape.of(3)},                    // empty
    };
    private static final Shape[][] SIMULATOR_CASES = {
        {Shape.of(2, 1, 3, 3), Shape.of(), Shape.of(2, 2, 3, 3)},
        {Shape.of(2, 1, 1, 3, 1, 2), Shape.of(2, 3, 1, 1, 2, 1), Shape.of(1, 1, 2, 3, 2, 2)},
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
        for (Shape[] s : TestDevices.isSimulator(device) ? SIMULATOR_CASES : CASES) {
            try (Where op = Where.configure(cl, s[0], s[1], s[2])) {
                check(cl, op, s, seed++);
            }
        }
    }

    @Test
    void outputShapesBroadcastAllThree() {
        assertEquals(Shape.of(2, 4, 5, 5), Where.outputShape(Shape.of(2, 1, 5, 5), Shape.of(), Shape.of(4, 5, 1)));
        assertThrows(IllegalArgumentException.class, () -> Where.outputShape(Shape.of(2), Shape.of(3), Shape.of(1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsBadShapesAndAliasing(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        assertThrows(IllegalArgumentException.class, () -> Where.configure(cl, Shape.of(1, 1, 1, 1, 1, 1, 2),
                Shape.of(1), Shape.of(1)));
        try (Where op = Where.configure(cl, Shape.of(2, 3), Shape.of(1), Shape.of(2, 3));
             Tensor c = Tensor.of(cl, Shape.of(2, 3), new float[] {1, 0, 1, 0, 0, 1});
             Tensor a = Tensor.of(cl, Shape.of(1), new float[] {7});
             Tensor b = Tensor.of(cl, Shape.of(2, 3), new float[] {1, 2, 3, 4, 5, 6})) {
            assertThrows(IllegalArgumentException.class, () -> op.run(c, b, b, c));
            op.run(c, a, b, b);      // in place on the full-shape operand is fine
            OpTesting.assertExact(b.toArray(), new float[] {7, 2, 7, 4, 5, 7}, op::toString);
            try (Where wide = Where.configure(cl, Shape.of(2, 3), Shape.of(2, 3), Shape.of(1))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> wide.run(c, b, a, a.reshape(Shape.of(2, 3))));
                assertTrue(e.getMessage().contains("shape") || e.getMessage().contains("broadcast"), e.getMessage());
            }
        }
    }

    private static void check(ClContext cl, Where op, Shape[] s, long seed) {
        float[] c = OpTesting.uniform(s[0].sizeAsInt(), seed, 1f);
        for (int i = 0; i < c.length; i++) {
            // 0 / 1 booleans, and a NaN and a -0 (false) among them
            c[i] = i == 1 ? Float.NaN : i == 2 ? -0.0f : c[i] > 0 ? 1f : 0f;
        }
        float[] a = OpTesting.withExtremes(s[1].sizeAsInt(), seed + 10, 3f);
        float[] b = OpTesting.uniform(s[2].sizeAsInt(), seed + 20, 3f);
        try (Tensor ct = Tensor.of(cl, s[0], c); Tensor at = Tensor.of(cl, s[1], a); Tensor bt = Tensor.of(cl, s[2], b);
             Tensor y = Tensor.allocate(cl, op.outputShape())) {
            op.run(ct, at, bt, y);
            OpTesting.assertExact(y.toArray(), ReferenceElementwise.where(c, s[0], a, s[1], b, s[2]), op::toString);
        }
    }
}
