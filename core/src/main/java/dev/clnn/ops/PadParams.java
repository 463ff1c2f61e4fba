package dev.clnn.ops;

import java.util.Arrays;

import dev.clnn.tensor.Shape;

/**
 * Parameters of a {@link Pad}: constant padding before and after each dimension (ONNX {@code Pad},
 * mode {@code constant}). Immutable: the arrays are copied in and out.
 *
 * @param begin elements added before each dimension, outermost first; not negative
 * @param end   elements added after each dimension; as many as {@code begin}
 * @param value the value written into the padding (any float, NaN and infinities included)
 */
public record PadParams(int[] begin, int[] end, float value) {

    public PadParams {
        if (begin == null || end == null || begin.length != end.length) {
            throw new IllegalArgumentException("Pad: begin " + Arrays.toString(begin) + " and end "
                    + Arrays.toString(end) + " must give one pad per dimension each");
        }
        begin = begin.clone();
        end = end.clone();
        for (int i = 0; i < begin.length; i++) {
            if (begin[i] < 0 || end[i] < 0) {
                throw new IllegalArgumentException("Pad: pads must not be negative (cropping is not supported),"
                        + " got begin " + Arrays.toString(begin) + " end " + Arrays.toString(end));
            }
        }
    }

    /** Zero padding. */
    public static PadParams of(int[] begin, int[] end) {
        return new PadParams(begin, end, 0f);
    }

    /** From ONNX {@code pads}: all begins, then all ends ({@code [x1_begin, x2_begin, ..., x1_end, x2_end, ...]}). */
    public static PadParams onnx(int[] pads, float value) {
        if (pads.length % 2 != 0) {
            throw new IllegalArgumentException("Pad: ONNX pads need an even count, got " + Arrays.toString(pads));
        }
        int r = pads.length / 2;
        return new PadParams(Arrays.copyOfRange(pads, 0, r), Arrays.copyOfRange(pads, r, 2 * r), value);
    }

    /** Zero padding of the spatial dimensions of an NHWC tensor. */
    public static PadParams nhwc(int top, int bottom, int left, int right) {
        return new PadParams(new int[] {0, top, left, 0}, new int[] {0, bottom, right, 0}, 0f);
    }

    public int rank() { return begin.length; }

    /**
     * The output shape for an input of shape {@code in}: each dimension grown by its pads.
     *
     * @throws IllegalArgumentException when the input's rank is not the pads'
     */
    public Shape outputShape(Shape in) {
        if (in.rank() != begin.length) {
            throw new IllegalArgumentException("Pad " + this + " needs a rank-" + begin.length + " input, got " + in);
        }
        int[] out = in.dims();
        for (int k = 0; k < out.length; k++) {
            out[k] += begin[k] + end[k];
        }
        return Shape.of(out);
    }

    @Override
    public int[] begin() { return begin.clone(); }

    @Override
    public int[] end() { return end.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof PadParams p && Arrays.equals(begin, p.begin) && Arrays.equals(end, p.end)
                && Float.compare(value, p.value) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(begin) + Arrays.hashCode(end)) + Float.hashCode(value);
    }

    @Override
    public String toString() {
        return "pad(begin=" + Arrays.toString(begin) + " end=" + Arrays.toString(end) + " value=" + value + ")";
    }
}
