package dev.clnn.ops;

import dev.clnn.tensor.DType;
import dev.clnn.tensor.Shape;

/**
 * The attributes of one 2-D convolution, immutable: stride, dilation, padding (top, left,
 * bottom, right: asymmetric padding is allowed), group count, and the fused epilogue (an
 * activation and an optional residual add). The kernel size comes from the weights' shape.
 *
 * <p>Start from {@link #defaults()} (stride 1, dilation 1, no padding, one group, no activation,
 * no residual) and change what differs:
 * <pre>{@code
 * Conv2dParams p = Conv2dParams.defaults().withStride(2).withSamePadding(224, 224, 3, 3)
 *         .withActivation(Activation.RELU6);
 * }</pre>
 *
 * @param strideH    vertical stride, at least 1
 * @param strideW    horizontal stride, at least 1
 * @param dilationH  vertical dilation (distance between kernel taps), at least 1
 * @param dilationW  horizontal dilation, at least 1
 * @param padTop     zero rows above the input
 * @param padLeft    zero columns left of the input
 * @param padBottom  zero rows below the input
 * @param padRight   zero columns right of the input
 * @param groups     input and output channels are split into this many groups, each convolved
 *                   on its own (1: ordinary convolution; the channel count: depthwise)
 * @param activation applied to {@code conv + bias} in the kernel's epilogue
 * @param residual   whether and where a residual tensor is added, see {@link Residual}
 * @param storage    how the activations (input, output and residual) are stored: {@link DType#FLOAT32},
 *                   or {@link DType#FLOAT16}, half-precision storage with fp32 arithmetic; the weights
 *                   and bias are fp32 either way
 */
