package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.reference.ReferenceMatMul;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.OpTesting;
import dev.clnn.testing.TestDevices;

/**
 * Batched products of two tensors with broadcast batch dimensions and transposes, on every GEMM
 * form (each batch matrix read and written at its offset), against {@code ReferenceMatMul}.
 */
class MatMulTest {
    private static final Contexts CONTEXTS = new Contexts();

    private record Case(MatMulParams params, Shape a, Shape b) {
    }

    private static final Case[] CASES = {
        new Case(new MatMulParams(false, true), Shape.of(2, 3, 17, 8), Shape.of(2, 3, 17, 8)),    // Q · K^T
        new Case(MatMulParams.PLAIN, Shape.of(2, 3, 17, 17), Shape.of(2, 3, 17, 8)),              // P · V
        new Case(MatMulParams.PLAIN, Shape.of(2, 5, 7), Shape.of(2, 7, 13)),
        new Case(MatMulParams.PLAIN, Shape.of(3, 4, 5, 6), Shape.of(3, 1, 6, 11)),               // broadcast heads
        new Case(MatMulParams.PLAIN, Shape.of(1, 4, 5, 6), Shape.of(3, 1, 6, 2)),                // both broadcast
        new Case(new MatMulParams(true, false), Shape.of(2, 9, 5), Shape.of(2, 9, 3)),
        new Case(new MatMulParams(true, true), Shape.of(2, 2, 9, 5), Shape.of(2, 2, 3, 9)),
        new Case(MatMulParams.PLAIN, Shape.of(4, 1, 1), Shape.of(4, 1, 1)),
        new Case(MatMulParams.PLAIN, Shape.of(2, 6, 4), Shape.of(1, 4, 3)),                      // B's batch of 1 broadcast
        new Case(MatMulParams.PLAIN, Shape.of(2, 33, 65), Shape.of(2, 65, 31)),
        new Case(MatMulParams.PLAIN, Shape.of(4, 5, 7), Shape.of(2, 4, 7, 3)),                   // ranks differ
    };
    private static final Case[] SIMULATOR_CASES = {
        new Case(new MatMulParams(false, true), Shape.of(2, 2, 5, 3), Shape.of(2, 2, 5, 3)),
        new Case(MatMulParams.PLAIN, Shape.of(2, 3, 2, 3), Shape.of(2, 1, 3, 5)),
        new Case(new MatMulParams(true, false), Shape.of(1, 2, 4, 3), Shape.of(2, 1, 4, 2)),
    };

    private static final GemmConfig[] FORMS = {
        GemmConfig.general(),
        GemmConfig.cpu(3, 4, 1),
        GemmConfig.tiled(32, 64, 8, 4, 8),
        GemmConfig.splitk(4),
    };

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    static Stream<Arguments> cases() {
        return TestDevices.crossedWith(FORMS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesTheReferenceOnEveryForm(ClDevice device, GemmConfig form) {
        ClContext cl = CONTEXTS.on(device);
        if (!Gemm.fits(form, device)) {
            return;
        }
        long seed = 1;
        for (Case c : TestDevices.isSimulator(device) ? SIMULATOR_CASES : CASES) {
            try (MatMul op = MatMul.configure(cl, c.params(), c.a(), c.b(), form)) {
                check(cl, op, seed++);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void tunedConfigurationMatchesTheReference(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        try (MatMul op = MatMul.configure(cl, new MatMulParams(false, true), Shape.of(2, 3, 10, 16),
                Shape.of(2, 3, 10, 16))) {
            check(cl, op, 7);
        }
    }

    @Test
    void outputShapesBroadcastLikeNumPy() {
        assertEquals(Shape.of(3, 4, 5, 11), MatMulParams.PLAIN.outputShape(Shape.of(3, 4, 5, 6), Shape.of(3, 1, 6, 11)));
        assertEquals(Shape.of(2, 4, 5, 3), MatMulParams.PLAIN.outputShape(Shape.of(4, 5, 7), Shape.of(2, 4, 7, 3)));
        assertEquals(Shape.of(2, 9, 9), new MatMulParams(false, true).outputShape(Shape.of(2, 9, 4), Shape.of(2, 9, 4)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MatMulParams.PLAIN.outputShape(Shape.of(2, 3, 4), Shape.of(2, 5, 6)));
        assertTrue(e.getMessage().contains("inner dimensions"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MatMulParams.PLAIN.outputShape(Shape.of(2, 3, 4), Shape.of(3, 4, 6)));
        assertTrue(e.getMessage().contains("broadcast"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MatMulParams.PLAIN.outputShape(Shape.of(4), Shape.of(4, 2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsBadTensorsAndEmptyShapesRunNothing(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        try (MatMul op = MatMul.configure(cl, MatMulParams.PLAIN, Shape.of(2, 3, 4), Shape.of(2, 4, 3));
             Tensor a = Tensor.allocate(cl, Shape.of(2, 3, 4)); Tensor sq = Tensor.allocate(cl, Shape.of(2, 3, 3))) {
            assertThrows(IllegalArgumentException.class, () -> op.run(a, a, sq));
            try (MatMul square = MatMul.configure(cl, MatMulParams.PLAIN, Shape.of(2, 3, 3), Shape.of(2, 3, 3))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> square.run(sq, sq, sq));
                assertTrue(e.getMessage().contains("share a buffer"), e.getMessage());
            }
        }
        try (MatMul empty = MatMul.configure(cl, MatMulParams.PLAIN, Shape.of(2, 0, 4), Shape.of(2, 4, 3));
             Tensor a = Tensor.allocate(cl, Shape.of(2, 0, 4)); Tensor b = Tensor.allocate(cl, Shape.of(2, 4, 3));
             Tensor c = Tensor.allocate(cl, Shape.of(2, 0, 3))) {
            empty.run(a, b, c);
        }
        assertThrows(IllegalArgumentException.class,
                () -> MatMul.configure(cl, MatMulParams.PLAIN, Shape.of(2, 3, 0), Shape.of(2, 0, 3)));
    }

    private static void check(ClContext cl, MatMul op, long seed) {
        Shape as = op.inputShapeA();
        Shape bs = op.inputShapeB();
        float[] a = OpTesting.uniform(as.sizeAsInt(), seed, 1f);
        float[] b = OpTesting.uniform(bs.sizeAsInt(), seed + 100, 1f);
        try (Tensor at = Tensor.of(cl, as, a); Tensor bt = Tensor.of(cl, bs, b);
             Tensor c = Tensor.allocate(cl, op.outputShape())) {
            op.run(at, bt, c);
            float[] expected = ReferenceMatMul.matMul(a, as, b, bs, op.params().transA(), op.params().transB());
            int k = as.dim(op.params().transA() ? -2 : -1);
            OpTesting.assertClose(c.toArray(), expected, Tolerances.GEMM_RTOL, Tolerances.gemmAtol(k), op::toString);
        }
    }
}
