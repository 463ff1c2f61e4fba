package dev.clnn.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.DoubleUnaryOperator;
import java.util.function.Supplier;

import dev.clnn.ops.Activation;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.ReferenceActivation;
import dev.clnn.tensor.Shape;

/** Assertions, special values and oracles shared by the operator tests. */
public final class OpTesting {
    /** Values every element-wise test mixes into its random data: signed zeros, NaN, infinities, huge magnitudes. */
    public static final float[] EXTREMES = {
        -0.0f, 0.0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e30f, -1e30f, 3e38f, -3e38f,
        Float.MAX_VALUE, -Float.MAX_VALUE, 3f, -3f, 6f, -6f, 88.5f, -88.5f, 1e-7f, -1e-7f,
    };

    private OpTesting() {
    }

    /** Bit-for-bit equality (any NaN matches any NaN), for exact ops; reports the first difference. */
    public static void assertExact(float[] actual, float[] expected, Supplier<String> what) {
        if (actual.length != expected.length) {
            fail(what.get() + ": " + actual.length + " results, " + expected.length + " expected");
        }
        for (int i = 0; i < actual.length; i++) {
            float a = actual[i];
            float e = expected[i];
            boolean same = Float.isNaN(a) ? Float.isNaN(e) : Float.floatToRawIntBits(a) == Float.floatToRawIntBits(e);
            if (!same) {
                fail(what.get() + ": not exact at index " + i + ": got " + a + ", expected " + e);
            }
        }
    }

    /** {@code |a - e| <= atol + rtol |e|} everywhere (NaN matches NaN only), through {@link Comparison}. */
    public static void assertClose(float[] actual, float[] expected, float rtol, float atol, Supplier<String> what) {
        Comparison c = Comparison.of(actual, expected, rtol, atol);
        assertTrue(c.passed(), () -> what.get() + ": " + c.describe(actual, expected));
    }

    /** {@code n} seeded floats uniform in [-scale, scale). */
    public static float[] uniform(int n, long seed, float scale) {
        float[] x = TestData.uniform(n, seed);
        for (int i = 0; i < n; i++) {
            x[i] *= scale;
        }
        return x;
    }

    /** Seeded data in [-scale, scale) with {@link #EXTREMES} written over its first elements. */
    public static float[] withExtremes(int n, long seed, float scale) {
        float[] x = uniform(n, seed, scale);
        System.arraycopy(EXTREMES, 0, x, 0, Math.min(n, EXTREMES.length));
        return x;
    }

    /** The plain-Java oracle of {@code a}. */
    public static DoubleUnaryOperator oracle(Activation a) {
        switch (a.kind()) {
            case RELU: return x -> ReferenceActivation.relu((float) x);
            case CLIP: return x -> ReferenceActivation.clip((float) x, a.lo(), a.hi());
            case LEAKY_RELU: return x -> ReferenceActivation.leakyRelu((float) x, a.alpha());
            case SIGMOID: return x -> ReferenceActivation.sigmoid((float) x);
            case TANH: return x -> ReferenceActivation.tanh((float) x);
            case HARD_SWISH: return x -> ReferenceActivation.hardSwish((float) x);
            case HARD_SIGMOID: return x -> ReferenceActivation.hardSigmoid((float) x, a.alpha(), a.beta());
            case SILU: return x -> ReferenceActivation.silu((float) x);
            case GELU: return x -> ReferenceActivation.gelu((float) x);
            default: return x -> x;
        }
    }

    /** True for the activations that round nothing, which tests compare bit for bit. */
    public static boolean isExact(Activation a) {
        switch (a.kind()) {
            case NONE: case RELU: case CLIP: case LEAKY_RELU: return true;
            default: return false;
        }
    }

    /** Every activation, with parameters that are not the defaults. */
    public static Activation[] allActivations() {
        return new Activation[] {
            Activation.NONE, Activation.RELU, Activation.RELU6, Activation.clip(-1.5f, 2.25f),
            Activation.leakyRelu(0.1f), Activation.SIGMOID, Activation.TANH, Activation.HARD_SWISH,
            Activation.hardSigmoid(0.2f, 0.5f), Activation.SILU, Activation.GELU,
        };
    }

    /** {@code Shape.of(dims)}, short for test tables. */
    public static Shape shape(int... dims) {
        return Shape.of(dims);
    }
}
