package dev.clnn.reference;

import dev.clnn.tensor.Shape;

/**
 * Plain-Java pooling over NHWC arrays, as ONNX {@code MaxPool}, {@code AveragePool} and
 * {@code GlobalAveragePool} define it (floor output size, or ceiling with {@code ceilMode}): the
 * oracle for {@code dev.clnn.ops.Pool2d}.
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
        return maxPool(x, in, kh, kw, sh, sw, padTop, padLeft, padBottom, padRight, false);
    }

    /**
     * Max pooling as above; with {@code ceilMode} the output size rounds up (ONNX {@code ceil_mode})
     * and windows running past the padded input are clipped.
     */
    public static float[] maxPool(float[] x, Shape in, int kh, int kw, int sh, int sw,
                                  int padTop, int padLeft, int padBottom, int padRight, boolean ceilMode) {
        return pool(x, in, new int[] {kh, kw, sh, sw, padTop, padLeft, padBottom, padRight}, true, false, ceilMode);
    }

    /**
     * Average pooling of {@code x} {@code (N, H, W, C)}. With {@code countIncludePad} the divisor is
     * {@code kh * kw}; without, the number of input positions in the window.
     */
    public static float[] averagePool(float[] x, Shape in, int kh, int kw, int sh, int sw,
                                      int padTop, int padLeft, int padBottom, int padRight, boolean countIncludePad) {
        return averagePool(x, in, kh, kw, sh, sw, padTop, padLeft, padBottom, padRight, countIncludePad, false);
    }

    /**
     * Average pooling as above; with {@code ceilMode} the output size rounds up and the divisor of
     * {@code countIncludePad} is the window clipped to the padded input (as ONNX Runtime and PyTorch).
     */
    public static float[] averagePool(float[] x, Shape in, int kh, int kw, int sh, int sw, int padTop, int padLeft,
                                      int padBottom, int padRight, boolean countIncludePad, boolean ceilMode) {
        return pool(x, in, new int[] {kh, kw, sh, sw, padTop, padLeft, padBottom, padRight}, false, countIncludePad,
                ceilMode);
    }

    /** Output size along one axis: floor, or ceiling with the last window starting before the end padding. */
    static int outputSize(int in, int k, int s, int begin, int end, boolean ceilMode) {
        int span = in + begin + end - k;
        if (!ceilMode) {
            return Math.floorDiv(span, s) + 1;
        }
        int out = (int) Math.ceil(span / (double) s) + 1;
        return (out - 1) * s >= in + begin ? out - 1 : out;
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

    /** {@code g}: kh, kw, sh, sw, pad top, left, bottom, right. */
    private static float[] pool(float[] x, Shape in, int[] g, boolean max, boolean countIncludePad, boolean ceilMode) {
        int kh = g[0];
        int kw = g[1];
        int sh = g[2];
        int sw = g[3];
        int pt = g[4];
        int pl = g[5];
        int n = in.dim(0);
        int h = in.dim(1);
        int w = in.dim(2);
        int c = in.dim(3);
        int oh = outputSize(h, kh, sh, pt, g[6], ceilMode);
        int ow = outputSize(w, kw, sw, pl, g[7], ceilMode);
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
                        int r0 = i * sh - pt;
                        int s0 = j * sw - pl;
                        double divisor = countIncludePad
                                ? (Math.min(r0 + kh, h + g[6]) - r0) * (Math.min(s0 + kw, w + g[7]) - s0) : count;
                        y[((b * oh + i) * ow + j) * c + ch] = max ? m : (float) (sum / divisor);
                    }
                }
            }
        }
        return y;
    }
}
