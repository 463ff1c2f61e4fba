package dev.clnn.cl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The CPU work-group policy: enough groups for every core, contiguous groups as large as that
 * allows, exact division.
 */
class WorkGroupsTest {

    private static long groups(long[] global, long[] local) {
        long g = 1;
        for (int i = 0; i < global.length; i++) {
            assertEquals(0, global[i] % local[i], "local " + local[i] + " must divide global " + global[i]);
            g *= global[i] / local[i];
        }
        return g;
    }

    private static long size(long[] local) {
        long s = 1;
        for (long l : local) {
            s *= l;
        }
        return s;
    }

    @Test
    void aPrimeDimensionIsSplitIntoOneGroupPerRow() {
        // a 56x56 pointwise convolution on the cpu kernel: 4 column panels x 523 row blocks
        long[] global = {4, 523};
        long[] local = WorkGroups.forCpu(global, 16, 4096);
        assertArrayEquals(new long[] {4, 1}, local);
        assertTrue(groups(global, local) >= 64);
    }

    @Test
    void everyCoreGetsGroupsAndGroupsStayLarge() {
        long[][] globals = {{100_000}, {32, 9}, {64, 2, 7}, {2, 2091}, {8, 56, 3584}, {1, 1, 1}, {7}, {1024, 1024}};
        for (long[] global : globals) {
            for (int cores : new int[] {1, 2, 16, 64}) {
                long[] local = WorkGroups.forCpu(global, cores, 4096);
                long total = size(global);
                long target = Math.min(total, (long) WorkGroups.GROUPS_PER_CORE * cores);
                assertTrue(groups(global, local) >= target, java.util.Arrays.toString(global) + " on " + cores
                        + " cores: " + java.util.Arrays.toString(local));
                assertTrue(size(local) <= 4096);
            }
        }
        // the largest group that still leaves 8 groups: 100000 / 8 = 12500 -> capped by 4096 -> 4000 divides
        assertArrayEquals(new long[] {4000}, WorkGroups.forCpu(new long[] {100_000}, 2, 4096));
        // fewer items than groups wanted: one item per group
        assertArrayEquals(new long[] {1}, WorkGroups.forCpu(new long[] {7}, 16, 4096));
        // contiguous: whole rows of a depthwise range (2 vectors x 28 blocks), rows split across groups
        assertArrayEquals(new long[] {2, 28, 1}, WorkGroups.forCpu(new long[] {2, 28, 112}, 16, 4096));
        // a partial first dimension stops the group there
        assertArrayEquals(new long[] {16, 1, 1}, WorkGroups.forCpu(new long[] {32, 4, 14}, 16, 4096));
        // the device's limit wins over the wish for large groups
        assertArrayEquals(new long[] {256, 1}, WorkGroups.forCpu(new long[] {1024, 1024}, 2, 256));
    }

    @Test
    void divisorsAreAscendingAndCapped() {
        assertArrayEquals(new long[] {1, 2, 3, 4, 6, 12}, WorkGroups.divisors(12, 100));
        assertArrayEquals(new long[] {1, 2, 3}, WorkGroups.divisors(12, 3));
        assertArrayEquals(new long[] {1, 523}, WorkGroups.divisors(523, 1000));
    }
}
