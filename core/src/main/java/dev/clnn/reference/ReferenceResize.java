package dev.clnn.reference;

import dev.clnn.tensor.Shape;

/**
 * Resize of the spatial axes of an NHWC tensor from per-axis tap tables (four floats per output
 * row or column: two input indices and their weights, as {@code ResizeParams.table} gives them),
 * summed in double: the oracle of {@code layout/resize.cl}.
 */
public final class ReferenceResize {
    private ReferenceResize() {
    }

    /**
     * {@code x (N, H, W, C)} resized to {@code (N, OH, OW, C)} with OH = {@code ty.length / 4} and OW =
     * {@code tx.length / 4}; nearest reads the first tap of each axis only.
     */
    public static float[] resize(float[] x, Shape in, float[] ty, float[] tx, boolean linear) {
        int n = in.dim(0);
        int h = in.dim(1);
        int w = in.dim(2);
        int c = in.dim(3);
        int oh = ty.length / 4;
        int ow = tx.length / 4;
        float[] y = new float[n * oh * ow * c];
        int o = 0;
        for (int b = 0; b < n; b++) {
            for (int r = 0; r < oh; r++) {
                for (int q = 0; q < ow; q++) {
                    for (int ch = 0; ch < c; ch++) {
                        y[o++] = value(x, b, h, w, c, ch, ty, r, tx, q, linear);
                    }
                }
            }
        }
        return y;
    }

    private static float value(float[] x, int b, int h, int w, int c, int ch, float[] ty, int r, float[] tx, int q,
                                boolean linear) {
        if (!linear) {
            // a copy: -0, NaN and infinities pass as they are
            return x[((b * h + (int) ty[4 * r]) * w + (int) tx[4 * q]) * c + ch];
        }
        int taps = 2;
        double sum = 0;
        for (int i = 0; i < taps; i++) {
            int iy = (int) ty[4 * r + i];
            double wy = ty[4 * r + 2 + i];
            for (int j = 0; j < taps; j++) {
                int ix = (int) tx[4 * q + j];
                double wx = tx[4 * q + 2 + j];
                sum += wy * wx * x[((b * h + iy) * w + ix) * c + ch];
            }
        }
        return (float) sum;
    }
}
