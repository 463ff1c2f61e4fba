package dev.clnn.nn;

/** Padding of a convolution, as Keras names it. */
public enum Padding {
    /** No padding: the output holds only windows that fit inside the input, {@code floor((H - KH) / S) + 1} rows. */
    VALID,
    /**
     * Zero padding so that the output has {@code ceil(H / S)} rows; when the total padding is odd
     * the extra row and column go at the bottom and right (Keras, TensorFlow and ONNX SAME_UPPER).
     */
    SAME
}
