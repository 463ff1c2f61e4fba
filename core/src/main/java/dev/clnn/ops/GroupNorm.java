package dev.clnn.ops;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClKernel;
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
public final class GroupNorm implements AutoCloseable {
    private static final String OP = "GroupNorm";
    /** Work-items per block on a GPU (a power of two). */
    private static final int GPU_GROUP = 128;

    private final ClContext cl;
    private final Shape shape;
    private final int groups;
    private final int channels;
    private final int spatial;
    private final float epsilon;
    private final int group;
    private final ClKernel kernel;
    private final ClBuffer gammaBeta;
    private boolean closed;

    private GroupNorm(ClContext cl, Shape shape, int groups, boolean channelsLast, float epsilon, float[] gb) {
        this.cl = cl;
        this.shape = shape;
        this.groups = groups;
        this.channels = gb.length / 2;
        this.spatial = (int) (shape.size() / Math.max(1, (long) shape.dim(0) * channels));
        this.epsilon = epsilon;
        this.group = cl.device().isCpu() ? 1 : (int) Math.min(GPU_GROUP, Long.highestOneBit(
                Math.max(1, cl.device().maxWorkGroupSize())));
        OpLog.configured(OP + " " + groups + " groups" + (channelsLast ? " (channels last)" : ""), cl, shape,
                "group " + group);
        this.gammaBeta = cl.buffer(gb);
        try {
            this.kernel = cl.kernel("norm/groupnorm.cl", BuildOptions.none().define("GROUP", group)
                    .define("CHANNELS_LAST", channelsLast ? 1 : 0), "groupnorm");
        } catch (RuntimeException e) {
            gammaBeta.close();
            throw e;
        }
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
        if (!(epsilon >= 0f) || Float.isInfinite(epsilon)) {
            throw new IllegalArgumentException(OP + ": epsilon must be finite and not negative, got " + epsilon);
        }
        OpSupport.elements(OP, shape);
        float[] gb = new float[2 * c];
        System.arraycopy(scale, 0, gb, 0, c);
        System.arraycopy(bias, 0, gb, c, c);
        return new GroupNorm(cl, shape, groups, channelsLast, epsilon, gb);
    }

    /** The shape of both input and output. */
    public Shape shape() { return shape; }

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
        OpSupport.ensureOpen(OP, closed);
        if (!OpSupport.checkCopy(OP, cl, x, shape, y, shape)) {
            return;
        }
        kernel.args(groups, channels / groups, spatial, channels, epsilon, x.buffer(), gammaBeta, y.buffer());
        OpSupport.launchGroups(kernel, (long) shape.dim(0) * groups, group);
    }

    @Override
    public String toString() {
        return OP + "(" + groups + " groups, eps " + epsilon + ", " + shape + ")";
    }

    /** Releases the kernel and the scale / bias buffer; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            gammaBeta.close();
            kernel.close();
        }
    }
}
