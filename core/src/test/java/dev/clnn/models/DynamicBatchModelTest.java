package dev.clnn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Graph;
import dev.clnn.testing.TestDevices;

/**
 * Any batch size per call: each size gives the outputs one example at a time gives, sizes are
 * compiled once (rounded to powers of two, or exactly with a bounded cache), bad lengths are
 * refused, and concurrent calls at different sizes agree with one thread.
 */
class DynamicBatchModelTest {
    private static final Graph NET = MobileNetV1.build(new RandomWeights(11), 0.25f, 32, 10);
    private static final int PER_EXAMPLE = 32 * 32 * 3;
    private static float[] examples;
    private static float[] expected;      // one example at a time, batch-1 model

    @BeforeAll
    static void reference() {
        Random r = new Random(5);
        examples = new float[8 * PER_EXAMPLE];
        for (int i = 0; i < examples.length; i++) {
            examples[i] = r.nextFloat();
        }
        expected = new float[8 * 10];
        ClDevice d = TestDevices.all().get(0);
        try (Model one = Model.compile(NET, d, 1)) {
            for (int i = 0; i < 8; i++) {
                float[] y = one.predict(java.util.Arrays.copyOfRange(examples, i * PER_EXAMPLE, (i + 1) * PER_EXAMPLE));
                System.arraycopy(y, 0, expected, i * 10, 10);
            }
        }
    }

    private static float[] first(int n) {
        return java.util.Arrays.copyOf(examples, n * PER_EXAMPLE);
    }

    private static void assertOutputs(int n, float[] got) {
        assertEquals(n * 10, got.length);
        assertArrayEquals(java.util.Arrays.copyOf(expected, n * 10), got, 2e-5f);
    }

    @Test
    void powersOfTwoPadAndCompileEachSizeOnce() {
        try (DynamicBatchModel m = DynamicBatchModel.compile(NET, TestDevices.all().get(0), 8,
                DynamicBatchModel.Rounding.POWER_OF_TWO)) {
            for (int n : new int[] {3, 1, 4, 2, 3}) {
                assertOutputs(n, m.predict(first(n)));
            }
            List<Integer> sizes = m.compiledBatchSizes();
            assertEquals(List.of(1, 2, 4), sizes.stream().sorted().toList());
        }
    }

    @Test
    void exactSizesAreCachedUpToTheLimitAndShareTheWeights() {
        try (DynamicBatchModel m = DynamicBatchModel.compile(NET, TestDevices.all().get(0), 8,
                DynamicBatchModel.Rounding.EXACT).maxCached(2)) {
            for (int n = 1; n <= 4; n++) {
                assertOutputs(n, m.predict(first(n)));
            }
            List<Integer> sizes = m.compiledBatchSizes();
            assertEquals(List.of(1, 4), sizes.stream().sorted().toList(), "the first size owns the weights and stays");
            assertOutputs(2, m.predict(first(2)));      // compiled again after eviction
        }
    }

    @Test
    void badLengthsAndClosedModelsAreRefused() {
        DynamicBatchModel m = DynamicBatchModel.compile(NET, TestDevices.all().get(0), 4,
                DynamicBatchModel.Rounding.POWER_OF_TWO);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.predict(new float[PER_EXAMPLE + 1]));
        assertTrue(e.getMessage().contains("1 to 4 examples"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.predict(first(5)));
        assertThrows(IllegalArgumentException.class, () -> m.predict(new float[0]));
        m.close();
        assertThrows(IllegalStateException.class, () -> m.predict(first(1)));
        m.close();      // idempotent
        assertThrows(IllegalArgumentException.class, () -> DynamicBatchModel.compile(NET, TestDevices.all().get(0), 0,
                DynamicBatchModel.Rounding.EXACT));
    }

    @Test
    void concurrentCallsAtDifferentSizesAgreeWithOneThread() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (DynamicBatchModel m = DynamicBatchModel.compile(NET, TestDevices.all().get(0), 8,
                DynamicBatchModel.Rounding.POWER_OF_TWO)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int n = 1 + t;
                fs.add(pool.submit(() -> {
                    for (int k = 0; k < 5; k++) {
                        assertOutputs(n, m.predict(first(n)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }
}
