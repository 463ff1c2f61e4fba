package dev.clnn.reference;

/**
 * Every comparison tolerance of the project, in one place. A device result {@code a} matches the
 * reference {@code b} when {@code |a - b| <= atol + rtol * |b|}.
 */
public final class Tolerances {
    private Tolerances() {
    }

    /** plaidbench's correctness check, used by {@code clnn bench}: relative tolerance. */
    public static final float BENCH_RTOL = 5e-4f;
    /** plaidbench's correctness check, used by {@code clnn bench}: absolute tolerance. */
    public static final float BENCH_ATOL = 1e-6f;
    /**
     * {@code clnn bench --model}: the absolute tolerance per unit of the largest reference output.
     * A deep network with random weights (ResNet-50, DenseNet-121) sums in another order than the
     * reference through 50-120 layers, and its outputs span several orders of magnitude: an output
     * near zero next to logits of 10 fails a fixed 1e-6 by rounding alone (max error 3.6e-5 on
     * ResNet-50, one element in a thousand).
     */
    public static final float BENCH_ATOL_OF_MAX = 1e-5f;

    /**
     * The absolute tolerance of {@code clnn bench --model}: the larger of {@link #BENCH_ATOL} and
     * {@link #BENCH_ATOL_OF_MAX} times the largest |reference| value.
     */
    public static float benchAtol(float[] reference) {
        float max = 0f;
        for (float v : reference) {
            max = Math.max(max, Math.abs(v));
        }
        return Math.max(BENCH_ATOL, BENCH_ATOL_OF_MAX * max);
    }

    // Training: layers' forward and backward passes, the fused loss and the optimizer steps, on
    // inputs in [-1, 1], against double-precision references.

    /** Layer forward and backward passes (GEMM-based sums of up to a few hundred terms): relative tolerance. */
    public static final float TRAIN_RTOL = 1e-4f;
    /** Layer forward and backward passes: absolute tolerance, for sums that cancel to near zero. */
    public static final float TRAIN_ATOL = 2e-5f;
    /** Softmax cross-entropy: losses and gradients (exp and log to a few ulp): relative tolerance. */
    public static final float LOSS_RTOL = 2e-5f;
    /** Softmax cross-entropy: absolute tolerance. */
    public static final float LOSS_ATOL = 1e-6f;
    /** Optimizer steps against the formula in double (a handful of fp32 operations per element). */
    public static final float OPTIMIZER_RTOL = 1e-5f;
    /** Optimizer steps: absolute tolerance. */
    public static final float OPTIMIZER_ATOL = 1e-7f;
    /**
     * Device gradients against central finite differences of the double-precision forward pass:
     * the fp32 gradient's own rounding dominates (the differences themselves are good to ~1e-9).
     */
    public static final float GRADIENT_CHECK_RTOL = 1e-3f;
    /** Finite-difference gradient checks: absolute tolerance. */
    public static final float GRADIENT_CHECK_ATOL = 1e-4f;
    /** A model exported to ONNX, run by ONNX Runtime on the CPU, against clnn's logits (fp32 end to end). */
    public static final float ONNX_RTOL = 1e-4f;
    /** ONNX export: absolute tolerance on logits. */
    public static final float ONNX_ATOL = 1e-4f;

    /** GEMM: relative tolerance (the device sums fp32 in another order than the reference's). */
    public static final float GEMM_RTOL = 1e-4f;
    /**
     * GEMM: absolute tolerance per unit of the inner dimension k, for inputs in [-1, 1]; the
     * rounding error of a sum grows with its length, and cancellation makes small results.
     */
    public static final float GEMM_ATOL_PER_K = 2e-6f;

    /** The absolute GEMM tolerance for inner dimension {@code k}. */
    public static float gemmAtol(int k) {
        return GEMM_ATOL_PER_K * Math.max(k, 16);
    }

    // Element-wise, softmax, pooling and normalisation operators. Exact ops (ReLU, clip, leaky ReLU,
    // max pooling, pad, transpose, concat, add/sub/mul) are compared bit for bit, not through these.

    /** Activations with transcendental functions (sigmoid, tanh; OpenCL allows 3-5 ulp): relative tolerance. */
    public static final float ACTIVATION_RTOL = 2e-6f;
    /** Activations: absolute tolerance, for results near zero. */
    public static final float ACTIVATION_ATOL = 1e-7f;

