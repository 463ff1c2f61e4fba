package dev.clnn.ops;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.KernelSource;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * Batch normalisation for inference as a standalone op along a channel axis, with an optional fused
 * activation: {@code y = act(gamma * (x - mean) / sqrt(var + eps) + beta)}
 * ({@code kernels/norm/batchnorm.cl}). {@link #configure} folds the statistics into one scale and
 * one shift per channel, computed in double, and uploads them; {@link #run} is then a single
 * multiply-add per element. (Graphs fold BatchNorm into the preceding convolution's weights when
 * they can; this op covers the rest.)
 *
 * <p>Owns a device buffer of {@code 2 * C} floats: close it when done. Variants:
 * {@code GENERAL} (one element per work-item, any axis) and {@code CHANNELS_LAST} (last axis only;
 * {@link KernelConfig#vectorWidth()} channels per work-item).
 *
 * <pre>{@code
 * try (BatchNorm bn = BatchNorm.configure(cl, BatchNormParams.nhwc(1e-3f), x.shape(), gamma, beta, mean, var)) {
 *     bn.run(x, y);       // x read, y written; y may be x
 * }
 * }</pre>
 */
public final class BatchNorm extends KernelOp<BatchNormParams> {
    private static final String OP = "BatchNorm";

    public enum Variant { GENERAL, CHANNELS_LAST }

    private final KernelConfig<Variant> config;
    private final ClBuffer scaleShift;
    private final int channels;
    private final int inner;
    private final int n;

    private BatchNorm(ClContext cl, BatchNormParams params, Shape shape, KernelConfig<Variant> config, int axis,
                      float[] scaleShift) {
        super(OP, cl, params, shape, shape, config);
        this.config = config;
        this.n = OpSupport.elements(OP, shape);
        this.channels = shape.dim(axis);
        int in = 1;
        for (int i = axis + 1; i < shape.rank(); i++) {
            in *= shape.dim(i);
        }
        this.inner = in;
        BuildOptions options = params.activation().defines(BuildOptions.none()).define("VW", config.vectorWidth());
        KernelSource source = KernelSource.load("norm/batchnorm.cl")
                .withHeader("common/vector.cl").withHeader("common/activation.cl");
        build(source, options, config.variant() == Variant.CHANNELS_LAST ? "batchnorm_channels_last" : "batchnorm_general");
        this.scaleShift = own(cl.buffer(scaleShift));
    }

    /**
     * Configures batch normalisation of inputs of {@code shape} with per-channel {@code gamma},
     * {@code beta}, {@code mean} and {@code variance} (each of the channel axis' length; copied),
     * using the tuned variant.
     *
     * @throws IllegalArgumentException when the axis is out of range, an array's length is not the
     *                                  channel count, or a variance plus epsilon is not positive
     */
    public static BatchNorm configure(ClContext cl, BatchNormParams params, Shape shape, float[] gamma, float[] beta,
                                      float[] mean, float[] variance) {
        int axis = axis(params, shape);
        KernelConfig<Variant> tuned = KernelConfig.tuned("batchnorm", cl.device(), Variant.class);
        if (axis != shape.rank() - 1) {
            tuned = tuned.with(Variant.GENERAL);
        }
        return new BatchNorm(cl, params, shape, tuned, axis, fold(params, shape, axis, gamma, beta, mean, variance));
    }

    /** Configures with an explicit variant (tests, tuning); {@code CHANNELS_LAST} needs the last axis. */
    public static BatchNorm configure(ClContext cl, BatchNormParams params, Shape shape, float[] gamma, float[] beta,
                                      float[] mean, float[] variance, KernelConfig<Variant> config) {
        int axis = axis(params, shape);
        if (config.variant() == Variant.CHANNELS_LAST && axis != shape.rank() - 1) {
            throw new IllegalArgumentException(OP + " " + params + ": variant CHANNELS_LAST needs the last axis as"
                    + " the channel axis; input shape " + shape + " has it at " + axis);
        }
        return new BatchNorm(cl, params, shape, config, axis, fold(params, shape, axis, gamma, beta, mean, variance));
    }

    private static int axis(BatchNormParams params, Shape shape) {
        if (params == null || shape == null) {
            throw new IllegalArgumentException(OP + ": params and input shape are required");
        }
        if (params.axis() < -shape.rank() || params.axis() >= shape.rank()) {
            throw new IllegalArgumentException(OP + " " + params + ": channel axis " + params.axis()
                    + " is out of range for input shape " + shape + " (rank " + shape.rank() + ")");
        }
        return shape.axis(params.axis());
    }

    /** scale[0..C) then shift[0..C), in double: scale = gamma / sqrt(var + eps), shift = beta - mean * scale. */
    static float[] fold(BatchNormParams params, Shape shape, int axis, float[] gamma, float[] beta,
                                float[] mean, float[] variance) {
        int c = shape.dim(axis);
        String[] names = {"gamma", "beta", "mean", "variance"};
        float[][] arrays = {gamma, beta, mean, variance};
        for (int k = 0; k < arrays.length; k++) {
            if (arrays[k] == null || arrays[k].length != c) {
                throw new IllegalArgumentException(OP + " " + params + ": " + names[k] + " has "
                        + (arrays[k] == null ? "no" : arrays[k].length) + " values; input shape " + shape
                        + " has " + c + " channels on axis " + axis);
            }
        }
        float[] out = new float[2 * c];
        for (int i = 0; i < c; i++) {
            double denominator = (double) variance[i] + params.epsilon();
            if (!(denominator > 0)) {
                throw new IllegalArgumentException(OP + " " + params + ": variance + epsilon of channel " + i
                        + " is " + denominator + "; it must be positive");
            }
            double scale = gamma[i] / Math.sqrt(denominator);
            out[i] = (float) scale;
            out[c + i] = (float) (beta[i] - mean[i] * scale);
        }
        return out;
    }

    /** The shape of input and output. */
    public Shape shape() { return inputShape(); }

    public KernelConfig<Variant> config() { return config; }

    /**
     * Enqueues the normalisation of {@code x} (read) into {@code y} (written), both of
     * {@link #shape()}; {@code y} may be {@code x}.
     *
     * @throws IllegalArgumentException when a tensor has another shape or lives in another context
     * @throws IllegalStateException    when this op or a tensor was closed
     */
    public void run(Tensor x, Tensor y) {
        if (!checkInPlace(x, y)) {
            return;
        }
        if (config.variant() == Variant.CHANNELS_LAST) {
            int rows = n / channels;
            kernel().args(rows, channels, x.buffer(), scaleShift, y.buffer());
            launch((long) rows * OpSupport.ceilDiv(channels, config.vectorWidth()));
        } else {
            kernel().args(n, channels, inner, x.buffer(), scaleShift, y.buffer());
            launch(n);
        }
    }

}
