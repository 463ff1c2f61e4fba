package dev.clnn.ops;

/**
 * Parameters of a {@link BatchNorm} in inference: the channel axis, epsilon and an activation fused
 * after it. The statistics and affine weights are given to {@link BatchNorm#configure}. Immutable.
 *
 * @param axis       the channel axis (negative counts from the end): -1 for NHWC, 1 for NCHW
 * @param epsilon    added to the variance before the square root (ONNX default 1e-5); not negative
 * @param activation applied to each result, {@link Activation#NONE} for none
 */
public record BatchNormParams(int axis, float epsilon, Activation activation) {

    /** ONNX {@code BatchNormalization}'s default epsilon. */
    public static final float DEFAULT_EPSILON = 1e-5f;

    public BatchNormParams {
        if (!(epsilon >= 0f) || Float.isInfinite(epsilon) || activation == null) {
            throw new IllegalArgumentException("BatchNorm: epsilon must be finite and not negative, got " + epsilon
                    + ", and an activation (NONE for none) is required");
        }
    }

    /** Channels last (NHWC), no activation. */
    public static BatchNormParams nhwc(float epsilon) {
        return new BatchNormParams(-1, epsilon, Activation.NONE);
    }

    /** Channels on axis 1 (NCHW, ONNX), no activation. */
    public static BatchNormParams nchw(float epsilon) {
        return new BatchNormParams(1, epsilon, Activation.NONE);
    }

    /** The same normalisation followed by {@code act}. */
    public BatchNormParams with(Activation act) {
        return new BatchNormParams(axis, epsilon, act);
    }

    @Override
    public String toString() {
        return "batch_norm(axis=" + axis + " eps=" + epsilon
                + (activation.kind() == Activation.Kind.NONE ? "" : " +" + activation) + ")";
    }
}
