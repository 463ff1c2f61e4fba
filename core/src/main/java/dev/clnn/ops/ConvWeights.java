package dev.clnn.ops;

import dev.clnn.tensor.Shape;

/**
 * Host-side weight layout conversions between the exchange formats (ONNX, PyTorch) and the
 * layouts clnn's kernels take, done once when a model is loaded.
 *
 * <ul>
 *   <li>Convolution: ONNX / PyTorch store {@code (Cout, Cin / groups, KH, KW)} (OIHW); {@link Conv2d}
 *       takes {@code (KH, KW, Cin / groups, Cout)} (HWIO, TensorFlow's layout), output channels
 *       contiguous. A depthwise convolution's {@code (C * multiplier, 1, KH, KW)} becomes
 *       {@code (KH, KW, 1, C * multiplier)} by the same rule.</li>
 *   <li>Dense: ONNX {@code Gemm} with {@code transB = 1} and PyTorch {@code Linear} store
 *       {@code (out, in)}; {@link Dense} takes {@code (in, out)} (Keras' layout).</li>
 * </ul>
 */
public final class ConvWeights {
    private ConvWeights() {
    }

    /**
     * OIHW {@code (cout, cinPerGroup, kh, kw)} to HWIO {@code (kh, kw, cinPerGroup, cout)}.
     *
     * @throws IllegalArgumentException when {@code oihw} does not hold exactly that many floats
     */
    public static float[] oihwToHwio(float[] oihw, int cout, int cinPerGroup, int kh, int kw) {
        checkLength("oihwToHwio", oihw, cout, cinPerGroup, kh, kw);
        return permute(oihw, cout, cinPerGroup, kh, kw, true);
    }

    /** HWIO {@code (kh, kw, cinPerGroup, cout)} back to OIHW {@code (cout, cinPerGroup, kh, kw)} (export). */
    public static float[] hwioToOihw(float[] hwio, int cout, int cinPerGroup, int kh, int kw) {
        checkLength("hwioToOihw", hwio, cout, cinPerGroup, kh, kw);
        return permute(hwio, cout, cinPerGroup, kh, kw, false);
    }

    /** OIHW to HWIO ({@code toHwio}) or back: one index map, read in either direction. */
    private static float[] permute(float[] src, int cout, int cin, int kh, int kw, boolean toHwio) {
        float[] dst = new float[src.length];
        for (int o = 0; o < cout; o++) {
            for (int i = 0; i < cin; i++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        int oihw = ((o * cin + i) * kh + y) * kw + x;
                        int hwio = ((y * kw + x) * cin + i) * cout + o;
                        if (toHwio) {
                            dst[hwio] = src[oihw];
                        } else {
                            dst[oihw] = src[hwio];
                        }
                    }
                }
            }
        }
        return dst;
    }

    /** The HWIO shape {@code (kh, kw, cinPerGroup, cout)} {@link Conv2d} takes. */
    public static Shape hwioShape(int cout, int cinPerGroup, int kh, int kw) {
        return Shape.of(kh, kw, cinPerGroup, cout);
    }

    /** Dense weights {@code (out, in)} (ONNX Gemm transB = 1, PyTorch Linear) to {@code (in, out)}. */
    public static float[] outInToInOut(float[] outIn, int out, int in) {
        if ((long) out * in != outIn.length || out < 1 || in < 1) {
            throw new IllegalArgumentException("ConvWeights.outInToInOut: (" + out + ", " + in + ") needs "
                    + (long) out * in + " floats, got " + outIn.length);
        }
        float[] t = new float[outIn.length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                t[i * out + o] = outIn[o * in + i];
            }
        }
        return t;
    }

    private static void checkLength(String what, float[] w, int cout, int cin, int kh, int kw) {
        long n = (long) cout * cin * kh * kw;
        if (cout < 1 || cin < 1 || kh < 1 || kw < 1 || n != w.length) {
            throw new IllegalArgumentException("ConvWeights." + what + ": (" + cout + ", " + cin + ", " + kh + ", " + kw
                    + ") needs " + n + " floats, got " + w.length);
        }
    }
}
