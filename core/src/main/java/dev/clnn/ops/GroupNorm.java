package dev.clnn.ops;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.KernelSource;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * Group normalisation ({@code kernels/norm/groupnorm.cl}): ONNX GroupNormalization, and
 * InstanceNormalization as one group per channel. The channels fall into {@code groups} groups of
 * consecutive channels; each example's group is normalised over its channels and every spatial
 * position, then scaled and shifted per channel.
 *
 * <p>Tensors: {@code (N, ..., C)} channels last (NHWC: {@code channelsLast}), or {@code (N, C, ...)}
 * channels first (ONNX's order, as after the Reshape of PyTorch's exported GroupNorm); the output
 * has the input's shape. Owns a device buffer of the {@code 2 C} scales and shifts: close it when
 * done. On a GPU a work-group reduces each block; on a CPU one work-item does.
 *
 * <pre>{@code
 * try (GroupNorm gn = GroupNorm.configure(cl, 32, true, 1e-5f, Shape.of(1, 56, 56, 256), gamma, beta)) {
 *     gn.run(x, y);       // x read, y written
 * }
 * }</pre>
 */
public final class GroupNorm extends KernelOp<Integer> {
    private static final String OP = "GroupNorm";
    /** Work-items per block on a GPU (a power of two). */
    private static final int GPU_GROUP = 128;

    private final int groups;
    private final int channels;
    private final int spatial;
    private final float epsilon;
    private final int group;
    private final ClBuffer gammaBeta;

    private GroupNorm(ClContext cl, Shape shape, int groups, boolean channelsLast, float epsilon, float[] gb) {
        super(OP + (channelsLast ? " channels last" : " channels first"), cl, groups, shape, shape,
                "groupnorm GROUP=" + group(cl));
        this.groups = groups;
        this.channels = gb.length / 2;
        this.spatial = (int) (shape.size() / Math.max(1, (long) shape.dim(0) * channels));
        this.epsilon = epsilon;
        this.group = group(cl);
        KernelSource source = KernelSource.load("norm/groupnorm.cl").withHeader("common/workgroup.cl");
        build(source, BuildOptions.none().define("GROUP", group).define("CHANNELS_LAST", channelsLast ? 1 : 0),
                "groupnorm");
        this.gammaBeta = own(cl.buffer(gb));
    }

    /** One work-item per block on a CPU (no barriers), a work-group of up to {@link #GPU_GROUP} elsewhere. */
    private static int group(ClContext cl) {
        return cl.device().isCpu() ? 1 : (int) Math.min(GPU_GROUP, Long.highestOneBit(
                Math.max(1, cl.device().maxWorkGroupSize())));
    }

    /**
     * Configures the normalisation of inputs of {@code shape} in {@code groups} groups.
     *
     * @param channelsLast whether the channels are the last dimension (else the second)
     * @param scale        one per channel; copied
     * @param bias         one per channel; copied
     * @throws IllegalArgumentException when the shape has rank below 2 (below 3 channels first), the
     *                                  groups do not divide the channels, the weights do not have one
     *                                  value per channel, or epsilon is negative or not finite
     */
    public static GroupNorm configure(ClContext cl, int groups, boolean channelsLast, float epsilon, Shape shape,
                                      float[] scale, float[] bias) {
        if (shape == null || scale == null || bias == null) {
            throw new IllegalArgumentException(OP + ": shape, scale and bias are required");
        }
        outputShape(shape, groups, channelsLast, scale, bias);
        if (!(epsilon >= 0f) || Float.isInfinite(epsilon)) {
            throw new IllegalArgumentException(OP + ": epsilon must be finite and not negative, got " + epsilon);
        }
        OpSupport.elements(OP, shape);
        int c = scale.length;
        float[] gb = new float[2 * c];
        System.arraycopy(scale, 0, gb, 0, c);
        System.arraycopy(bias, 0, gb, c, c);
        return new GroupNorm(cl, shape, groups, channelsLast, epsilon, gb);
    }

    /**
     * The output shape, {@code shape} itself, of the normalisation in {@code groups} groups with
     * {@code scale.length} and {@code bias.length} weights.
     *
     * @throws IllegalArgumentException when the shape has rank below 2 (below 3 channels first), the
     *                                  groups do not divide the channels, or the weights do not have one
     *                                  value per channel
     */
    public static Shape outputShape(Shape shape, int groups, boolean channelsLast, float[] scale, float[] bias) {
        if (shape.rank() < (channelsLast ? 2 : 3)) {
            throw new IllegalArgumentException(OP + ": input " + shape + " has no spatial dimensions");
        }
        int c = channelsLast ? shape.dim(-1) : shape.dim(1);
        if (groups < 1 || c % groups != 0) {
            throw new IllegalArgumentException(OP + ": " + groups + " groups do not divide the " + c
                    + " channels of " + shape);
        }
        if (scale.length != c || bias.length != c) {
            throw new IllegalArgumentException(OP + ": input " + shape + " needs " + c + " scales and biases, got "
                    + scale.length + " and " + bias.length);
        }
        return shape;
    }

    /** The shape of both input and output. */
    public Shape shape() { return inputShape(); }

    public int groups() { return groups; }

    public float epsilon() { return epsilon; }

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
        if (!checkCopy(x, y)) {
            return;
        }
        kernel().args(groups, channels / groups, spatial, channels, epsilon, x.buffer(), gammaBeta, y.buffer());
        OpSupport.launchGroups(kernel(), (long) shape().dim(0) * groups, group);
    }

}
