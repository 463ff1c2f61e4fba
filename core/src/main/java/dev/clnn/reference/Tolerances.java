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

    /** GEMM: relative tolerance (fp32 sums in another order than EJML's). */
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

    /** The absolute convolution tolerance for sums of {@code terms} products ({@code KH * KW * Cin / groups}). */
    public static float convAtol(int terms) {
        return CONV_ATOL_PER_TERM * Math.max(terms, 16);
    }
}
