package dev.clnn.ops;

/**
 * Folds an inference-mode batch normalisation into the convolution or dense layer before it,
 * host-side, once at load time. With {@code s = gamma / sqrt(var + epsilon)} per output channel,
 * <pre>
 *     BN(conv(x, w) + b) = conv(x, w * s) + (b - mean) * s + beta
 * </pre>
 * so the folded layer runs as one kernel with no normalisation pass. Works on every weight
 * layout whose output channel is the last (fastest) axis: {@link Conv2d}'s HWIO
 * {@code (KH, KW, Cin / groups, Cout)} (depthwise included) and {@link Dense}'s {@code (in, out)}.
 * Arithmetic in double, rounded once to float.
 */
public final class BatchNormFolding {
    private BatchNormFolding() {
    }

    /** Folded weights (same layout and length as the input weights) and bias {@code (Cout)}. */
    public record Folded(float[] weights, float[] bias) {
    }

    /**
     * Returns new arrays; the arguments are not modified.
     *
     * @param weights     weights with the output channel last, {@code weights.length % channels == 0}
     * @param bias        the layer's bias {@code (channels)}, or null for none (zero)
     * @param channels    output channels {@code Cout}
     * @param gamma       BN scale {@code (channels)}
     * @param beta        BN shift {@code (channels)}
     * @param mean        BN running mean {@code (channels)}
     * @param var         BN running variance {@code (channels)}
     * @param epsilon     BN epsilon (ONNX default 1e-5, Keras 1e-3)
     * @throws IllegalArgumentException when a length does not match {@code channels}, or
     *                                  {@code var + epsilon} is not positive
     */
    public static Folded fold(float[] weights, float[] bias, int channels, float[] gamma, float[] beta,
                              float[] mean, float[] var, float epsilon) {
        if (channels < 1 || weights.length == 0 || weights.length % channels != 0) {
            throw new IllegalArgumentException("BatchNormFolding: " + weights.length + " weights are not a whole"
                    + " number of rows of " + channels + " output channels");
        }
        checkLength("bias", bias, channels);
        checkLength("gamma", gamma, channels);
        checkLength("beta", beta, channels);
        checkLength("mean", mean, channels);
        checkLength("var", var, channels);
        double[] scale = new double[channels];
        float[] foldedBias = new float[channels];
        for (int c = 0; c < channels; c++) {
            double v = (double) var[c] + epsilon;
            if (!(v > 0)) {
                throw new IllegalArgumentException("BatchNormFolding: var + epsilon must be positive, got "
                        + var[c] + " + " + epsilon + " for channel " + c);
            }
            scale[c] = gamma[c] / Math.sqrt(v);
            double b = bias == null ? 0 : bias[c];
            foldedBias[c] = (float) ((b - mean[c]) * scale[c] + beta[c]);
        }
        float[] folded = new float[weights.length];
        for (int i = 0; i < weights.length; i++) {
            folded[i] = (float) (weights[i] * scale[i % channels]);
        }
        return new Folded(folded, foldedBias);
    }

    private static void checkLength(String name, float[] a, int channels) {
        if (a != null && a.length != channels) {
            throw new IllegalArgumentException("BatchNormFolding: " + name + " has " + a.length + " values for "
                    + channels + " output channels");
        }
        if (a == null && !name.equals("bias")) {
            throw new IllegalArgumentException("BatchNormFolding: " + name + " is missing");
        }
    }
}