    /** Unary math (erf, GELU, exp, log, pow, ...): OpenCL allows erf, erfc and pow 16 ulp (2e-6 relative). */
    public static final float UNARY_RTOL = 4e-6f;
    /** Absolute tolerance of unary math, for results near zero. */
    public static final float UNARY_ATOL = 1e-7f;

    /** Layer normalisation: relative tolerance (a mean and a variance summed in float over a row). */
    public static final float LAYERNORM_RTOL = 2e-5f;
    /** Layer normalisation: absolute tolerance, for normalised values near zero. */
    public static final float LAYERNORM_ATOL = 1e-5f;

    /** Softmax and log-softmax: relative tolerance (a sum of exponentials, then a division or a log). */
    public static final float SOFTMAX_RTOL = 2e-5f;
    /** Softmax and log-softmax: absolute tolerance. */
    public static final float SOFTMAX_ATOL = 1e-6f;

    /** Average pooling: relative tolerance (a float sum of the window against a double one). */
    public static final float POOL_RTOL = 1e-5f;
    /** Average pooling: absolute tolerance, for inputs in [-1, 1] and windows up to a few thousand elements. */
    public static final float POOL_ATOL = 2e-6f;

    /** Element-wise division and fused epilogues (OpenCL divides to 2.5 ulp): relative tolerance. */
    public static final float ELEMENTWISE_RTOL = 1e-6f;
    /** Element-wise: absolute tolerance. */
    public static final float ELEMENTWISE_ATOL = 1e-7f;

    /** Batch normalisation (scale and shift precomputed, against the formula in double): relative tolerance. */
    public static final float BATCHNORM_RTOL = 1e-5f;
    /** Batch normalisation: absolute tolerance, for inputs and statistics in [-1, 1]. */
    public static final float BATCHNORM_ATOL = 2e-6f;

    /**
     * Convolution and dense layers (general, direct, depthwise, pointwise): relative tolerance.
     * fp32 sums in kernel order against the reference's double sums, then an activation.
     */
    public static final float CONV_RTOL = 1e-4f;
    /**
     * Convolution and dense layers: absolute tolerance per term of the sum (kernel taps times
     * input channels per group), for inputs in [-1, 1].
     */
    public static final float CONV_ATOL_PER_TERM = 2e-6f;

    /**
     * Half-precision storage ({@code STORE_HALF}): relative tolerance between a kernel's result stored as
     * half and the reference's, computed from the same half-rounded inputs and rounded to half too. The
     * two round sums that differ in their last fp32 bits, which can land on neighbouring halves: one
     * unit in the last place of a half, 2^-10 of the value at most.
     */
    public static final float HALF_RTOL = 1e-3f;

    /**
     * A whole network with half-precision activations against fp32: every stored value is rounded to
     * 11 significant bits (a relative error up to 2^-11), and the errors of a few dozen layers add up
     * and grow through each layer's weights; a softmax then turns a logit's error into a probability's
     * times p (1 - p). So outputs are compared to within this fraction of the largest output magnitude.
     * (MobileNet v2 with random weights, 0.35 wide at 64 pixels: 2 % at its largest probability.)
     */
    public static final float HALF_MODEL_OF_MAX = 2.5e-2f;

    /**
     * {@code clnn bench --precision fp16}: the share of random examples on which the half-precision
     * network's top-1 must agree with fp32's. The largest difference is reported beside it, and only
     * guarded against gross errors ({@link #HALF_BENCH_OF_MAX}): networks with random weights have large
     * logits, which a softmax turns into probability differences of a few per cent (MobileNet v2 at
     * seed 42 on the H200: 2.8 % of its largest output, with every top-1 the same).
     */
    public static final double HALF_TOP1_AGREEMENT = 0.9;

    /** {@code clnn bench --precision fp16}: the largest difference allowed, as a fraction of the largest output. */
    public static final float HALF_BENCH_OF_MAX = 0.1f;

    /** The absolute tolerance of a half-precision network's outputs against the fp32 ones, {@code reference}. */
    public static float halfModelAtol(float[] reference) {
        float max = 0;
        for (float v : reference) {
            max = Math.max(max, Math.abs(v));
        }
        return HALF_MODEL_OF_MAX * Math.max(max, 1e-6f);
    }

    /** The absolute convolution tolerance for sums of {@code terms} products ({@code KH * KW * Cin / groups}). */
    public static float convAtol(int terms) {
        return CONV_ATOL_PER_TERM * Math.max(terms, 16);
    }
}
