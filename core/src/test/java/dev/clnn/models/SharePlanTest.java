package dev.clnn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The split itself: proportional to speed, exact in the slowest device's time, devices left out when they slow it. */
class SharePlanTest {
    @Test
    void sharesFollowSpeedsWithoutOverhead() {
        assertArrayEquals(new int[] {6, 2}, SharePlan.split(new double[2], new double[] {1, 3}, 8));
        assertArrayEquals(new int[] {4, 4}, SharePlan.split(new double[2], new double[] {2, 2}, 8));
        // ties go to the device listed first
        assertArrayEquals(new int[] {3, 2}, SharePlan.split(new double[2], new double[] {2, 2}, 5));
        // 6 + 2 + 2 and 5 + 3 + 2 both take 6 units; the tie goes to the first device
        assertArrayEquals(new int[] {6, 2, 2}, SharePlan.split(new double[3], new double[] {1, 2, 2.5}, 10));
    }

    @Test
    void minimisesTheSlowestDevicesTime() {
        // 4:1 in speed over 8 examples: 7 + 1 (7 time units) beats the rounded 6 + 2 (8 units)
        int[] shares = SharePlan.split(new double[2], new double[] {1, 4}, 8);
        assertArrayEquals(new int[] {7, 1}, shares);
        assertEquals(7, SharePlan.seconds(new double[2], new double[] {1, 4}, shares), 1e-12);
    }

    @Test
    void aShareThatRoundsToZeroOrAnOverheadThatCostsTimeDropsTheDevice() {
        assertArrayEquals(new int[] {4, 0}, SharePlan.split(new double[2], new double[] {1, 100}, 4));
        // equal speed, but a fixed cost per call longer than the whole batch on the other device
        assertArrayEquals(new int[] {4, 0}, SharePlan.split(new double[] {0, 5}, new double[] {1, 1}, 4));
        // a smaller fixed cost still pays off
        assertArrayEquals(new int[] {3, 1}, SharePlan.split(new double[] {0, 1.5}, new double[] {1, 1}, 4));
    }

    @Test
    void aDeviceThatSavesLessThanFivePercentGetsNoShare() {
        // two H200s and PoCL on nvidia-h200-x2 (MobileNet v1, batch 64, fixed cost and per-example
        // seconds as measured): PoCL could take one example for a 0.1 ms gain of 5.9 ms
        double[] o = {0.56e-3, 0.64e-3, 4.12e-3};
        double[] c = {0.1625e-3, 0.163e-3, 0.95e-3};
        int[] shares = SharePlan.split(o, c, 64);
        assertEquals(0, shares[2]);
        assertEquals(64, shares[0] + shares[1]);
        // a CPU worth a fifth of a GPU still gets its share
        int[] fair = SharePlan.split(new double[3], new double[] {1, 1, 5}, 66);
        assertArrayEquals(new int[] {30, 30, 6}, fair);
    }

    @Test
    void unusableSpeedsAreSkippedAndNoneIsAnError() {
        assertArrayEquals(new int[] {0, 3}, SharePlan.split(new double[2], new double[] {Double.NaN, 1}, 3));
        assertThrows(IllegalArgumentException.class,
                () -> SharePlan.split(new double[1], new double[] {Double.NaN}, 3));
    }
}
