package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.reference.ReferenceSoftmax;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.OpTesting;
import dev.clnn.testing.TestDevices;

/** Softmax and log-softmax, every variant, along every axis, against {@code ReferenceSoftmax}. */
class SoftmaxTest {
    private static final Contexts CONTEXTS = new Contexts();

    /** Shapes whose every axis is tested: ones, primes, rows shorter and longer than any group or vector. */
    private static final Shape[] SHAPES = {
        Shape.of(1), Shape.of(1, 1), Shape.of(1, 1000), Shape.of(64, 10), Shape.of(3, 17), Shape.of(5, 255),
        Shape.of(2, 1031), Shape.of(2, 3, 5, 7), Shape.of(13, 1, 19), Shape.of(1000, 3),
    };
    /** Under the simulator: still a single element, short and long rows and a 3-axis shape. */
    private static final Shape[] SIMULATOR_SHAPES = {
        Shape.of(1, 1), Shape.of(3, 17), Shape.of(2, 70), Shape.of(2, 3, 5),
    };

    private static final List<KernelConfig<Softmax.Variant>> VARIANTS = List.of(
            KernelConfig.of(Softmax.Variant.GENERAL, 4, 64),
            KernelConfig.of(Softmax.Variant.ROWS, 1, 64),
            KernelConfig.of(Softmax.Variant.ROWS, 4, 64),
            KernelConfig.of(Softmax.Variant.ROWS, 16, 64),
            KernelConfig.of(Softmax.Variant.ROWS_LOCAL, 4, 1),
            KernelConfig.of(Softmax.Variant.ROWS_LOCAL, 4, 16),
            KernelConfig.of(Softmax.Variant.ROWS_LOCAL, 4, 256));

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    static Stream<Arguments> cases() {
        return TestDevices.crossedWith(VARIANTS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesTheReferenceAlongEveryAxis(ClDevice device, KernelConfig<Softmax.Variant> config) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 1;
        for (Shape shape : TestDevices.isSimulator(device) ? SIMULATOR_SHAPES : SHAPES) {
            for (int axis = -1; axis < shape.rank() - 1; axis++) {
                boolean last = axis == -1;
                if (!last && config.variant() != Softmax.Variant.GENERAL) {
                    continue;
                }
                for (boolean log : new boolean[] {false, true}) {
                    Softmax op = Softmax.configure(cl, new SoftmaxParams(axis, log), shape, config);
                    check(cl, op, OpTesting.uniform(shape.sizeAsInt(), seed++, 10f));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void largeLogitsStayFinite(ClDevice device, KernelConfig<Softmax.Variant> config) {
        ClContext cl = CONTEXTS.on(device);
        Shape shape = Shape.of(3, 37);
        float[] x = OpTesting.uniform(shape.sizeAsInt(), 9, 1e4f);
        x[0] = 3e38f;
        x[1] = 3e38f;
        x[2] = -3e38f;
        x[40] = -Float.MAX_VALUE;
        x[80] = Float.MAX_VALUE;
        for (boolean log : new boolean[] {false, true}) {
            int axis = config.variant() == Softmax.Variant.GENERAL ? 0 : 1;
            Softmax op = Softmax.configure(cl, new SoftmaxParams(axis, log), shape, config);
            float[] y = check(cl, op, x);
            for (float v : y) {
                assertTrue(Float.isFinite(v) || (log && v == Float.NEGATIVE_INFINITY), () -> op + " gave " + v);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void tunedConfigurationRunsInPlaceAlongAnyAxis(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Shape shape = Shape.of(4, 9, 101);
        float[] data = OpTesting.uniform(shape.sizeAsInt(), 3, 20f);
        for (int axis : new int[] {-1, 1, 0}) {
            Softmax op = Softmax.configure(cl, SoftmaxParams.softmax(axis), shape);
            assertEquals(axis == -1 ? op.config().variant() : Softmax.Variant.GENERAL, op.config().variant());
            try (Tensor x = Tensor.of(cl, shape, data)) {
                op.run(x, x);
                OpTesting.assertClose(x.toArray(), ReferenceSoftmax.softmax(data, shape, axis, false),
                        Tolerances.SOFTMAX_RTOL, Tolerances.SOFTMAX_ATOL, () -> op + " in place");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsBadAxesVariantsAndTensors(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Shape shape = Shape.of(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Softmax.configure(cl, SoftmaxParams.softmax(2), shape));
        assertTrue(e.getMessage().contains("Softmax") && e.getMessage().contains("(2, 3)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Softmax.configure(cl, SoftmaxParams.softmax(-3), shape));
        e = assertThrows(IllegalArgumentException.class, () -> Softmax.configure(cl, SoftmaxParams.softmax(0), shape,
                KernelConfig.of(Softmax.Variant.ROWS)));
        assertTrue(e.getMessage().contains("ROWS"), e.getMessage());
        Softmax op = Softmax.configure(cl, SoftmaxParams.softmax(-1), shape);
        try (Tensor good = Tensor.allocate(cl, shape); Tensor bad = Tensor.allocate(cl, Shape.of(3, 2))) {
            e = assertThrows(IllegalArgumentException.class, () -> op.run(good, bad));
            assertTrue(e.getMessage().contains("(3, 2)") && e.getMessage().contains("(2, 3)"), e.getMessage());
            Tensor closed = Tensor.allocate(cl, shape);
            closed.close();
            assertThrows(IllegalStateException.class, () -> op.run(closed, good));
        }
    }

    private static float[] check(ClContext cl, Softmax op, float[] data) {
        Shape shape = op.shape();
        float[] expected = ReferenceSoftmax.softmax(data, shape, op.params().axis(), op.params().log());
        try (Tensor x = Tensor.of(cl, shape, data); Tensor y = Tensor.allocate(cl, shape)) {
            op.run(x, y);
            float[] actual = y.toArray();
            OpTesting.assertClose(actual, expected, Tolerances.SOFTMAX_RTOL, Tolerances.SOFTMAX_ATOL,
                    () -> op.toString());
            return actual;
        }
    }
}
