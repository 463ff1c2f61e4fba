package dev.clnn.testing;

import java.util.SplittableRandom;

/** Seeded random test data. */
public final class TestData {
    private TestData() {
    }

    /** {@code n} floats uniform in [-1, 1), reproducible from {@code seed}. */
    public static float[] uniform(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return out;
    }
}
