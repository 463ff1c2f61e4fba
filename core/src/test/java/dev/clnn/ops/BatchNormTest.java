package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.reference.ReferenceBatchNorm;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.OpTesting;
import dev.clnn.testing.TestDevices;

/** Inference batch normalisation along NHWC and NCHW channel axes, every variant, against the formula. */
class BatchNormTest {
    private static final Contexts CONTEXTS = new Contexts();

    private record Case(Shape shape, int axis) {
    }

    private static final Case[] CASES = {
        new Case(Shape.of(1, 7, 7, 32), -1), new Case(Shape.of(2, 5, 5, 17), -1), new Case(Shape.of(1, 1, 1, 1), -1),
        new Case(Shape.of(3, 4), 1), new Case(Shape.of(1, 56, 56, 128), 3), new Case(Shape.of(2, 3, 5, 7), 1),
        new Case(Shape.of(5, 3), 0), new Case(Shape.of(2, 13, 3, 3), -3),
    };
    /** Under the simulator: channels last with a partial vector block, channels on axis 1, a single element. */
    private static final Case[] SIMULATOR_CASES = {
        new Case(Shape.of(1, 3, 3, 5), -1), new Case(Shape.of(2, 3, 2, 2), 1), new Case(Shape.of(1, 1, 1, 1), -1),
    };

    private static final List<KernelConfig<BatchNorm.Variant>> VARIANTS = List.of(
            KernelConfig.of(BatchNorm.Variant.GENERAL, 1, 64),
            KernelConfig.of(BatchNorm.Variant.CHANNELS_LAST, 1, 64),
            KernelConfig.of(BatchNorm.Variant.CHANNELS_LAST, 4, 64),
            KernelConfig.of(BatchNorm.Variant.CHANNELS_LAST, 16, 64));

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    static Stream<Arguments> cases() {
        return TestDevices.crossedWith(VARIANTS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesTheFormula(ClDevice device, KernelConfig<BatchNorm.Variant> config) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 1;
        for (Case c : TestDevices.isSimulator(device) ? SIMULATOR_CASES : CASES) {
            boolean last = c.shape().axis(c.axis()) == c.shape().rank() - 1;
            if (config.variant() == BatchNorm.Variant.CHANNELS_LAST && !last) {
                continue;
            }
            for (Activation act : new Activation[] {Activation.NONE, Activation.RELU6}) {
                BatchNormParams p = new BatchNormParams(c.axis(), 1e-3f, act);
                check(cl, p, c.shape(), config, seed++, false);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void tunedConfigurationRunsInPlace(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        check(cl, BatchNormParams.nhwc(BatchNormParams.DEFAULT_EPSILON), Shape.of(2, 9, 9, 24), null, 3, true);
        check(cl, BatchNormParams.nchw(BatchNormParams.DEFAULT_EPSILON), Shape.of(2, 24, 9, 9), null, 4, true);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsBadStatisticsAxesAndClosedUse(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Shape s = Shape.of(1, 2, 2, 3);
        float[] three = {1, 2, 3};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BatchNorm.configure(cl,
                BatchNormParams.nhwc(1e-5f), s, three, three, new float[2], three));
        assertTrue(e.getMessage().contains("BatchNorm") && e.getMessage().contains("mean has 2")
                && e.getMessage().contains("(1, 2, 2, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BatchNorm.configure(cl,
                new BatchNormParams(4, 1e-5f, Activation.NONE), s, three, three, three, three));
        assertTrue(e.getMessage().contains("axis 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BatchNorm.configure(cl, BatchNormParams.nhwc(0f), s,
                three, three, three, new float[] {1, 0, 1}));
        assertThrows(IllegalArgumentException.class, () -> BatchNorm.configure(cl, BatchNormParams.nchw(1e-5f), s,
                new float[2], new float[2], new float[2], new float[] {1, 1},
                KernelConfig.of(BatchNorm.Variant.CHANNELS_LAST)));
        assertThrows(IllegalArgumentException.class, () -> BatchNormParams.nhwc(-1f));
        BatchNorm bn = BatchNorm.configure(cl, BatchNormParams.nhwc(1e-5f), s, three, three, three, three);
        try (Tensor x = Tensor.allocate(cl, s); Tensor wrong = Tensor.allocate(cl, Shape.of(1, 2, 3, 2))) {
            e = assertThrows(IllegalArgumentException.class, () -> bn.run(x, wrong));
            assertTrue(e.getMessage().contains("(1, 2, 3, 2)") && e.getMessage().contains("(1, 2, 2, 3)"),
                    e.getMessage());
            bn.close();
            bn.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> bn.run(x, x));
            assertTrue(closed.getMessage().contains("BatchNorm was closed"), closed.getMessage());
        }
    }

    private static void check(ClContext cl, BatchNormParams p, Shape shape, KernelConfig<BatchNorm.Variant> config,
                              long seed, boolean inPlace) {
        int c = shape.dim(p.axis());
        float[] gamma = OpTesting.uniform(c, seed * 7, 2f);
        float[] beta = OpTesting.uniform(c, seed * 7 + 1, 1f);
        float[] mean = OpTesting.uniform(c, seed * 7 + 2, 1f);
        float[] var = OpTesting.uniform(c, seed * 7 + 3, 1f);
        for (int i = 0; i < c; i++) {
            var[i] = 0.05f + Math.abs(var[i]);
        }
        float[] x = OpTesting.uniform(shape.sizeAsInt(), seed * 7 + 4, 1f);
        float[] expected = ReferenceBatchNorm.inference(x, shape, p.axis(), gamma, beta, mean, var, p.epsilon());
        DoubleUnaryOperator act = OpTesting.oracle(p.activation());
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (float) act.applyAsDouble(expected[i]);
        }
        try (BatchNorm bn = config == null ? BatchNorm.configure(cl, p, shape, gamma, beta, mean, var)
                : BatchNorm.configure(cl, p, shape, gamma, beta, mean, var, config);
             Tensor tx = Tensor.of(cl, shape, x); Tensor ty = Tensor.allocate(cl, shape)) {
            Tensor out = inPlace ? tx : ty;
            bn.run(tx, out);
            float[] actual = out.toArray();
            assertEquals(expected.length, actual.length);
            OpTesting.assertClose(actual, expected, Tolerances.BATCHNORM_RTOL, Tolerances.BATCHNORM_ATOL,
                    () -> bn + (inPlace ? " in place" : ""));
        }
    }
}
