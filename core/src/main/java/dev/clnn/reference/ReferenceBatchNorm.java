package dev.clnn.reference;

import dev.clnn.tensor.Shape;

/**
 * Plain-Java batch normalisation for inference, straight from the formula, in double: the oracle
 * for {@code dev.clnn.ops.BatchNorm}.
 */
public final class ReferenceBatchNorm {
    private ReferenceBatchNorm() {
    }

    /**
     * {@code y = gamma[c] * (x - mean[c]) / sqrt(var[c] + eps) + beta[c]}, with c the index along
     * {@code axis} (negative counts from the end) of {@code x}, row-major of {@code shape}.
     */
    public static float[] inference(float[] x, Shape shape, int axis, float[] gamma, float[] beta, float[] mean,
                                    float[] variance, float epsilon) {
        int a = shape.axis(axis);
        int channels = shape.dim(a);
        int inner = 1;
        for (int i = a + 1; i < shape.rank(); i++) {
            inner *= shape.dim(i);
        }
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int c = (i / inner) % channels;
            y[i] = (float) (gamma[c] * ((double) x[i] - mean[c]) / Math.sqrt((double) variance[c] + epsilon) + beta[c]);
        }
        return y;
    }
}
