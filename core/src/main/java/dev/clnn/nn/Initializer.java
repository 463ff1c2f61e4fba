package dev.clnn.nn;

import java.util.SplittableRandom;

import dev.clnn.tensor.Shape;

/**
 * How a parameter's initial values are drawn, from a seeded generator so the same seed always
 * gives the same weights. The defaults are Keras': {@link #glorotUniform} for kernels,
 * {@link #zeros} for biases.
 */
@FunctionalInterface
public interface Initializer {

    /** Fills {@code out} (one parameter of {@code shape}) with values drawn from {@code random}. */
    void fill(float[] out, Shape shape, SplittableRandom random);

    /** All zeros (biases). */
    static Initializer zeros() {
        return (out, shape, random) -> java.util.Arrays.fill(out, 0f);
    }

    /**
     * Glorot (Xavier) uniform: {@code U(-limit, limit)} with {@code limit = sqrt(6 / (fanIn + fanOut))}.
     * For a dense kernel the fans are its input and output sizes; for a convolution kernel
     * {@code (KH, KW, C, OC)} they are {@code KH*KW*C} and {@code KH*KW*OC}, as in Keras.
     */
    static Initializer glorotUniform(int fanIn, int fanOut) {
        if (fanIn < 1 || fanOut < 1) {
            throw new IllegalArgumentException("Glorot initialisation needs positive fans, got fan_in=" + fanIn
                    + " fan_out=" + fanOut);
        }
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        return (out, shape, random) -> {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
            }
        };
    }
}
