package dev.clnn.reference;

import java.util.function.DoubleUnaryOperator;

/**
 * The plain-Java oracles for the convolution family: 2-D convolution (NHWC activations, HWIO
 * weights, any stride, dilation, asymmetric padding and groups), depthwise convolution and the
 * dense layer, each with bias, activation and residual epilogue. Written as the textbook loops,
 * summed in double, so that they are obviously right rather than fast.
 *
 * <p>The epilogue: {@code y = act(sum + bias + r)} when the residual is added before the
 * activation, else {@code y = act(sum + bias) + r}; a null bias is zero, a null activation the
 * identity, a null residual none.
 */
public final class ReferenceConv {
    private ReferenceConv() {
    }

    /**
     * The geometry of one convolution: input {@code (n, h, w, cin)} NHWC, weights
     * {@code (kh, kw, cin / groups, cout)} HWIO, output {@code (n, outH(), outW(), cout)} NHWC.
     */
    public record Geometry(int n, int h, int w, int cin, int kh, int kw, int cout,
                           int strideH, int strideW, int dilationH, int dilationW,
                           int padTop, int padLeft, int padBottom, int padRight, int groups) {

        public int outH() {
            return (h + padTop + padBottom - (kh - 1) * dilationH - 1) / strideH + 1;
        }

        public int outW() {
            return (w + padLeft + padRight - (kw - 1) * dilationW - 1) / strideW + 1;
        }

        public int outputSize() {
            return n * outH() * outW() * cout;
        }
    }

    /** 2-D convolution with groups; returns the output {@code (n, outH, outW, cout)}. */
    public static float[] conv2d(Geometry g, float[] x, float[] weights, float[] bias, DoubleUnaryOperator act,
                                 float[] residual, boolean residualBeforeActivation) {
        int oh = g.outH();
        int ow = g.outW();
        int cinG = g.cin() / g.groups();
        int coutG = g.cout() / g.groups();
        float[] y = new float[g.outputSize()];
        for (int b = 0; b < g.n(); b++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    for (int oc = 0; oc < g.cout(); oc++) {
                        int group = oc / coutG;
                        double sum = 0;
                        for (int ky = 0; ky < g.kh(); ky++) {
                            int iy = i * g.strideH() - g.padTop() + ky * g.dilationH();
                            for (int kx = 0; kx < g.kw(); kx++) {
                                int ix = j * g.strideW() - g.padLeft() + kx * g.dilationW();
                                if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) {
                                    continue;   // zero padding
                                }
                                for (int ci = 0; ci < cinG; ci++) {
                                    float xv = x[((b * g.h() + iy) * g.w() + ix) * g.cin() + group * cinG + ci];
                                    float wv = weights[((ky * g.kw() + kx) * cinG + ci) * g.cout() + oc];
                                    sum += (double) xv * wv;
                                }
                            }
                        }
                        int at = ((b * oh + i) * ow + j) * g.cout() + oc;
                        y[at] = epilogue(sum, bias, oc, act, residual, at, residualBeforeActivation);
                    }
                }
            }
        }
        return y;
    }

    /**
     * Depthwise convolution: output channel {@code oc} convolves input channel
     * {@code oc / multiplier} alone. Weights {@code (kh, kw, 1, c * multiplier)};
     * {@code g.groups()} must equal {@code g.cin()} and {@code g.cout()} be a multiple of it. It is
     * {@link #conv2d} with one input channel per group, the same sums in the same order.
     */
    public static float[] depthwise(Geometry g, float[] x, float[] weights, float[] bias, DoubleUnaryOperator act,
                                    float[] residual, boolean residualBeforeActivation) {
        if (g.groups() != g.cin() || g.cout() % g.cin() != 0) {
            throw new IllegalArgumentException("depthwise needs groups == cin and cout a multiple of cin: " + g);
        }
        return conv2d(g, x, weights, bias, act, residual, residualBeforeActivation);
    }

    /** Dense layer: {@code x (n, k)} times {@code weights (k, m)} (in, out), plus bias, then act. */
    public static float[] dense(float[] x, int n, int k, float[] weights, int m, float[] bias, DoubleUnaryOperator act) {
        float[] y = new float[n * m];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < m; j++) {
                double sum = 0;
                for (int i = 0; i < k; i++) {
                    sum += (double) x[r * k + i] * weights[i * m + j];
                }
                y[r * m + j] = epilogue(sum, bias, j, act, null, 0, false);
            }
        }
        return y;
    }

    private static float epilogue(double sum, float[] bias, int channel, DoubleUnaryOperator act, float[] residual,
                                  int at, boolean residualBeforeActivation) {
        double v = sum + (bias == null ? 0 : bias[channel]);
        double r = residual == null ? 0 : residual[at];
        if (residualBeforeActivation) {
            v += r;
        }
        v = act == null ? (float) v : act.applyAsDouble((float) v);
        if (!residualBeforeActivation) {
            v += r;
        }
        return (float) v;
    }
}
