package dev.clnn.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TopKTest {
    @Test
    void largestFirstTiesToTheLowerIndexNanLast() {
        float[] v = {9f, 1f, Float.NaN, 5f, 7f, 5f, -2f, 9f};
        assertArrayEquals(new int[] {0, 7, 4, 3}, TopK.indices(v, 0, v.length, 4));
        assertArrayEquals(new int[] {3, 2, 4, 0}, TopK.indices(v, 1, 6, 4));     // 1, NaN, 5, 7, 5, -2 from index 1
        assertArrayEquals(new int[] {0, 7, 4, 3, 5, 1, 6, 2}, TopK.indices(v, 0, v.length, 20));
        assertArrayEquals(new int[0], TopK.indices(v, 0, v.length, 0));
    }

    @Test
    void logitsAreSoftmaxedAndDistributionsKept() {
        float[] logits = {0f, 1f, 2f, 3f};
        float[] p = TopK.probabilities(logits, 1, 3);
        double sum = 0;
        for (float x : p) {
            sum += x;
        }
        assertEquals(1.0, sum, 1e-6);
        assertTrue(p[0] < p[1] && p[1] < p[2]);
        assertEquals(Math.exp(1) / (Math.exp(1) + Math.exp(2) + Math.exp(3)), p[0], 1e-6);
        float[] dist = {0.5f, 0.25f, 0.25f};
        assertArrayEquals(dist, TopK.probabilities(dist, 0, 3));
    }
}
