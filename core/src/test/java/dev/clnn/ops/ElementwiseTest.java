package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.reference.ReferenceElementwise;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.OpTesting;
import dev.clnn.testing.TestDevices;

/** Add, sub, mul and div with broadcasting and fused activations, every variant, against the reference. */
class ElementwiseTest {
    private static final Contexts CONTEXTS = new Contexts();

    /** Operand pairs: same shapes, scalars either side, per channel and per image, both broadcast, ranks differing. */
    private static final Shape[][] PAIRS = {
        {Shape.of(1), Shape.of(1)},
        {Shape.of(7), Shape.of(7)},
        {Shape.of(2, 3, 5, 7), Shape.of(2, 3, 5, 7)},
        {Shape.of(3, 97, 101, 7), Shape.of(3, 97, 101, 7)},
        {Shape.of(2, 3), Shape.of(1, 2, 3)},                       // rank mismatch, same elements
        {Shape.of(2, 13, 17, 5), Shape.of(1)},                     // scalar right
        {Shape.of(), Shape.of(4, 33)},                             // rank-0 scalar left
        {Shape.of(2, 7, 7, 33), Shape.of(33)},                     // NHWC per-channel
        {Shape.of(33), Shape.of(2, 7, 7, 33)},                     // per-channel on the left
        {Shape.of(1, 5, 5, 16), Shape.of(1, 1, 1, 16)},
        {Shape.of(2, 7, 7, 17), Shape.of(2, 1, 1, 17)},            // per image and channel
        {Shape.of(2, 1, 1, 32), Shape.of(2, 3, 5, 32)},            // per image and channel on the left (SE scale)
        {Shape.of(3, 1, 5), Shape.of(3, 4, 5)},                    // middle axis, left operand broadcast
        {Shape.of(2, 1, 7), Shape.of(1, 5, 1)},                    // both sides broadcast
        {Shape.of(5, 1), Shape.of(1, 3)},
        {Shape.of(4, 1, 3, 1), Shape.of(2, 1, 5)},
        {Shape.of(2, 1, 3, 1, 2, 1, 3, 1), Shape.of(1, 2, 1, 3, 1, 2, 1, 3)},   // eight folded dimensions
        {Shape.of(0, 3), Shape.of(3)},                             // empty
    };
    /** Under the simulator: one pair per kernel path. */
    private static final Shape[][] SIMULATOR_PAIRS = {
        {Shape.of(37), Shape.of(37)},
        {Shape.of(2, 3), Shape.of(1, 2, 3)},
        {Shape.of(), Shape.of(3, 5)},
        {Shape.of(2, 3, 3, 5), Shape.of(5)},
        {Shape.of(2, 1, 3), Shape.of(2, 4, 3)},
        {Shape.of(2, 1, 3), Shape.of(1, 5, 1)},
        {Shape.of(2, 3, 3, 16), Shape.of(2, 1, 1, 16)},
    };

