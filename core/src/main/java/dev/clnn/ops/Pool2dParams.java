package dev.clnn.ops;

import dev.clnn.tensor.Shape;

/**
 * Parameters of a {@link Pool2d}: max or average pooling with a window, strides and padding, as
 * ONNX {@code MaxPool} / {@code AveragePool} define them (floor output size), or global average
 * pooling ({@code GlobalAveragePool}). With {@code ceilMode} the output size rounds up (ONNX
 * {@code ceil_mode = 1}): the last window may run past the padded input and is clipped to it, and
 * a window is kept only when it starts inside the input or its top / left padding. Immutable.
 *
 * @param mode             max, average, or global average (which ignores every other field)
 * @param kernelH          window height
 * @param kernelW          window width
 * @param strideH          vertical stride
 * @param strideW          horizontal stride
 * @param padTop           rows of padding above the input
 * @param padLeft          columns of padding left of the input
 * @param padBottom        rows of padding below
 * @param padRight         columns of padding to the right
 * @param countIncludePad  average only: divide by the whole window, padding included (ONNX
 *                         {@code count_include_pad = 1}); the default, false, divides by the input
 *                         positions in the window
 * @param ceilMode         output size {@code ceil((h + pads - kernel) / stride) + 1} (ONNX
 *                         {@code ceil_mode = 1}) instead of floor
 */
public record Pool2dParams(Mode mode, int kernelH, int kernelW, int strideH, int strideW,
                           int padTop, int padLeft, int padBottom, int padRight, boolean countIncludePad,
                           boolean ceilMode) {

    public enum Mode { MAX, AVERAGE, GLOBAL_AVERAGE }

    public Pool2dParams {
        if (mode == null) {
            throw new IllegalArgumentException("Pool2d: a mode is required");
        }
        if (mode != Mode.GLOBAL_AVERAGE) {
            if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1) {
                throw new IllegalArgumentException("Pool2d: window " + kernelH + "x" + kernelW + " and strides "
                        + strideH + "x" + strideW + " must be at least 1");
            }
            if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
                throw new IllegalArgumentException("Pool2d: padding must not be negative, got top " + padTop
                        + " left " + padLeft + " bottom " + padBottom + " right " + padRight);
            }
            if (padTop >= kernelH || padBottom >= kernelH || padLeft >= kernelW || padRight >= kernelW) {
                throw new IllegalArgumentException("Pool2d: padding (top " + padTop + " left " + padLeft + " bottom "
                        + padBottom + " right " + padRight + ") must be smaller than the window " + kernelH + "x"
                        + kernelW + ", or a window could hold padding only");
            }
        }
    }

    /** Max pooling with a square window and stride, no padding. */
    public static Pool2dParams max(int kernel, int stride) {
        return max(kernel, kernel, stride, stride);
    }

    public static Pool2dParams max(int kernelH, int kernelW, int strideH, int strideW) {
        return new Pool2dParams(Mode.MAX, kernelH, kernelW, strideH, strideW, 0, 0, 0, 0, false, false);
    }

    /** Average pooling with a square window and stride, no padding. */
    public static Pool2dParams average(int kernel, int stride) {
        return average(kernel, kernel, stride, stride);
    }

    public static Pool2dParams average(int kernelH, int kernelW, int strideH, int strideW) {
        return new Pool2dParams(Mode.AVERAGE, kernelH, kernelW, strideH, strideW, 0, 0, 0, 0, false, false);
    }

    /** Global average pooling: {@code (N, H, W, C) -> (N, 1, 1, C)}. */
    public static Pool2dParams globalAverage() {
        return new Pool2dParams(Mode.GLOBAL_AVERAGE, 0, 0, 0, 0, 0, 0, 0, 0, false, false);
    }

    /** The same pooling with symmetric padding {@code pad} on every side. */
    public Pool2dParams withPadding(int pad) {
        return withPadding(pad, pad, pad, pad);
    }

    /** The same pooling with the given padding (ONNX {@code pads} order is top, left, bottom, right). */
    public Pool2dParams withPadding(int top, int left, int bottom, int right) {
        return new Pool2dParams(mode, kernelH, kernelW, strideH, strideW, top, left, bottom, right, countIncludePad,
                ceilMode);
    }

    /** The same pooling with ONNX {@code count_include_pad} set. */
    public Pool2dParams withCountIncludePad(boolean include) {
        return new Pool2dParams(mode, kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight,
                include, ceilMode);
    }

    /** The same pooling with ONNX {@code ceil_mode} set: the output size rounds up. */
    public Pool2dParams withCeilMode(boolean ceil) {
        return new Pool2dParams(mode, kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight,
                countIncludePad, ceil);
    }

    /**
     * The output shape {@code (N, OH, OW, C)} for an NHWC input {@code (N, H, W, C)}.
     *
     * @throws IllegalArgumentException when the input is not rank 4
     */
    public Shape outputShape(Shape in) {
        if (in.rank() != 4) {
            throw new IllegalArgumentException("Pooling needs an (N, H, W, C) input, got " + in);
        }
        return Shape.of(in.dim(0), outputHeight(in.dim(1)), outputWidth(in.dim(2)), in.dim(3));
    }

    /**
     * Output height for input height {@code h}: {@code floor((h + pads - kernel) / stride) + 1}, or
     * with {@link #ceilMode} the ceiling, less one when the last window would start in the bottom
     * padding; 1 for global.
     */
    public int outputHeight(int h) {
        return mode == Mode.GLOBAL_AVERAGE ? 1 : outputSize(h, kernelH, strideH, padTop, padBottom);
    }

    /** Output width for input width {@code w}, as {@link #outputHeight}. */
    public int outputWidth(int w) {
        return mode == Mode.GLOBAL_AVERAGE ? 1 : outputSize(w, kernelW, strideW, padLeft, padRight);
    }

    private int outputSize(int in, int kernel, int stride, int begin, int end) {
        int span = in + begin + end - kernel;
        if (!ceilMode) {
            return Math.floorDiv(span, stride) + 1;
        }
        int out = -Math.floorDiv(-span, stride) + 1;
        // ONNX (and PyTorch): the last window starts inside the input or its leading padding
        if (out > 1 && (out - 1) * stride >= in + begin) {
            out--;
        }
        return out;
    }

    @Override
    public String toString() {
        if (mode == Mode.GLOBAL_AVERAGE) {
            return "global_average_pool";
        }
        return (mode == Mode.MAX ? "max_pool " : "average_pool ") + kernelH + "x" + kernelW + " stride " + strideH + "x"
                + strideW + (padTop + padLeft + padBottom + padRight == 0 ? ""
                : " pads(t" + padTop + " l" + padLeft + " b" + padBottom + " r" + padRight + ")")
                + (mode == Mode.AVERAGE && countIncludePad ? " count_include_pad" : "")
                + (ceilMode ? " ceil_mode" : "");
    }
}
