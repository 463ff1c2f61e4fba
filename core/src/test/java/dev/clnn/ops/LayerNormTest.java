package dev.clnn.ops;

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
import dev.clnn.reference.ReferenceLayerNorm;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.OpTesting;
import dev.clnn.testing.TestDevices;

/** Layer normalisation over trailing dimensions, every variant, against {@code ReferenceLayerNorm}. */
class LayerNormTest {
    private static final Contexts CONTEXTS = new Contexts();

    private record Case(int axis, Shape shape) {
    }

    private static final Case[] CASES = {
        new Case(-1, Shape.of(2, 7, 7, 96)),        // ConvNeXt-T stage 1, channels-last
        new Case(-1, Shape.of(1, 5, 3, 17)),
        new Case(-1, Shape.of(3, 1)),               // one element: the output is the bias
        new Case(-1, Shape.of(4, 13)),
        new Case(1, Shape.of(2, 3, 5, 7)),
        new Case(-2, Shape.of(2, 3, 5, 7)),
        new Case(-1, Shape.of(1, 197, 384)),        // a small ViT's token rows
    };
    private static final Case[] SIMULATOR_CASES = {
        new Case(-1, Shape.of(2, 3, 37)), new Case(-1, Shape.of(3, 1)), new Case(1, Shape.of(1, 2, 3, 5)),
    };

    private static final List<KernelConfig<LayerNorm.Variant>> VARIANTS = List.of(
            KernelConfig.of(LayerNorm.Variant.GENERAL, 1, 64),
            KernelConfig.of(LayerNorm.Variant.VECTOR, 4, 64),
            KernelConfig.of(LayerNorm.Variant.VECTOR, 16, 64));

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    static Stream<Arguments> cases() {
        return TestDevices.crossedWith(VARIANTS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesTheReference(ClDevice device, KernelConfig<LayerNorm.Variant> config) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 1;
        for (Case c : TestDevices.isSimulator(device) ? SIMULATOR_CASES : CASES) {
            check(cl, c, config, seed++);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void tunedConfigurationMatchesTheReference(ClDevice device) {
        check(CONTEXTS.on(device), new Case(-1, Shape.of(2, 5, 5, 40)), null, 9);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsBadArguments(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        float[] three = new float[3];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LayerNorm.configure(cl, -1, 1e-5f, Shape.of(2, 4), three, three));
        assertTrue(e.getMessage().contains("(2, 4)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LayerNorm.configure(cl, 0, 1e-5f, Shape.of(2, 3),
                three, three));
        assertThrows(IllegalArgumentException.class, () -> LayerNorm.configure(cl, -1, -1f, Shape.of(2, 3),
                three, three));
        try (LayerNorm ln = LayerNorm.configure(cl, -1, 1e-5f, Shape.of(2, 3), three, three);
             Tensor x = Tensor.allocate(cl, Shape.of(2, 3))) {
            e = assertThrows(IllegalArgumentException.class, () -> ln.run(x, x));
            assertTrue(e.getMessage().contains("share a buffer"), e.getMessage());
            ln.close();
            assertThrows(IllegalStateException.class, () -> ln.run(x, x));
        }
    }

    private static void check(ClContext cl, Case c, KernelConfig<LayerNorm.Variant> config, long seed) {
        Shape s = c.shape();
        int a = c.axis() < 0 ? c.axis() + s.rank() : c.axis();
        int len = 1;
        for (int i = a; i < s.rank(); i++) {
            len *= s.dim(i);
        }
        float[] scale = OpTesting.uniform(len, seed + 100, 1.5f);
        float[] bias = OpTesting.uniform(len, seed + 200, 0.5f);
        float[] data = OpTesting.uniform(s.sizeAsInt(), seed, 3f);
        for (int i = 0; i < data.length; i++) {
            data[i] += 10f;         // a mean far from zero against the spread
        }
        float eps = 1e-5f;
        try (LayerNorm op = config == null ? LayerNorm.configure(cl, c.axis(), eps, s, scale, bias)
                : LayerNorm.configure(cl, c.axis(), eps, s, scale, bias, config);
             Tensor x = Tensor.of(cl, s, data); Tensor y = Tensor.allocate(cl, s)) {
            op.run(x, y);
            OpTesting.assertClose(y.toArray(), ReferenceLayerNorm.layerNorm(data, len, scale, bias, eps),
                    Tolerances.LAYERNORM_RTOL, Tolerances.LAYERNORM_ATOL, op::toString);
        }
    }
}
