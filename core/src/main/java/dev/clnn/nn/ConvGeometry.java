package dev.clnn.nn;

import dev.clnn.tensor.Shape;

/**
 * The per-example geometry of a 2-D convolution over NHWC: input {@code (H, W, C)}, kernel
 * {@code (KH, KW, C, OC)}, strides, padding (top/left/bottom/right) and output {@code (OH, OW, OC)}.
 */
record ConvGeometry(int h, int w, int c, int oc, int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr,
                    int oh, int ow) {

    static ConvGeometry of(Shape input, int filters, int kh, int kw, int sh, int sw, Padding padding) {
        if (input.rank() != 3) {
            throw new IllegalArgumentException("Conv2d takes NHWC images, per example (H, W, C); got input shape "
                    + input);
        }
        int h = input.dim(0);
        int w = input.dim(1);
        int c = input.dim(2);
        int oh;
        int ow;
        int padH = 0;
        int padW = 0;
        if (padding == Padding.SAME) {
            oh = (h + sh - 1) / sh;
            ow = (w + sw - 1) / sw;
            padH = Math.max(0, (oh - 1) * sh + kh - h);
            padW = Math.max(0, (ow - 1) * sw + kw - w);
        } else {
            oh = h >= kh ? (h - kh) / sh + 1 : 0;
            ow = w >= kw ? (w - kw) / sw + 1 : 0;
        }
        if (oh < 1 || ow < 1 || c < 1) {
            throw new IllegalArgumentException("Conv2d: a " + kh + "x" + kw + " kernel with " + padding
                    + " padding does not fit input shape " + input);
        }
        return new ConvGeometry(h, w, c, filters, kh, kw, sh, sw, padH / 2, padW / 2, padH - padH / 2,
                padW - padW / 2, oh, ow);
    }

    /** Columns of the im2col matrix: {@code KH*KW*C}, the rows of the weight as a matrix. */
    int k() {
        return kh * kw * c;
    }

    /** True when im2col would copy the input unchanged (1x1 kernel, stride 1, no padding). */
    boolean pointwise() {
        return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && pb == 0 && pr == 0;
    }

    Shape outputShape() {
        return Shape.of(oh, ow, oc);
    }
}
