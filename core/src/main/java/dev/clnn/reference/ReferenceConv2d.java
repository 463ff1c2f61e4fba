package dev.clnn.reference;

/**
 * The plain-Java oracle for a 2-D convolution over NHWC activations and its three gradients, in
 * double precision: direct loops, no im2col, so it shares no indexing with the device code.
 *
 * <p>Layouts: input {@code x (N, H, W, C)}, weight {@code w (KH, KW, C, OC)} (HWIO, as Keras
 * stores it), bias {@code (OC)}, output {@code y (N, OH, OW, OC)} with
 * {@code y[n][oh][ow][o] = b[o] + sum x[n][oh*SH - PT + kh][ow*SW - PL + kw][c] * w[kh][kw][c][o]},
 * positions outside the input counting as zero.
 */
public final class ReferenceConv2d {
    private ReferenceConv2d() {
    }

    /** The geometry: sizes, strides and the top and left padding (bottom and right follow from OH, OW). */
    public record Geometry(int n, int h, int w, int c, int oc, int kh, int kw, int sh, int sw, int pt, int pl,
                           int oh, int ow) {
        /** With "valid" padding: no padding, the output as large as fits. */
        public static Geometry valid(int n, int h, int w, int c, int oc, int kh, int kw, int sh, int sw) {
            return new Geometry(n, h, w, c, oc, kh, kw, sh, sw, 0, 0, (h - kh) / sh + 1, (w - kw) / sw + 1);
        }

        public int inputSize() {
            return n * h * w * c;
        }

        public int weightSize() {
            return kh * kw * c * oc;
        }

        public int outputSize() {
            return n * oh * ow * oc;
        }

        /** Input row index for output row {@code o} and tap {@code k}, possibly outside {@code [0, h)}. */
        int inRow(int o, int k) {
            return o * sh - pt + k;
        }

        int inCol(int o, int k) {
            return o * sw - pl + k;
        }
    }

    /** {@code y = conv(x, w) + b}; {@code b} may be null (no bias). */
    public static double[] forward(Geometry g, double[] x, double[] w, double[] b) {
        double[] y = new double[g.outputSize()];
        if (b != null) {
            for (int at = 0; at < y.length; at += g.oc) {
                System.arraycopy(b, 0, y, at, g.oc);
            }
        }
        forEachProduct(g, (xi, wi, yi) -> y[yi] += x[xi] * w[wi]);
        return y;
    }

    /** The input gradient {@code dx (N, H, W, C)} for the output gradient {@code dy (N, OH, OW, OC)}. */
    public static double[] backwardInput(Geometry g, double[] dy, double[] w) {
        double[] dx = new double[g.inputSize()];
        forEachTap(g, (n, oh, ow, kh, kw, h, wc) -> {
            int out = ((n * g.oh + oh) * g.ow + ow) * g.oc;
            for (int c = 0; c < g.c; c++) {
                int wBase = ((kh * g.kw + kw) * g.c + c) * g.oc;
                double s = 0;
                for (int o = 0; o < g.oc; o++) {
                    s += dy[out + o] * w[wBase + o];
                }
                dx[((n * g.h + h) * g.w + wc) * g.c + c] += s;
            }
        });
        return dx;
    }

    /** The weight gradient {@code dw (KH, KW, C, OC)}. */
    public static double[] backwardWeight(Geometry g, double[] x, double[] dy) {
        double[] dw = new double[g.weightSize()];
        forEachProduct(g, (xi, wi, yi) -> dw[wi] += x[xi] * dy[yi]);
        return dw;
    }

    /** The bias gradient {@code db (OC)}: {@code dy} summed over batch and pixels. */
    public static double[] backwardBias(Geometry g, double[] dy) {
        return ReferenceDense.columnSums(dy, g.n * g.oh * g.ow, g.oc);
    }

    private interface Product {
        void at(int xi, int wi, int yi);
    }

    /**
     * Calls {@code product} with the flat indices into x, w and y of every term {@code x[xi] * w[wi]}
     * of the sum that makes {@code y[yi]}: tap by tap ({@link #forEachTap}), then input channel,
     * then output channel.
     */
    private static void forEachProduct(Geometry g, Product product) {
        forEachTap(g, (n, oh, ow, kh, kw, h, wc) -> {
            int out = ((n * g.oh + oh) * g.ow + ow) * g.oc;
            for (int c = 0; c < g.c; c++) {
                int xi = ((n * g.h + h) * g.w + wc) * g.c + c;
                int wBase = ((kh * g.kw + kw) * g.c + c) * g.oc;
                for (int o = 0; o < g.oc; o++) {
                    product.at(xi, wBase + o, out + o);
                }
            }
        });
    }

    private interface Tap {
        void at(int n, int oh, int ow, int kh, int kw, int h, int w);
    }

    /** Calls {@code tap} for every (output pixel, kernel tap) that reads a position inside the input. */
    private static void forEachTap(Geometry g, Tap tap) {
        for (int n = 0; n < g.n; n++) {
            for (int oh = 0; oh < g.oh; oh++) {
                for (int ow = 0; ow < g.ow; ow++) {
                    for (int kh = 0; kh < g.kh; kh++) {
                        int h = g.inRow(oh, kh);
                        for (int kw = 0; kw < g.kw; kw++) {
                            int wc = g.inCol(ow, kw);
                            if (h >= 0 && h < g.h && wc >= 0 && wc < g.w) {
                                tap.at(n, oh, ow, kh, kw, h, wc);
                            }
                        }
                    }
                }
            }
        }
    }
}
