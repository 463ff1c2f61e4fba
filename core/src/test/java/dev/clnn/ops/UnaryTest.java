package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.reference.ReferenceUnary;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.OpTesting;
import dev.clnn.testing.TestDevices;

/** Every unary function, every variant, on every device against {@code ReferenceUnary} and {@link Math}, special values included. */
class UnaryTest {
    private static final Contexts CONTEXTS = new Contexts();

    private static final Shape[] SHAPES = {
        Shape.of(1), Shape.of(3), Shape.of(19), Shape.of(33), Shape.of(1, 5, 5, 3), Shape.of(2, 13, 17, 5),
        Shape.of(3, 31, 37, 7),
    };
    private static final Shape[] SIMULATOR_SHAPES = {Shape.of(1), Shape.of(37), Shape.of(2, 3, 5, 3)};

    private static final List<KernelConfig<Unary.Variant>> VARIANTS = List.of(
            KernelConfig.of(Unary.Variant.GENERAL, 1, 64),
            KernelConfig.of(Unary.Variant.VECTOR, 4, 64),
            KernelConfig.of(Unary.Variant.VECTOR, 16, 64));

    /** Every kind, and exponents that take each path of POW: x * x, pown, pow, and 0. */
    static List<UnaryParams> allParams() {
        List<UnaryParams> all = new ArrayList<>();
        for (UnaryParams.Kind k : UnaryParams.Kind.values()) {
            if (k != UnaryParams.Kind.POW) {
                all.add(UnaryParams.of(k));
            }
        }
        for (float e : new float[] {2f, 3f, -1f, 0.5f, -1.5f, 0f}) {
            all.add(UnaryParams.pow(e));
        }
        return all;
    }

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    static Stream<Arguments> cases() {
        return TestDevices.crossedWith(VARIANTS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void everyFunctionMatchesTheReference(ClDevice device, KernelConfig<Unary.Variant> config) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 1;
        for (Shape shape : TestDevices.isSimulator(device) ? SIMULATOR_SHAPES : SHAPES) {
            for (UnaryParams p : allParams()) {
                try (Unary op = Unary.configure(cl, p, shape, config)) {
                    check(cl, op, seed++, false);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void tunedConfigurationRunsInPlace(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        for (UnaryParams p : List.of(UnaryParams.of(UnaryParams.Kind.GELU), UnaryParams.pow(2f))) {
            try (Unary op = Unary.configure(cl, p, Shape.of(2, 7, 7, 13))) {
                check(cl, op, 5, true);
            }
        }
    }

    /** A closed op refuses to run with a clear message, and closing again is harmless. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void aClosedOpRefusesToRun(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Shape s = Shape.of(3, 5);
        Unary op = Unary.configure(cl, UnaryParams.of(UnaryParams.Kind.EXP), s);
        try (Tensor x = Tensor.allocate(cl, s)) {
            op.close();
            op.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> op.run(x, x));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
    }

    @Test
    void rejectsBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> UnaryParams.of(UnaryParams.Kind.POW));
        assertThrows(IllegalArgumentException.class, () -> new UnaryParams(UnaryParams.Kind.EXP, 2f));
        assertThrows(IllegalArgumentException.class, () -> UnaryParams.pow(Float.POSITIVE_INFINITY));
        assertEquals(3, UnaryParams.pow(3f).integerExponent());
        assertEquals(0, UnaryParams.pow(0.5f).integerExponent());
    }

    @Test
    void referenceErfMatchesKnownValues() {
        assertEquals(0.8427007929497149, ReferenceUnary.erf(1), 1e-15);
        assertEquals(-0.9953222650189527, ReferenceUnary.erf(-2), 1e-15);
        assertEquals(2.209049699858544e-05, ReferenceUnary.erfc(3), 1e-18);
        assertEquals(1.5374597944280349e-12, ReferenceUnary.erfc(5), 1e-24);
        assertEquals(1.0, ReferenceUnary.erf(Double.POSITIVE_INFINITY));
    }

    /** The reference executor's function for {@code p}: the one plain-Java mapping of unary kinds. */
    static DoubleUnaryOperator oracle(UnaryParams p) {
        return dev.clnn.graph.ReferenceExecutor.unary(p);
    }

    private static void check(ClContext cl, Unary op, long seed, boolean inPlace) {
        Shape shape = op.shape();
        float[] data = OpTesting.withExtremes(shape.sizeAsInt(), seed, 4f);
        DoubleUnaryOperator f = oracle(op.params());
        float[] expected = new float[data.length];
        for (int i = 0; i < data.length; i++) {
            expected[i] = (float) f.applyAsDouble(data[i]);
        }
        try (Tensor x = Tensor.of(cl, shape, data); Tensor y = inPlace ? null : Tensor.allocate(cl, shape)) {
            Tensor out = inPlace ? x : y;
            op.run(x, out);
            OpTesting.assertClose(out.toArray(), expected, Tolerances.UNARY_RTOL, Tolerances.UNARY_ATOL,
                    op::toString);
        }
    }
}
