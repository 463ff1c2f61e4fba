package dev.clnn.models;

import dev.clnn.tensor.Shape;

/**
 * Where a model builder gets its weights: the seam between a network's structure and its
 * parameters. {@link RandomWeights} initialises them (seeded); a file-backed source (from an ONNX
 * model or a saved checkpoint) returns stored arrays by name.
 */
public interface WeightSource {

    /** What a parameter is, so that a random source can initialise it sensibly. */
    enum Kind {
        /** Convolution or dense kernel; {@code fanIn} inputs feed each output. */
        KERNEL,
        /** A bias: zero-initialised. */
        BIAS,
        /** BatchNorm scale. */
        BN_GAMMA,
        /** BatchNorm shift. */
        BN_BETA,
        /** BatchNorm running mean. */
        BN_MEAN,
        /** BatchNorm running variance (positive). */
        BN_VARIANCE
    }

    /**
     * The parameter {@code name} of {@code shape} (row-major; kernels HWIO, dense {@code (in, out)}).
     *
     * @param fanIn inputs per output for {@link Kind#KERNEL}, else ignored
     * @throws IllegalArgumentException when a stored parameter is missing or has another shape
     */
    float[] get(String name, Shape shape, Kind kind, int fanIn);
}
