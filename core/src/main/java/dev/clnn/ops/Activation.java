package dev.clnn.ops;

import java.util.Locale;

import dev.clnn.cl.BuildOptions;
import dev.clnn.reference.ReferenceActivation;

/**
 * An element-wise activation, applied standalone or fused as a kernel epilogue
 * ({@code kernels/common/activation.cl}). Immutable.
 *
 * @param kind  which function
 * @param lo    clip lower bound ({@link Kind#CLIP})
 * @param hi    clip upper bound ({@link Kind#CLIP})
 * @param alpha leaky ReLU slope, hard-sigmoid slope
 * @param beta  hard-sigmoid offset
 */
public record Activation(Kind kind, float lo, float hi, float alpha, float beta) {

    /**
     * Which function; {@link #code()} is the value of {@code ACT} in {@code common/activation.cl},
     * fixed per kind so that reordering the constants cannot change what a kernel computes.
     */
    public enum Kind {
        NONE(0), RELU(1), CLIP(2), LEAKY_RELU(3), SIGMOID(4), TANH(5), HARD_SWISH(6), HARD_SIGMOID(7), SILU(8), GELU(9);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        /** The {@code ACT} code of this kind in the kernels. */
        public int code() {
            return code;
        }
    }

    public static final Activation NONE = new Activation(Kind.NONE, 0, 0, 0, 0);
    public static final Activation RELU = new Activation(Kind.RELU, 0, 0, 0, 0);
    public static final Activation RELU6 = clip(0f, 6f);
    public static final Activation SIGMOID = new Activation(Kind.SIGMOID, 0, 0, 0, 0);
    public static final Activation TANH = new Activation(Kind.TANH, 0, 0, 0, 0);
    public static final Activation HARD_SWISH = new Activation(Kind.HARD_SWISH, 0, 0, 0, 0);
    /** {@code x * sigmoid(x)} (SiLU, Swish: EfficientNet, MobileViT). */
    public static final Activation SILU = new Activation(Kind.SILU, 0, 0, 0, 0);
    /** {@code x / 2 * (1 + erf(x / sqrt 2))} (GELU, exact: ViT, ConvNeXt). */
    public static final Activation GELU = new Activation(Kind.GELU, 0, 0, 0, 0);

    public Activation {
        if (kind == Kind.CLIP && !(lo <= hi)) {
            throw new IllegalArgumentException("Clip needs min <= max, got min=" + lo + " max=" + hi);
        }
    }

    public static Activation clip(float min, float max) {
        return new Activation(Kind.CLIP, min, max, 0, 0);
    }

    public static Activation leakyRelu(float slope) {
        return new Activation(Kind.LEAKY_RELU, 0, 0, slope, 0);
    }

    /** ONNX HardSigmoid: {@code clip(alpha * x + beta, 0, 1)} (defaults 0.2, 0.5). */
    public static Activation hardSigmoid(float alpha, float beta) {
        return new Activation(Kind.HARD_SIGMOID, 0, 0, alpha, beta);
    }

    /** The same function in plain Java ({@link ReferenceActivation}, the oracle of the kernels). */
    public float apply(float x) {
        switch (kind) {
            case RELU: return ReferenceActivation.relu(x);
            case CLIP: return ReferenceActivation.clip(x, lo, hi);
            case LEAKY_RELU: return ReferenceActivation.leakyRelu(x, alpha);
            case SIGMOID: return ReferenceActivation.sigmoid(x);
            case TANH: return ReferenceActivation.tanh(x);
            case HARD_SWISH: return ReferenceActivation.hardSwish(x);
            case HARD_SIGMOID: return ReferenceActivation.hardSigmoid(x, alpha, beta);
            case SILU: return ReferenceActivation.silu(x);
            case GELU: return ReferenceActivation.gelu(x);
            default: return x;
        }
    }

    /** Adds {@code -DACT=...} and its parameters to {@code options}. */
    public BuildOptions defines(BuildOptions options) {
        return options.define("ACT", kind.code()).define("ACT_LO", literal(lo)).define("ACT_HI", literal(hi))
                .define("ACT_ALPHA", literal(alpha)).define("ACT_BETA", literal(beta));
    }

    private static String literal(float v) {
        if (Float.isNaN(v) || Float.isInfinite(v)) {
            throw new IllegalArgumentException("Activation parameters must be finite, got " + v);
        }
        // Float.toString round-trips exactly; OpenCL C reads it as a float literal with the suffix.
        return Float.toString(v).toLowerCase(Locale.ROOT) + "f";
    }

    @Override
    public String toString() {
        switch (kind) {
            case CLIP: return lo == 0f && hi == 6f ? "relu6" : "clip(" + lo + ", " + hi + ")";
            case LEAKY_RELU: return "leaky_relu(" + alpha + ")";
            case HARD_SIGMOID: return "hard_sigmoid(" + alpha + ", " + beta + ")";
            default: return kind.name().toLowerCase(Locale.ROOT);
        }
    }
}
