package dev.clnn.ops;

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

    @Override
    public String toString() {
        return "concat(axis=" + axis + ")";
    }
}
