package dev.clnn.onnx;

/**
 * A value computed on the device: the clnn value {@code name}, and whether its data is NHWC (a
 * 4-D ONNX value stored transposed) or in ONNX's own order.
 */
record Val(String name, boolean nhwc) {
}
