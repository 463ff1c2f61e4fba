package dev.clnn.ops;

import java.util.List;

import dev.clnn.tensor.Shape;

/**
 * Parameters of a {@link Concat}: the axis the inputs are joined along (negative counts from the
 * end, as in ONNX {@code Concat}). Immutable.
 *
 * @param axis the joined axis
 */
public record ConcatParams(int axis) {

    public static ConcatParams axis(int axis) {
        return new ConcatParams(axis);
    }

    /**
     * The output shape for inputs of these shapes, in order: the first's, with the joined axis the
     * sum of theirs.
     *
     * @throws IllegalArgumentException when there are no inputs, the axis is out of range, or two
     *                                  inputs differ in rank or in a dimension other than the axis
     */
    public Shape outputShape(List<Shape> inputs) {
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException("Concat " + this + ": at least one input shape is required");
        }
        Shape first = inputs.get(0);
        int rank = first.rank();
        if (axis < -rank || axis >= rank) {
            throw new IllegalArgumentException("Concat " + this + ": axis " + axis
                    + " is out of range for input shape " + first + " (rank " + rank + ")");
        }
        int a = axis < 0 ? axis + rank : axis;
        int total = 0;
        for (Shape s : inputs) {
            if (s.rank() != rank) {
                throw new IllegalArgumentException("Concat " + this + ": input shapes " + first + " and " + s
                        + " differ in rank");
            }
            for (int i = 0; i < rank; i++) {
                if (i != a && s.dim(i) != first.dim(i)) {
                    throw new IllegalArgumentException("Concat " + this + ": input shapes " + first + " and " + s
                            + " differ in dimension " + i + ", which is not the concatenation axis");
                }
            }
            total += s.dim(a);
        }
        return first.with(a, total);
    }

    @Override
    public String toString() {
        return "concat(axis=" + axis + ")";
    }
}
