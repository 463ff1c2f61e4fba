package dev.clnn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Graph;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.Tolerances;
import dev.clnn.testing.TestData;
import dev.clnn.testing.TestDevices;

/**
 * {@link MultiDeviceModel} on the first test device listed twice (two contexts, two threads, the
 * split and the gather for real): results equal one device's, shares follow given and observed
 * speeds, devices that would slow the call are left out with a reason, and everything is closed.
 */
class MultiDeviceModelTest {
    private static final Graph NET = MobileNetV2.build(new RandomWeights(4), 0.35f, 32, 10);

    private static List<ClDevice> twice() {
        ClDevice d = TestDevices.all().get(0);
        return List.of(d, d);
    }

    private static float[] input(int batch, long seed) {
        return TestData.uniform((int) NET.inputShape(batch).size(), seed);
    }

    private static float[] single(int batch, float[] x) {
        try (Model m = Model.compile(NET, twice().get(0), batch)) {
            return m.predict(x);
        }
    }

    private static void assertMatches(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": output length");
        Comparison c = Comparison.of(actual, expected, Tolerances.BENCH_RTOL, Tolerances.BENCH_ATOL);
        assertTrue(c.passed(), what + ": " + c.describe(actual, expected));
    }

    @Test
    void aTwoWaySplitGivesTheSingleDeviceResults() {
        float[] x = input(5, 11);
        float[] expected = single(5, x);
        try (MultiDeviceModel m = MultiDeviceModel.compile(NET, twice(), 5, new double[] {1, 1})) {
            assertEquals(List.of(3, 2), m.shares().stream().map(MultiDeviceModel.Share::examples).toList());
            for (int i = 0; i < 3; i++) {
                assertMatches(expected, m.predict(x), "call " + i);
            }
            assertEquals(NET.inputShape(5), m.inputShape());
            assertEquals(3, m.calls());
        }
    }

    @Test
    void measuredSpeedsSplitTheBatchAndRebalancingKeepsResults() {
        float[] x = input(6, 12);
        float[] expected = single(6, x);
        try (MultiDeviceModel m = MultiDeviceModel.compile(NET, twice(), 6)) {
            String description = m.describe();
            assertEquals(6, m.shares().stream().mapToInt(MultiDeviceModel.Share::examples).sum(), description);
            assertTrue(m.shares().stream().allMatch(s -> s.used() == (s.dropped() == null)), description);
            for (int i = 0; i < 6; i++) {
                assertMatches(expected, m.predict(x), "call " + i + " with " + m.describe());
            }
            System.out.println("MultiDeviceModelTest, measured: " + m.describe() + "\n  re-balanced "
                    + m.rebalances() + " times, " + m.compiledModels() + " models compiled");
        }
    }

    @Test
    void sharesFollowGivenSpeedsAndASlowDeviceIsDroppedWithAReason() {
        try (MultiDeviceModel m = MultiDeviceModel.compile(NET, twice(), 8, new double[] {300, 100})) {
            assertEquals(List.of(6, 2), m.shares().stream().map(MultiDeviceModel.Share::examples).toList());
        }
        float[] x = input(4, 13);
        float[] expected = single(4, x);
        try (MultiDeviceModel m = MultiDeviceModel.compile(NET, twice(), 4, new double[] {1000, 1})) {
            List<MultiDeviceModel.Share> shares = m.shares();
            assertEquals(4, shares.get(0).examples());
            assertNull(shares.get(0).dropped());
            assertEquals(0, shares.get(1).examples());
            assertTrue(shares.get(1).dropped().contains("rounds to 0 examples"), shares.get(1).dropped());
            assertTrue(m.describe().contains("1: " + shares.get(1).device().name() + ": no share: "), m.describe());
            assertMatches(expected, m.predict(x), "one device used");
            assertEquals(1, m.compiledModels(), "only the used device compiles");
        }
    }

    @Test
    void sharesFollowObservedTimesAndModelsAreCompiledOncePerShare() {
        float[] x = input(8, 14);
        float[] expected = single(8, x);
        try (MultiDeviceModel m = MultiDeviceModel.compile(NET, twice(), 8)) {
            m.rebalancing(false);
            // device 0 takes 1 ms per example, device 1 four times as long; no fixed cost
            settle(m, 0, 0, 0.001);
            settle(m, 1, 0, 0.004);
            m.rebalance();
            assertEquals(List.of(7, 1), m.shares().stream().map(MultiDeviceModel.Share::examples).toList());
            assertMatches(expected, m.predict(x), "7 + 1");
            int compiled = m.compiledModels();
            // device 1 now pays 8.9 ms per call, more than the whole batch on device 0 (8 ms); the
            // real call above was timed too, so device 0's estimate is set again
            settle(m, 0, 0, 0.001);
            settle(m, 1, 0.0089, 0.0011);
            m.rebalance();
            MultiDeviceModel.Share dropped = m.shares().get(1);
            assertEquals(List.of(8, 0), m.shares().stream().map(MultiDeviceModel.Share::examples).toList());
            assertTrue(dropped.dropped().contains("fixed cost per call"), dropped.dropped());
            assertEquals(8.9e-3, dropped.overheadSeconds(), 1e-6);
            assertMatches(expected, m.predict(x), "8 + 0");
            assertEquals(compiled + 1, m.compiledModels(), "one new model, device 0 at 8");
            // back to 7 + 1: both models are cached
            settle(m, 0, 0, 0.001);
            settle(m, 1, 0, 0.004);
            m.rebalance();
            assertMatches(expected, m.predict(x), "7 + 1 again");
            assertEquals(compiled + 1, m.compiledModels(), "no compile for a cached share");
        }
    }

    /** Makes device {@code slot}'s estimate {@code overhead + n * perExample} seconds. */
    private static void settle(MultiDeviceModel m, int slot, double overhead, double perExample) {
        for (int i = 0; i < 40; i++) {
            m.observe(slot, 1, overhead + perExample);
            m.observe(slot, 8, overhead + 8 * perExample);
        }
    }

    @Test
    void badArgumentsGiveClearMessages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MultiDeviceModel.compile(NET, List.of(), 4));
        assertTrue(e.getMessage().contains("No devices given"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MultiDeviceModel.compile(NET, twice(), 0));
        assertTrue(e.getMessage().contains("at least 1, not 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MultiDeviceModel.compile(NET, twice(), 4, new double[] {1}));
        assertTrue(e.getMessage().contains("1 speeds for 2 devices"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MultiDeviceModel.compile(NET, twice(), 4, new double[] {1, -2}));
        assertTrue(e.getMessage().contains("positive and finite"), e.getMessage());
        try (MultiDeviceModel m = MultiDeviceModel.compile(NET, twice(), 2, new double[] {1, 1})) {
            e = assertThrows(IllegalArgumentException.class, () -> m.predict(new float[7]));
            assertTrue(e.getMessage().contains("The input has 7 floats") && e.getMessage().contains("batch of 2"),
                    e.getMessage());
        }
    }

    @Test
    void closeClosesEveryContextAndIsIdempotent() {
        MultiDeviceModel m = MultiDeviceModel.compile(NET, twice(), 3, new double[] {1, 1});
        m.predict(input(3, 15));
        List<ClContext> contexts = m.contexts();
        assertEquals(2, contexts.size());
        assertTrue(contexts.get(0) != contexts.get(1), "a context per listed device");
        m.close();
        m.close();
        assertTrue(contexts.stream().allMatch(ClContext::isClosed), "contexts left open");
        assertThrows(IllegalStateException.class, () -> m.predict(input(3, 15)));
    }
}
