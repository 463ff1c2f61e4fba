package dev.clnn.reference;

/**
 * Plain-Java activation functions, the one implementation of each: the oracle for
 * {@code dev.clnn.ops.Activations} and every fused activation epilogue, what
 * {@code ops.Activation.apply} computes, and (in double, with {@link ReferenceTraining}'s
 * gradients) the training oracle. Written from the definitions (ONNX operator names in brackets),
 * in double, rounded to float once by the float overloads.
 *
 * <p>Comparisons are written so that NaN propagates and -0.0 passes through ReLU and clip
 * unchanged, as in the kernels: {@code x < 0} is false for both.
 */
public final class ReferenceActivation {
    private ReferenceActivation() {
    }

    /** max(x, 0) [Relu]. Exact. */
    public static float relu(float x) {
        return x < 0f ? 0f : x;
    }

    /** min(max(x, lo), hi) [Clip]; ReLU6 is clip(x, 0, 6). Exact. */
    public static float clip(float x, float lo, float hi) {
        return x < lo ? lo : x > hi ? hi : x;
    }

    /** x for x >= 0, slope * x below [LeakyRelu]. Exact (one rounding). */
    public static float leakyRelu(float x, float slope) {
        return x < 0f ? (float) ((double) slope * x) : x;
    }

    /** 1 / (1 + e^-x) [Sigmoid]. */
    public static float sigmoid(float x) {
        return (float) sigmoid((double) x);
    }

    /** tanh(x) [Tanh]. */
    public static float tanh(float x) {
        return (float) tanh((double) x);
    }

    /** max(x, 0) in double. */
    public static double relu(double x) {
        return x < 0 ? 0 : x;
    }

    /** min(max(x, lo), hi) in double. */
    public static double clip(double x, double lo, double hi) {
        return x < lo ? lo : x > hi ? hi : x;
    }

    /** 1 / (1 + e^-x) in double. */
    public static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /** tanh(x) in double. */
    public static double tanh(double x) {
        return Math.tanh(x);
    }

    /** x * relu6(x + 3) / 6 [HardSwish]. */
    public static float hardSwish(float x) {
        double r = Math.min(Math.max((double) x + 3.0, 0.0), 6.0);
        return Float.isNaN(x) ? Float.NaN : (float) (x * r / 6.0);
    }

    /** x * sigmoid(x) [SiLU, Swish], in double. */
    public static float silu(float x) {
        return (float) (x * sigmoid((double) x));
    }

    /** x / 2 * (1 + erf(x / sqrt 2)) [GELU], in double. */
    public static float gelu(float x) {
        return (float) ReferenceUnary.gelu(x);
    }

    /** max(0, min(1, alpha * x + beta)) [HardSigmoid]. */
    public static float hardSigmoid(float x, float alpha, float beta) {
        double r = (double) alpha * x + beta;
        return Float.isNaN(x) ? Float.NaN : (float) Math.min(Math.max(r, 0.0), 1.0);
    }
}
