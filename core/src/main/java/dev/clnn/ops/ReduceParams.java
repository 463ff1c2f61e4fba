package dev.clnn.ops;

import java.util.Arrays;

import dev.clnn.tensor.Shape;

/**
 * Parameters of a {@link Reduce}: what it computes, over which axes (negative counts from the end,
 * as in ONNX), and whether reduced axes stay as dimensions of 1. Immutable.
 *
 * @param mode     the sum, the mean or the L2 norm of the reduced elements
 * @param axes     the reduced axes, at least one, none twice
 * @param keepDims reduced axes stay as dimensions of 1 ({@code keepdims=1}); else they are dropped
 */
public record ReduceParams(Mode mode, int[] axes, boolean keepDims) {

    /**
     * What a reduction computes: the sum, the mean (the kernel scales the sum by 1 / count), or the
     * Euclidean norm, the square root of the sum of squares (ONNX ReduceL2).
     */
    public enum Mode { SUM, MEAN, L2 }

    public ReduceParams {
        if (mode == null || axes == null || axes.length == 0) {
            throw new IllegalArgumentException("Reduce needs a mode and at least one axis, got " + mode + " "
                    + Arrays.toString(axes));
        }
        axes = axes.clone();
    }

    @Override
    public int[] axes() { return axes.clone(); }

    /** Which axes of a rank-{@code rank} tensor are reduced. */
    public boolean[] reduced(int rank) {
        boolean[] r = new boolean[rank];
        for (int a : axes) {
            int k = a < 0 ? a + rank : a;
            if (k < 0 || k >= rank || r[k]) {
                throw new IllegalArgumentException("Reduce axes " + Arrays.toString(axes) + " do not fit rank " + rank
                        + " (out of range or repeated)");
            }
            r[k] = true;
        }
        return r;
    }

    /** The output shape for an input of shape {@code in}. */
    public Shape outputShape(Shape in) {
        boolean[] r = reduced(in.rank());
        int[] out = new int[in.rank()];
        int n = 0;
        for (int k = 0; k < in.rank(); k++) {
            if (!r[k]) {
                out[n++] = in.dim(k);
            } else if (keepDims) {
                out[n++] = 1;
            }
        }
        return Shape.of(Arrays.copyOf(out, n));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReduceParams p && p.mode == mode && Arrays.equals(p.axes, axes) && p.keepDims == keepDims;
    }

    @Override
    public int hashCode() {
        return (mode.hashCode() * 31 + Arrays.hashCode(axes)) * 31 + Boolean.hashCode(keepDims);
    }

    @Override
    public String toString() {
        return "reduce_" + mode.name().toLowerCase(java.util.Locale.ROOT) + "(axes=" + Arrays.toString(axes)
                + (keepDims ? ", keepdims" : "") + ")";
    }
}
