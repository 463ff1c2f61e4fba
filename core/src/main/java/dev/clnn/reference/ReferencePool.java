package dev.clnn.reference;

import dev.clnn.tensor.Shape;

/**
 * Plain-Java pooling over NHWC arrays, as ONNX {@code MaxPool}, {@code AveragePool} and
 * {@code GlobalAveragePool} define it (floor output size): the oracle for {@code dev.clnn.ops.Pool2d}.
 * Averages are summed in double.
 */
public final class ReferencePool {
    private ReferencePool() {
    }

    /**
     * Max pooling of {@code x} {@code (N, H, W, C)}; padding positions are ignored. NaN in a window
     * gives NaN. Returns {@code (N, OH, OW, C)} row-major.
     */
    public static float[] maxPool(float[] x, Shape in, int kh, int kw, int sh, int sw,
                                  int padTop, int padLeft, int padBottom, int padRight) {
        return pool(x, in, kh, kw, sh, sw, padTop, padLeft, padBottom, padRight, true, false);
    }

    /**
     * Average pooling of {@code x} {@code (N, H, W, C)}. With {@code countIncludePad} the divisor is
     * {@code kh * kw}; without, the number of input positions in the window.
     */
    public static float[] averagePool(float[] x, Shape in, int kh, int kw, int sh, int sw,
                                      int padTop, int padLeft, int padBottom, int padRight, boolean countIncludePad) {
        return pool(x, in, kh, kw, sh, sw, padTop, padLeft, padBottom, padRight, false, countIncludePad);
    }

    /** Global average pooling: {@code (N, H, W, C) -> (N, 1, 1, C)}. */
    public static float[] globalAveragePool(float[] x, Shape in) {
        int n = in.dim(0);
        int hw = in.dim(1) * in.dim(2);
        int c = in.dim(3);
        float[] y = new float[n * c];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                double sum = 0;
                for (int p = 0; p < hw; p++) {
                    sum += x[(b * hw + p) * c + ch];
                }
                y[b * c + ch] = (float) (sum / hw);
            }
        }
        return y;
    }

    private static float[] pool(float[] x, Shape in, int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr,
                                boolean max, boolean countIncludePad) {
        int n = in.dim(0);
        int h = in.dim(1);
        int w = in.dim(2);
        int c = in.dim(3);
        int oh = Math.floorDiv(h + pt + pb - kh, sh) + 1;
        int ow = Math.floorDiv(w + pl + pr - kw, sw) + 1;
        float[] y = new float[n * oh * ow * c];
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    for (int ch = 0; ch < c; ch++) {
                        float m = Float.NEGATIVE_INFINITY;
                        double sum = 0;
                        int count = 0;
                        for (int r = i * sh - pt; r < i * sh - pt + kh; r++) {
                            for (int s = j * sw - pl; s < j * sw - pl + kw; s++) {
                                if (r < 0 || r >= h || s < 0 || s >= w) {
                                    continue;
                                }
                                float v = x[((b * h + r) * w + s) * c + ch];
                                if (v > m || Float.isNaN(v)) {
                                    m = v;      // once NaN, nothing is greater: NaN stays
                                }
                                sum += v;
                                count++;
                            }
                        }
                        double divisor = countIncludePad ? kh * kw : count;
                        y[((b * oh + i) * ow + j) * c + ch] = max ? m : (float) (sum / divisor);
                    }
                }
            }
        }
        return y;
    }
}