    private static final List<KernelConfig<Elementwise.Variant>> VARIANTS = List.of(
            KernelConfig.of(Elementwise.Variant.GENERAL, 1, 64),
            KernelConfig.of(Elementwise.Variant.SAME, 1, 64),
            KernelConfig.of(Elementwise.Variant.SAME, 4, 64),
            KernelConfig.of(Elementwise.Variant.SAME, 16, 64),
            KernelConfig.of(Elementwise.Variant.BROADCAST, 1, 64),
            KernelConfig.of(Elementwise.Variant.BROADCAST, 4, 64),      // vectors where the rows are multiples of 4
            KernelConfig.of(Elementwise.Variant.BROADCAST, 16, 64));

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    static Stream<Arguments> cases() {
        return TestDevices.crossedWith(VARIANTS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void everyOperationAndBroadcastMatchesTheReference(ClDevice device, KernelConfig<Elementwise.Variant> config) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 1;
        int applicable = 0;
        for (Shape[] pair : TestDevices.isSimulator(device) ? SIMULATOR_PAIRS : PAIRS) {
            if (!Elementwise.applies(config.variant(), pair[0], pair[1])) {
                continue;
            }
            applicable++;
            for (ElementwiseParams.Op op : ElementwiseParams.Op.values()) {
                ElementwiseParams p = new ElementwiseParams(op, Activation.NONE);
                check(cl, Elementwise.configure(cl, p, pair[0], pair[1], config), seed++);
            }
        }
        assertTrue(applicable >= 2, config + " ran on " + applicable + " shape pairs only");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void fusedActivationsMatchTheReference(ClDevice device, KernelConfig<Elementwise.Variant> config) {
        ClContext cl = CONTEXTS.on(device);
        Shape a = Shape.of(2, 3, 3, 17);
        Shape b = config.variant() == Elementwise.Variant.SAME ? a : Shape.of(17);
        long seed = 50;
        for (Activation act : OpTesting.allActivations()) {
            ElementwiseParams p = ElementwiseParams.add().with(act);
            check(cl, Elementwise.configure(cl, p, a, b, config), seed++);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void tunedConfigurationPicksTheFastPathAndRunsInPlace(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Shape x = Shape.of(1, 9, 9, 24);
        Elementwise same = Elementwise.configure(cl, ElementwiseParams.add().with(Activation.RELU6), x, x);
        Elementwise channel = Elementwise.configure(cl, ElementwiseParams.mul(), x, Shape.of(24));
        Elementwise both = Elementwise.configure(cl, ElementwiseParams.sub(), Shape.of(3, 1), Shape.of(1, 4));
        assertFalse(same.config().variant() == Elementwise.Variant.BROADCAST);
        assertFalse(channel.config().variant() == Elementwise.Variant.SAME);
        assertEquals(Elementwise.Variant.GENERAL, both.config().variant());
        check(cl, both, 7);
        float[] da = OpTesting.uniform(x.sizeAsInt(), 1, 8f);
        float[] db = OpTesting.uniform(x.sizeAsInt(), 2, 8f);
        try (Tensor a = Tensor.of(cl, x, da); Tensor b = Tensor.of(cl, x, db)) {
            same.run(a, b, a);
            float[] expected = ReferenceElementwise.binary(da, x, db, x, Double::sum, v -> Math.min(Math.max(v, 0), 6));
            OpTesting.assertExact(a.toArray(), expected, () -> same + " in place");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsMismatchedShapesAndTensors(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Elementwise.configure(cl, ElementwiseParams.add(), Shape.of(2, 3), Shape.of(4)));
        assertTrue(e.getMessage().contains("Elementwise add") && e.getMessage().contains("(2, 3)")
                && e.getMessage().contains("(4,)"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Elementwise.configure(cl, ElementwiseParams.mul(), Shape.of(2, 3, 5), Shape.of(2, 1)));
        e = assertThrows(IllegalArgumentException.class, () -> Elementwise.configure(cl, ElementwiseParams.add(),
                Shape.of(2, 3), Shape.of(3), KernelConfig.of(Elementwise.Variant.SAME)));
        assertTrue(e.getMessage().contains("SAME"), e.getMessage());
        Elementwise op = Elementwise.configure(cl, ElementwiseParams.add(), Shape.of(2, 3), Shape.of(3));
        try (Tensor a = Tensor.allocate(cl, Shape.of(2, 3)); Tensor b = Tensor.allocate(cl, Shape.of(3));
             Tensor y = Tensor.allocate(cl, Shape.of(2, 3))) {
            e = assertThrows(IllegalArgumentException.class, () -> op.run(b, a, y));
            assertTrue(e.getMessage().contains("(3,)") && e.getMessage().contains("(2, 3)"), e.getMessage());
            Tensor closed = Tensor.allocate(cl, Shape.of(3));
            closed.close();
            IllegalStateException s = assertThrows(IllegalStateException.class, () -> op.run(a, closed, y));
            assertTrue(s.getMessage().contains("after close"), s.getMessage());
        }
    }

    @Test
    void broadcastShapesFollowNumpy() {
        assertEquals(Shape.of(4, 2, 3, 5), Elementwise.broadcastShape(Shape.of(4, 1, 3, 1), Shape.of(2, 1, 5)));
        assertEquals(Shape.of(3, 4), Elementwise.broadcastShape(Shape.of(), Shape.of(3, 4)));
        assertEquals(Shape.of(0, 3), Elementwise.broadcastShape(Shape.of(0, 3), Shape.of(1, 3)));
        assertThrows(IllegalArgumentException.class, () -> Elementwise.broadcastShape(Shape.of(0), Shape.of(2)));
    }

    private static void check(ClContext cl, Elementwise op, long seed) {
        ElementwiseParams p = op.params();
        Shape sa = op.shapeA();
        Shape sb = op.shapeB();
        float[] da = OpTesting.withExtremes(sa.sizeAsInt(), seed * 2, 4f);
        float[] db = OpTesting.uniform(sb.sizeAsInt(), seed * 2 + 1, 4f);
        if (db.length > 3) {
            db[1] = -0.0f;
            db[2] = Float.NaN;
            db[3] = 0.0f;
        }
        if (p.op() == ElementwiseParams.Op.EQUAL) {
            // whole numbers in [-4, 4]: many equal pairs (and -0 == 0, NaN != NaN from the extremes)
            for (float[] d : new float[][] {da, db}) {
                for (int i = 0; i < d.length; i++) {
                    d[i] = Float.isFinite(d[i]) && Math.abs(d[i]) < 5 ? Math.round(d[i]) : d[i];
                }
            }
        }
        float[] expected = ReferenceElementwise.binary(da, sa, db, sb, oracle(p.op()),
                OpTesting.oracle(p.activation()));
        try (Tensor a = Tensor.of(cl, sa, da); Tensor b = Tensor.of(cl, sb, db);
             Tensor y = Tensor.allocate(cl, op.outputShape())) {
            op.run(a, b, y);
            float[] actual = y.toArray();
            if (p.op() != ElementwiseParams.Op.DIV && OpTesting.isExact(p.activation())) {
                OpTesting.assertExact(actual, expected, op::toString);
            } else {
                float rtol = Math.max(Tolerances.ELEMENTWISE_RTOL, Tolerances.ACTIVATION_RTOL);
                float atol = Math.max(Tolerances.ELEMENTWISE_ATOL, Tolerances.ACTIVATION_ATOL);
                OpTesting.assertClose(actual, expected, rtol, atol, op::toString);
            }
        }
    }

    private static DoubleBinaryOperator oracle(ElementwiseParams.Op op) {
        switch (op) {
            case ADD: return (x, y) -> (float) x + (float) y;
            case SUB: return (x, y) -> (float) x - (float) y;
            case MUL: return (x, y) -> (float) x * (float) y;
            case EQUAL: return (x, y) -> (float) x == (float) y ? 1 : 0;
            default: return (x, y) -> (float) x / (float) y;
        }
    }
}
