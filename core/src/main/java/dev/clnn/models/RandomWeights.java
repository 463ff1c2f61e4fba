package dev.clnn.models;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import dev.clnn.tensor.Shape;

/**
 * Seeded random weights: He-uniform kernels (so that activations keep their scale through many
 * ReLU layers), zero biases, and BatchNorm statistics drawn around their neutral values so that
 * folding them into the convolutions changes the weights measurably. Each parameter is drawn from
 * its own generator seeded by the model seed and the parameter's name, so a weight does not
 * depend on the order parameters are asked for.
 */
public final class RandomWeights implements WeightSource {
    private final long seed;

    public RandomWeights(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    @Override
    public float[] get(String name, Shape shape, Kind kind, int fanIn) {
        SplittableRandom r = new SplittableRandom(seed ^ fnv(name));
        float[] out = new float[shape.sizeAsInt()];
        switch (kind) {
            case KERNEL: {
                double limit = Math.sqrt(6.0 / Math.max(1, fanIn));
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) ((r.nextDouble() * 2 - 1) * limit);
                }
                break;
            }
            case BN_GAMMA:
                fill(out, r, 0.5, 1.5);
                break;
            case BN_BETA:
            case BN_MEAN:
                fill(out, r, -0.1, 0.1);
                break;
            case BN_VARIANCE:
                fill(out, r, 0.5, 1.5);
                break;
            default:
                break; // biases start at zero
        }
        return out;
    }

    private static void fill(float[] out, SplittableRandom r, double lo, double hi) {
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (lo + r.nextDouble() * (hi - lo));
        }
    }

    /** FNV-1a, 64 bit: a stable hash of the parameter name across JVMs. */
    private static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
