package dev.clnn.vision;

/**
 * Antialiased resizing: a separable triangle (bilinear) filter whose support widens with the
 * downscale factor, so that every input pixel contributes to the output — the filter of PIL's
 * {@code resize(BILINEAR)} and of torchvision's {@code Resize(antialias=True)}, with the same
 * pixel-centre convention (output pixel {@code i} sits at input coordinate
 * {@code (i + 0.5) * in / out}). Upscaling is plain bilinear interpolation with edges clamped.
 * Plain bilinear downscaling (what {@code Graphics2D} does) reads only the two nearest pixels and
 * aliases: a fine checkerboard comes out as stripes instead of grey.
 */
final class Resample {
    private Resample() {
    }

    /**
     * The filter of one axis for a window of outputs: output {@code o} (0 to {@code n - 1}, i.e.
     * position {@code from + o} of a resize from {@code in} to {@code out}) is the sum over
     * {@code t < count[o]} of {@code weights[o * stride + t] * input[start[o] + t]}. Positions
     * outside {@code [0, out)} have no taps: they read as 0 (the padding of an oversized crop).
     */
    record Taps(int[] start, int[] count, float[] weights, int stride) {
        int first() {
            int first = Integer.MAX_VALUE;
            for (int o = 0; o < start.length; o++) {
                if (count[o] > 0) {
                    first = Math.min(first, start[o]);
                }
            }
            return first == Integer.MAX_VALUE ? 0 : first;
        }

        int end() {
            int end = 0;
            for (int o = 0; o < start.length; o++) {
                end = Math.max(end, start[o] + count[o]);
            }
            return end;
        }
    }

    /** The taps of outputs {@code from .. from + n - 1} of resizing an axis of {@code in} samples to {@code out}. */
    static Taps taps(int in, int out, int from, int n) {
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale;              // the triangle spans [-1, 1], stretched when shrinking
        int stride = (int) Math.ceil(support) * 2 + 1;
        int[] start = new int[n];
        int[] count = new int[n];
        float[] weights = new float[n * stride];
        double[] w = new double[stride];
        for (int o = 0; o < n; o++) {
            int i = from + o;
            if (i < 0 || i >= out) {
                continue;
            }
            double center = (i + 0.5) * scale;
            int lo = Math.max((int) (center - support + 0.5), 0);
            int hi = Math.min((int) (center + support + 0.5), in);
            double sum = 0;
            for (int j = lo; j < hi; j++) {
                w[j - lo] = triangle((j - center + 0.5) / filterScale);
                sum += w[j - lo];
            }
            start[o] = lo;
            count[o] = hi - lo;
            for (int j = 0; j < hi - lo; j++) {
                weights[o * stride + j] = (float) (sum == 0 ? 0 : w[j] / sum);
            }
        }
        return new Taps(start, count, weights, stride);
    }

    private static double triangle(double x) {
        double a = Math.abs(x);
        return a < 1 ? 1 - a : 0;
    }

    /**
     * Resizes {@code image} to {@code outW x outH} and returns the window of {@code cropW x cropH}
     * outputs starting at column {@code left}, row {@code top} (either may be negative, or the
     * window may run past the resized image: those pixels are 0), as planar {@code (3, cropH, cropW)}
     * floats in the samples' 0 to 255 range. Only the rows and columns the window needs are computed.
     */
    static float[] resizeAndCrop(RgbImage image, int outW, int outH, int left, int top, int cropW, int cropH) {
        Taps tx = taps(image.width(), outW, left, cropW);
        Taps ty = taps(image.height(), outH, top, cropH);
        int rowFrom = ty.first();
        int rows = Math.max(0, ty.end() - rowFrom);
        float[] horizontal = horizontal(image, tx, rowFrom, rows);
        return vertical(horizontal, ty, rowFrom, rows, cropW);
    }

    /** The horizontal pass over input rows {@code rowFrom .. rowFrom + rows - 1}: planar (3, rows, n). */
    private static float[] horizontal(RgbImage image, Taps tx, int rowFrom, int rows) {
        byte[] s = image.samples();
        int w = image.width();
        int n = tx.start().length;
        float[] out = new float[3 * rows * n];
        for (int r = 0; r < rows; r++) {
            int rowBase = (rowFrom + r) * w * 3;
            for (int o = 0; o < n; o++) {
                int base = rowBase + tx.start()[o] * 3;
                int wBase = o * tx.stride();
                float red = 0;
                float green = 0;
                float blue = 0;
                for (int t = 0; t < tx.count()[o]; t++) {
                    float k = tx.weights()[wBase + t];
                    red += k * (s[base + 3 * t] & 0xFF);
                    green += k * (s[base + 3 * t + 1] & 0xFF);
                    blue += k * (s[base + 3 * t + 2] & 0xFF);
                }
                out[r * n + o] = red;
                out[(rows + r) * n + o] = green;
                out[(2 * rows + r) * n + o] = blue;
            }
        }
        return out;
    }

    /** The vertical pass: planar (3, rows, n) to planar (3, cropH, n). */
    private static float[] vertical(float[] in, Taps ty, int rowFrom, int rows, int n) {
        int cropH = ty.start().length;
        float[] out = new float[3 * cropH * n];
        float[] acc = new float[n];
        for (int c = 0; c < 3; c++) {
            for (int o = 0; o < cropH; o++) {
                java.util.Arrays.fill(acc, 0f);
                for (int t = 0; t < ty.count()[o]; t++) {
                    float k = ty.weights()[o * ty.stride() + t];
                    int src = (c * rows + ty.start()[o] + t - rowFrom) * n;
                    for (int x = 0; x < n; x++) {
                        acc[x] += k * in[src + x];
                    }
                }
                System.arraycopy(acc, 0, out, (c * cropH + o) * n, n);
            }
        }
        return out;
    }
}
