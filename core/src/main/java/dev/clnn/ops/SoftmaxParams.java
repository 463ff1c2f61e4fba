package dev.clnn.ops;

/**
 * Parameters of a {@link Softmax}: the axis it normalises along (negative counts from the end, as
 * in ONNX) and whether it returns log-probabilities. Immutable.
 *
 * @param axis the reduced axis; {@code -1} is the last
 * @param log  log-softmax ({@code x - max - log(sum(exp(x - max)))}) instead of softmax
 */
public record SoftmaxParams(int axis, boolean log) {

    /** Softmax along {@code axis}. */
    public static SoftmaxParams softmax(int axis) {
        return new SoftmaxParams(axis, false);
    }

    /** Log-softmax along {@code axis}. */
    public static SoftmaxParams logSoftmax(int axis) {
        return new SoftmaxParams(axis, true);
    }

    @Override
    public String toString() {
        return (log ? "log_softmax" : "softmax") + "(axis=" + axis + ")";
    }
}
