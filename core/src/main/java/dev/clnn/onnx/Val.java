package dev.clnn.onnx;

/**
 * A value computed on the device: the clnn value {@code name}, and whether its data is NHWC (a
 * 4-D ONNX value stored transposed) or in ONNX's own order.
 *
 * <p>{@code perm}, when not null, marks a Transpose that moves the batch axis and is not carried
 * out: the ONNX value is {@code name} (in ONNX's order) transposed by {@code perm}. Attention
 * blocks transpose {@code (N, T, 3, heads, d)} by {@code [2, 0, 3, 1, 4]} only to take q, k and v
 * apart along the new first axis; {@link SliceTranslators} and Squeeze follow such a value and
 * carry the transpose out once the batch is first again ({@link NodeContext#valIn} refuses it
 * everywhere else).
 */
record Val(String name, boolean nhwc, int[] perm) {
    Val(String name, boolean nhwc) {
        this(name, nhwc, null);
    }

    /** Whether this is a Transpose not carried out (see the class comment). */
    boolean pending() {
        return perm != null;
    }
}
