package dev.clnn.reference;

/**
 * Plain-Java layer normalisation, in double: the oracle for {@code dev.clnn.ops.LayerNorm}.
 */
public final class ReferenceLayerNorm {
    private ReferenceLayerNorm() {
    }

    /**
     * Normalises each row of {@code x} viewed as {@code (x.length / len, len)}:
     * {@code (x - mean) / sqrt(var + eps) * scale + bias}, with {@code scale} and {@code bias} of
     * {@code len} floats.
     */
    public static float[] layerNorm(float[] x, int len, float[] scale, float[] bias, float eps) {
        float[] y = new float[x.length];
        for (int r = 0; len > 0 && r < x.length / len; r++) {
            int o = r * len;
            double sum = 0;
            for (int j = 0; j < len; j++) {
                sum += x[o + j];
            }
            double mean = sum / len;
            double sq = 0;
            for (int j = 0; j < len; j++) {
                double d = x[o + j] - mean;
                sq += d * d;
            }
            double rstd = 1 / Math.sqrt(sq / len + eps);
            for (int j = 0; j < len; j++) {
                y[o + j] = (float) ((x[o + j] - mean) * rstd * scale[j] + bias[j]);
            }
        }
        return y;
    }
}
