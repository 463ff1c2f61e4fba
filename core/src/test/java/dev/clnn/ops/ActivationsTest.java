package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.OpTesting;
import dev.clnn.testing.TestDevices;

/** Every activation, every variant, on every device against {@code ReferenceActivation}, special values included. */
class ActivationsTest {
    private static final Contexts CONTEXTS = new Contexts();

    /** Sizes 1, primes, just off every vector width, and one large tensor. */
    private static final Shape[] SHAPES = {
        Shape.of(1), Shape.of(3), Shape.of(19), Shape.of(33), Shape.of(1, 5, 5, 3), Shape.of(2, 13, 17, 5),
        Shape.of(4, 16), Shape.of(3, 97, 101, 7),
    };
    /** Under the simulator: still a scalar, a full vector plus a tail and a multi-vector tensor. */
    private static final Shape[] SIMULATOR_SHAPES = {Shape.of(1), Shape.of(37), Shape.of(2, 3, 5, 7)};

    private static final List<KernelConfig<Activations.Variant>> VARIANTS = List.of(
            KernelConfig.of(Activations.Variant.GENERAL, 1, 64),
            KernelConfig.of(Activations.Variant.VECTOR, 1, 64),
            KernelConfig.of(Activations.Variant.VECTOR, 4, 64),
            KernelConfig.of(Activations.Variant.VECTOR, 16, 64));

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    static Stream<Arguments> cases() {
        return TestDevices.crossedWith(VARIANTS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void everyActivationMatchesTheReference(ClDevice device, KernelConfig<Activations.Variant> config) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 1;
        for (Shape shape : TestDevices.isSimulator(device) ? SIMULATOR_SHAPES : SHAPES) {
            for (Activation a : OpTesting.allActivations()) {
                check(cl, Activations.configure(cl, a, shape, config), seed++);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void tunedConfigurationRunsInPlace(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Shape shape = Shape.of(2, 7, 7, 13);
        float[] data = OpTesting.withExtremes(shape.sizeAsInt(), 5, 10f);
        for (Activation a : new Activation[] {Activation.RELU6, Activation.HARD_SWISH}) {
            Activations op = Activations.configure(cl, a, shape);
            try (Tensor x = Tensor.of(cl, shape, data)) {
                op.run(x, x);
                float[] expected = reference(a, data);
                OpTesting.assertClose(x.toArray(), expected, Tolerances.ACTIVATION_RTOL, Tolerances.ACTIVATION_ATOL,
                        () -> op + " in place");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsWrongShapesAndClosedTensors(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Activations op = Activations.configure(cl, Activation.RELU, Shape.of(2, 3));
        try (Tensor good = Tensor.allocate(cl, Shape.of(2, 3)); Tensor bad = Tensor.allocate(cl, Shape.of(3, 2))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> op.run(bad, good));
            assertTrue(e.getMessage().contains("Activations") && e.getMessage().contains("(3, 2)")
                    && e.getMessage().contains("(2, 3)"), e.getMessage());
            Tensor closed = Tensor.allocate(cl, Shape.of(2, 3));
            closed.close();
            IllegalStateException s = assertThrows(IllegalStateException.class, () -> op.run(closed, good));
            assertTrue(s.getMessage().contains("after close"), s.getMessage());
        }
    }

    @Test
    void rejectsNonFiniteParameters() {
        assertThrows(IllegalArgumentException.class, () -> Activation.clip(2f, 1f));
        assertThrows(IllegalArgumentException.class,
                () -> Activation.leakyRelu(Float.NaN).defines(dev.clnn.cl.BuildOptions.none()));
    }

    private static void check(ClContext cl, Activations op, long seed) {
        Shape shape = op.shape();
        float[] data = OpTesting.withExtremes(shape.sizeAsInt(), seed, 8f);
        float[] expected = reference(op.activation(), data);
        try (Tensor x = Tensor.of(cl, shape, data); Tensor y = Tensor.allocate(cl, shape)) {
            op.run(x, y);
            float[] actual = y.toArray();
            assertEquals(data.length, actual.length);
            if (OpTesting.isExact(op.activation())) {
                OpTesting.assertExact(actual, expected, op::toString);
            } else {
                OpTesting.assertClose(actual, expected, Tolerances.ACTIVATION_RTOL, Tolerances.ACTIVATION_ATOL,
                        op::toString);
            }
        }
    }

    private static float[] reference(Activation a, float[] x) {
        DoubleUnaryOperator f = OpTesting.oracle(a);
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (float) f.applyAsDouble(x[i]);
        }
        return y;
    }
}