public record Conv2dParams(int strideH, int strideW, int dilationH, int dilationW,
                           int padTop, int padLeft, int padBottom, int padRight,
                           int groups, Activation activation, Residual residual, DType storage) {

    /**
     * Where the residual tensor {@code r} (shaped like the output) enters the epilogue;
     * {@link #code()} is {@code RESIDUAL} in {@code conv/conv_common.cl}.
     */
    public enum Residual {
        /** {@code y = act(conv + bias)}. */
        NONE(0),
        /** {@code y = act(conv + bias + r)}: ResNet's add-then-ReLU; with no activation, MobileNet v2's. */
        ADD_THEN_ACTIVATE(1),
        /** {@code y = act(conv + bias) + r}. */
        ACTIVATE_THEN_ADD(2);

        private final int code;

        Residual(int code) {
            this.code = code;
        }

        /** The {@code RESIDUAL} code of the kernels, fixed so that reordering cannot change them. */
        public int code() {
            return code;
        }
    }

    public Conv2dParams {
        if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException("Conv2d: stride and dilation must be at least 1, got stride "
                    + strideH + "x" + strideW + ", dilation " + dilationH + "x" + dilationW);
        }
        if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw new IllegalArgumentException("Conv2d: padding must not be negative, got (top, left, bottom, right) = ("
                    + padTop + ", " + padLeft + ", " + padBottom + ", " + padRight + ")");
        }
        if (groups < 1) {
            throw new IllegalArgumentException("Conv2d: groups must be at least 1, got " + groups);
        }
        if (activation == null || residual == null || storage == null) {
            throw new IllegalArgumentException("Conv2d: activation, residual and storage must not be null (use NONE,"
                    + " FLOAT32)");
        }
    }

    /** fp32 activations. */
    public Conv2dParams(int strideH, int strideW, int dilationH, int dilationW, int padTop, int padLeft,
                        int padBottom, int padRight, int groups, Activation activation, Residual residual) {
        this(strideH, strideW, dilationH, dilationW, padTop, padLeft, padBottom, padRight, groups, activation,
                residual, DType.FLOAT32);
    }

    /** Stride 1, dilation 1, no padding, one group, no activation, no residual. */
    public static Conv2dParams defaults() {
        return new Conv2dParams(1, 1, 1, 1, 0, 0, 0, 0, 1, Activation.NONE, Residual.NONE);
    }

    public Conv2dParams withStride(int stride) {
        return withStride(stride, stride);
    }

    public Conv2dParams withStride(int sh, int sw) {
        return new Conv2dParams(sh, sw, dilationH, dilationW, padTop, padLeft, padBottom, padRight, groups,
                activation, residual, storage);
    }

    public Conv2dParams withDilation(int dilation) {
        return withDilation(dilation, dilation);
    }

    public Conv2dParams withDilation(int dh, int dw) {
        return new Conv2dParams(strideH, strideW, dh, dw, padTop, padLeft, padBottom, padRight, groups,
                activation, residual, storage);
    }

    /** The same padding on all four sides. */
    public Conv2dParams withPadding(int pad) {
        return withPadding(pad, pad, pad, pad);
    }

    /** Asymmetric padding, in ONNX's {@code pads} order for 2-D: top, left, bottom, right. */
    public Conv2dParams withPadding(int top, int left, int bottom, int right) {
        return new Conv2dParams(strideH, strideW, dilationH, dilationW, top, left, bottom, right, groups,
                activation, residual, storage);
    }

    /**
     * TensorFlow / Keras {@code padding='same'} (ONNX {@code SAME_UPPER}) for an input of
     * {@code inH x inW} and a {@code kh x kw} kernel, with this stride and dilation: the output is
     * {@code ceil(in / stride)} and an odd total padding puts the extra row and column at the bottom
     * and right (so a 3x3 stride-2 convolution of an even-sized input pads only bottom and right).
     */
    public Conv2dParams withSamePadding(int inH, int inW, int kh, int kw) {
        int th = samePaddingTotal(inH, kh, strideH, dilationH);
        int tw = samePaddingTotal(inW, kw, strideW, dilationW);
        return withPadding(th / 2, tw / 2, th - th / 2, tw - tw / 2);
    }

    private static int samePaddingTotal(int in, int k, int stride, int dilation) {
        int out = (in + stride - 1) / stride;
        return Math.max(0, (out - 1) * stride + (k - 1) * dilation + 1 - in);
    }

    public Conv2dParams withGroups(int g) {
        return new Conv2dParams(strideH, strideW, dilationH, dilationW, padTop, padLeft, padBottom, padRight, g,
                activation, residual, storage);
    }

    public Conv2dParams withActivation(Activation a) {
        return new Conv2dParams(strideH, strideW, dilationH, dilationW, padTop, padLeft, padBottom, padRight, groups,
                a, residual, storage);
    }

    /** The same convolution with its activations stored as {@code dtype} ({@link #storage()}). */
    public Conv2dParams withStorage(DType dtype) {
        return new Conv2dParams(strideH, strideW, dilationH, dilationW, padTop, padLeft, padBottom, padRight, groups,
                activation, residual, dtype);
    }

    public Conv2dParams withResidual(Residual r) {
        return new Conv2dParams(strideH, strideW, dilationH, dilationW, padTop, padLeft, padBottom, padRight, groups,
                activation, r, storage);
    }

    /**
     * Checks an input {@code (N, H, W, Cin)} (NHWC) against weights {@code (KH, KW, Cin / groups, Cout)}
     * (HWIO) and an optional bias {@code (Cout)}, and returns the output shape {@code (N, OH, OW, Cout)}.
     *
     * @throws IllegalArgumentException naming both shapes when they do not fit together or with
     *                                  these parameters
     */
    public Shape outputShape(Shape input, Shape weights, Shape bias) {
        String both = "input " + input + " (N, H, W, C) and weights " + weights + " (KH, KW, Cin/groups, Cout)";
        if (input.rank() != 4 || weights.rank() != 4) {
            throw new IllegalArgumentException("Conv2d: " + both + " must both have rank 4");
        }
        int n = input.dim(0);
        int h = input.dim(1);
        int w = input.dim(2);
        int cin = input.dim(3);
        int kh = weights.dim(0);
        int kw = weights.dim(1);
        int cinPerGroup = weights.dim(2);
        int cout = weights.dim(3);
        if (input.size() == 0 || weights.size() == 0) {
            throw new IllegalArgumentException("Conv2d: " + both + " must not be empty");
        }
        if (cin % groups != 0 || cout % groups != 0) {
            throw new IllegalArgumentException("Conv2d: " + both + ": groups=" + groups + " must divide the "
                    + cin + " input channels and the " + cout + " output channels");
        }
        if (cinPerGroup * groups != cin) {
            throw new IllegalArgumentException("Conv2d: channel mismatch between " + both + ": the weights take "
                    + cinPerGroup + " channels per group, times groups=" + groups + " is " + cinPerGroup * groups
                    + ", not the input's " + cin);
        }
        if (bias != null && !(bias.rank() == 1 && bias.dim(0) == cout)) {
            throw new IllegalArgumentException("Conv2d: bias " + bias + " must be (" + cout + ",), one per output"
                    + " channel of " + both);
        }
        int spanH = (kh - 1) * dilationH + 1;
        int spanW = (kw - 1) * dilationW + 1;
        long paddedH = (long) h + padTop + padBottom;
        long paddedW = (long) w + padLeft + padRight;
        if (spanH > paddedH || spanW > paddedW) {
            throw new IllegalArgumentException("Conv2d: the kernel of " + both + " spans " + spanH + "x" + spanW
                    + " (dilation " + dilationH + "x" + dilationW + "), larger than the padded input "
                    + paddedH + "x" + paddedW);
        }
        int oh = (int) ((paddedH - spanH) / strideH + 1);
        int ow = (int) ((paddedW - spanW) / strideW + 1);
        return Shape.of(n, oh, ow, cout);
    }

    /** True for a pointwise convolution: 1x1 kernel, stride 1, no padding, one group. */
    boolean isPointwise(Shape weights) {
        return weights.dim(0) == 1 && weights.dim(1) == 1 && strideH == 1 && strideW == 1
                && padTop == 0 && padLeft == 0 && padBottom == 0 && padRight == 0 && groups == 1;
    }

    /** True for a depthwise convolution with channel multiplier 1: one input and one output channel per group. */
    boolean isDepthwise(Shape input, Shape weights) {
        return groups == input.dim(3) && weights.dim(2) == 1 && weights.dim(3) == groups;
    }

    /** True when the blocked depthwise kernel applies: 3x3 or 5x5, equal strides of 1 or 2, no dilation. */
    boolean isDepthwiseBlocked(Shape input, Shape weights) {
        return isDepthwise(input, weights) && (weights.dim(0) == 3 || weights.dim(0) == 5)
                && weights.dim(1) == weights.dim(0) && strideH == strideW
                && (strideH == 1 || strideH == 2) && dilationH == 1 && dilationW == 1;
    }

    /** True when the Winograd kernels apply: a 3x3 kernel, stride 1, no dilation, one group (any padding). */
    boolean isWinograd(Shape weights) {
        return weights.dim(0) == 3 && weights.dim(1) == 3 && strideH == 1 && strideW == 1 && dilationH == 1
                && dilationW == 1 && groups == 1;
    }

    @Override
    public String toString() {
        return "Conv2dParams(stride " + strideH + "x" + strideW + ", dilation " + dilationH + "x" + dilationW
                + ", pads (t, l, b, r) = (" + padTop + ", " + padLeft + ", " + padBottom + ", " + padRight
                + "), groups " + groups + ", " + activation + ", residual " + residual
                + (storage == DType.FLOAT32 ? "" : ", " + storage + " storage") + ")";
    }
}
