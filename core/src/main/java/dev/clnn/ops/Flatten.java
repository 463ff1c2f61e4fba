package dev.clnn.ops;

import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * ONNX {@code Flatten} as a view: {@code (d0, ..., dn) -> (d0 * ... * d(axis-1), d(axis) * ... * dn)}.
 * No kernel and no copy: the result shares the input's buffer (see {@link Tensor#reshape}).
 *
 * <p>NOTE: flattening keeps the memory order. An NHWC activation flattens to {@code (N, H*W*C)}
 * in (h, w, c) order, while ONNX models flatten NCHW in (c, h, w) order; a model imported from ONNX
 * must transpose to NCHW first (or permute the following layer's weights) when H or W exceed 1.
 */
public final class Flatten {
    private Flatten() {
    }

    /**
     * The flattened shape; {@code axis} in {@code [-rank, rank]}, 0 giving {@code (1, size)}.
     *
     * @throws IllegalArgumentException when the axis is out of range
     */
    public static Shape shape(Shape in, int axis) {
        int rank = in.rank();
        if (axis < -rank || axis > rank) {
            throw new IllegalArgumentException("Flatten: axis " + axis + " is out of range for shape " + in
                    + " (rank " + rank + "; -rank..rank allowed)");
        }
        int a = axis < 0 ? axis + rank : axis;
        long outer = 1;
        for (int i = 0; i < a; i++) {
            outer *= in.dim(i);
        }
        long inner = in.size() / Math.max(1, outer);
        if (outer == 0) {
            inner = 1;
            for (int i = a; i < rank; i++) {
                inner *= in.dim(i);
            }
        }
        return Shape.of(Math.toIntExact(outer), Math.toIntExact(inner));
    }

    /** A row-major 2-D view of {@code x}, sharing its buffer; the caller keeps {@code x} open while using it. */
    public static Tensor view(Tensor x, int axis) {
        return x.reshape(shape(x.shape(), axis), Layout.ROW_MAJOR);
    }
}
