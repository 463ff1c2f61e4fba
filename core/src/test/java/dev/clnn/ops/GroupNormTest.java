package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.ReferenceGroupNorm;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestData;
import dev.clnn.testing.TestDevices;

/**
 * Group and instance normalisation, channels last and first, on every device against
 * {@link ReferenceGroupNorm}; and the reference against values worked out by hand.
 */
class GroupNormTest {
    private static final Contexts CONTEXTS = new Contexts();

    private record Case(Shape shape, int groups, boolean channelsLast) {
    }

    private static final Case[] CASES = {
        new Case(Shape.of(2, 5, 7, 12), 4, true),       // groups of 3 channels, NHWC
        new Case(Shape.of(2, 5, 7, 12), 12, true),      // instance norm, NHWC
        new Case(Shape.of(1, 1, 1, 6), 2, true),        // one pixel
        new Case(Shape.of(3, 33, 8), 1, true),          // one group of everything
        new Case(Shape.of(2, 6, 5, 7), 3, false),       // (N, C, H, W)
        new Case(Shape.of(2, 4, 37), 4, false),         // PyTorch's (N, G, -1) reshape
        new Case(Shape.of(1, 32, 28, 28), 32, false),   // more elements than a work-group
        new Case(Shape.of(1, 14, 14, 64), 32, true),
    };
    private static final Case[] SIMULATOR_CASES = {
        new Case(Shape.of(2, 3, 3, 4), 2, true), new Case(Shape.of(1, 4, 5), 2, false),
        new Case(Shape.of(1, 1, 1, 2), 2, true),
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
            int c = k.channelsLast() ? k.shape().dim(-1) : k.shape().dim(1);
            float[] x = TestData.uniform(k.shape().sizeAsInt(), seed++);
            for (int i = 0; i < x.length; i++) {
                x[i] = 3 * x[i] + 20;       // a large mean against the spread
            }
            float[] gamma = TestData.uniform(c, seed++);
            float[] beta = TestData.uniform(c, seed++);
            try (GroupNorm op = GroupNorm.configure(cl, k.groups(), k.channelsLast(), 1e-5f, k.shape(), gamma, beta);
                 Tensor xt = Tensor.of(cl, k.shape(), x); Tensor y = Tensor.allocate(cl, k.shape())) {
                y.buffer().fill(Float.NaN);
                op.run(xt, y);
                float[] got = y.toArray();
                float[] expected = ReferenceGroupNorm.groupNorm(x, k.shape(), k.channelsLast(), k.groups(), gamma,
                        beta, 1e-5f);
                Comparison cmp = Comparison.of(got, expected, 1e-4f, 1e-4f);
                assertTrue(cmp.passed(), () -> op + ": " + cmp.describe(got, expected));
            }
        }
    }

    @Test
    void referenceNormalisesEachGroupOfEachExample() {
        // (1, 2 pixels, 4 channels) NHWC in 2 groups: group 0 is {1, 2, 3, 4}, group 1 {10, 10, 30, 30}
        float[] x = {1, 2, 10, 30, 3, 4, 10, 30};
        float[] y = ReferenceGroupNorm.groupNorm(x, Shape.of(1, 2, 4), true, 2, new float[] {1, 1, 2, 1},
                new float[] {0, 0, 0, 5}, 0f);
        float s = (float) Math.sqrt(1.25);
        assertArrayEquals(new float[] {-1.5f / s, -0.5f / s, -2f, 6f, 0.5f / s, 1.5f / s, -2f, 6f}, y, 1e-6f);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsBadGroupsAndWeights(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        float[] six = new float[6];
        assertThrows(IllegalArgumentException.class, () -> GroupNorm.configure(cl, 4, true, 1e-5f,
                Shape.of(1, 2, 2, 6), six, six));
        assertThrows(IllegalArgumentException.class, () -> GroupNorm.configure(cl, 2, true, 1e-5f,
                Shape.of(1, 2, 2, 6), new float[3], six));
        assertThrows(IllegalArgumentException.class, () -> GroupNorm.configure(cl, 2, false, 1e-5f,
                Shape.of(1, 6), six, six));
        assertThrows(IllegalArgumentException.class, () -> GroupNorm.configure(cl, 2, true, -1f,
                Shape.of(1, 2, 2, 6), six, six));
        try (GroupNorm op = GroupNorm.configure(cl, 2, true, 1e-5f, Shape.of(1, 2, 2, 6), six, six);
             Tensor x = Tensor.allocate(cl, Shape.of(1, 2, 2, 6))) {
            assertThrows(IllegalArgumentException.class, () -> op.run(x, x));
        }
    }
}
