package dev.clnn.tensor;

/**
 * How a tensor's elements are ordered in memory. Every layout is row-major over its own axis
 * order; the label says what the axes mean.
 *
 * <p>clnn computes activations in {@link #NHWC}: a pointwise (1x1) convolution is then a plain
 * GEMM over contiguous channels, and depthwise kernels load neighbouring channels as vectors —
 * the layout the fastest OpenCL MobileNet runtimes use. {@link #NCHW} is the ONNX and PyTorch
 * convention; models convert at their edges, never between layers.
 */
public enum Layout {
    /** No particular meaning: a plain row-major array (weights, matrices, logits). */
    ROW_MAJOR,
    /** Batch, height, width, channels: clnn's activation layout. */
    NHWC,
    /** Batch, channels, height, width: the ONNX / PyTorch exchange layout. */
    NCHW
}
