package dev.clnn.ops;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClKernel;
import dev.clnn.cl.KernelSource;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * Layer normalisation over the trailing dimensions from {@code axis} on ({@code kernels/norm/layernorm.cl}):
 * ONNX {@code LayerNormalization}. The input is viewed as {@code (rows, L)} with {@code L} the
 * product of the normalised dimensions; each row is normalised to zero mean and unit variance,
 * then scaled by {@code scale} and shifted by {@code bias} (each {@code L} floats, in the row's
 * order). For an NHWC tensor and {@code axis = -1} that is normalisation over the channels.
 *
 * <p>Owns a device buffer of {@code 2 L} floats: close it when done. Variants: {@code GENERAL} reads
 * one float at a time; {@code VECTOR} reads {@link KernelConfig#vectorWidth()} floats per load
 * (CPU). One work-item normalises one row.
 *
 * <pre>{@code
 * try (LayerNorm ln = LayerNorm.configure(cl, -1, 1e-6f, x.shape(), scale, bias)) {
 *     ln.run(x, y);       // x read, y written
 * }
 * }</pre>
 */
public final class LayerNorm extends DeviceOp {
    private static final String OP = "LayerNorm";

    public enum Variant { GENERAL, VECTOR }

    private final ClContext cl;
    private final Shape shape;
    private final int axis;
    private final float epsilon;
    private final KernelConfig<Variant> config;
    private final ClKernel kernel;
    private final ClBuffer gammaBeta;
    private final int rows;
    private final int len;

    private LayerNorm(ClContext cl, Shape shape, int axis, float epsilon, float[] scale, float[] bias,
                      KernelConfig<Variant> config) {
        this.cl = cl;
        this.shape = shape;
        this.axis = axis;
        this.epsilon = epsilon;
        this.config = config;
        OpLog.configured(OP + " axis " + axis, cl, shape, config);
        this.len = scale.length;
        this.rows = len == 0 ? 0 : (int) (shape.size() / len);
        int vw = config.variant() == Variant.VECTOR ? config.vectorWidth() : 1;
        KernelSource source = KernelSource.load("norm/layernorm.cl").withHeader("common/vector.cl");
        this.kernel = own(cl.program(source, BuildOptions.none().define("VW", vw)).kernel("layernorm_rows"));
        float[] gb = new float[2 * len];
        System.arraycopy(scale, 0, gb, 0, len);
        System.arraycopy(bias, 0, gb, len, len);
        this.gammaBeta = own(cl.buffer(gb.length == 0 ? new float[1] : gb));
    }

    /**
     * Configures normalisation of inputs of {@code shape} over the dimensions from {@code axis}
     * (negative counts from the end; not the batch axis) with {@code scale} and {@code bias} (copied),
     * using the tuned variant.
     *
     * @throws IllegalArgumentException when the axis is out of range or 0, epsilon is negative or not
     *                                  finite, or scale or bias does not have one float per normalised element
     */
    public static LayerNorm configure(ClContext cl, int axis, float epsilon, Shape shape, float[] scale,
                                      float[] bias) {
        return configure(cl, axis, epsilon, shape, scale, bias,
                KernelConfig.tuned("layernorm", cl.device(), Variant.class));
    }

    /** Configures with an explicit variant (tests, tuning); throws as the tuned {@code configure}. */
    public static LayerNorm configure(ClContext cl, int axis, float epsilon, Shape shape, float[] scale, float[] bias,
                                      KernelConfig<Variant> config) {
        if (shape == null || scale == null || bias == null || config == null) {
            throw new IllegalArgumentException(OP + ": shape, scale, bias and config are required");
        }
        outputShape(shape, axis, scale, bias);
        if (!(epsilon >= 0f) || Float.isInfinite(epsilon)) {
            throw new IllegalArgumentException(OP + ": epsilon must be finite and not negative, got " + epsilon);
        }
        OpSupport.elements(OP, shape);
        return new LayerNorm(cl, shape, axis < 0 ? axis + shape.rank() : axis, epsilon, scale, bias, config);
    }

    /**
     * The output shape, {@code shape} itself, of the normalisation over the dimensions from
     * {@code axis} (negative counts from the end; not the batch axis) with {@code scale.length} and
     * {@code bias.length} weights.
     *
     * @throws IllegalArgumentException when the axis is out of range or 0, or scale or bias does not
     *                                  have one float per normalised element
     */
    public static Shape outputShape(Shape shape, int axis, float[] scale, float[] bias) {
        int a = axis < 0 ? axis + shape.rank() : axis;
        if (a < 1 || a >= shape.rank()) {
            throw new IllegalArgumentException(OP + ": axis " + axis + " must name a dimension after the batch of "
                    + shape);
        }
        long len = 1;
        for (int i = a; i < shape.rank(); i++) {
            len *= shape.dim(i);
        }
        if (scale.length != len || bias.length != len) {
            throw new IllegalArgumentException(OP + ": input " + shape + " normalised from axis " + a + " needs "
                    + len + " scales and biases, got " + scale.length + " and " + bias.length);
        }
        return shape;
    }

    /** The shape of both input and output. */
    public Shape shape() { return shape; }

    /** The first normalised dimension (not negative). */
    public int axis() { return axis; }

    public float epsilon() { return epsilon; }

    public KernelConfig<Variant> config() { return config; }

    /**
     * Enqueues the normalisation of {@code x} (read) into {@code y} (written), both of {@link #shape()};
     * they must be different tensors.
     *
     * @throws IllegalArgumentException when a shape differs, they share a buffer, or a tensor lives
     *                                  in another context
     * @throws IllegalStateException    when this op or a tensor was closed
     */
    public void run(Tensor x, Tensor y) {
        ensureOpen();
        OpSupport.check(OP, "input", x, cl, shape);
        OpSupport.check(OP, "output", y, cl, shape);
        OpSupport.distinct(OP, x, y);
        if (rows == 0) {
            return;
        }
        kernel.args(rows, len, epsilon, x.buffer(), gammaBeta, y.buffer());
        OpSupport.launch(kernel, cl.device(), rows);
    }

    @Override
    public String toString() {
        return OP + "(axis " + axis + ", eps " + epsilon + ", " + shape + ", " + config + ")";
    }

    @Override
    protected String describe() {
        return OP;
    }
}
