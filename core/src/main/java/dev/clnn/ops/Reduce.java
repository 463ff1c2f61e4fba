package dev.clnn.ops;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.KernelSource;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * The sum or mean over any axes of a tensor of rank up to 6 (ONNX ReduceSum and ReduceMean;
 * {@code kernels/reduce/reduce.cl}): one work-item per output element, in the tensor's own
 * dimension order. A mean over the spatial axes of an NHWC image is {@link Pool2d}'s global
 * average, which reads along the channels and is faster.
 *
 * <pre>{@code
 * Reduce mean = Reduce.configure(cl, new ReduceParams(ReduceParams.Mode.MEAN, new int[] {-1}, true), x.shape());
 * mean.run(x, y);     // (2, 197, 192) -> (2, 197, 1)
 * }</pre>
 */
public final class Reduce extends KernelOp<ReduceParams> {
    private static final String OP = "Reduce";
    private static final int VIEW = 6;

    /** The 6-D view: kept extents, reduced extents, input strides. */
    private final int[] kept = new int[VIEW];
    private final int[] reduced = new int[VIEW];
    private final int[] strides = new int[VIEW];
    private final float scale;

    private Reduce(ClContext cl, ReduceParams params, Shape input) {
        super(OP + " " + params, cl, params, input, params.outputShape(input), "reduce_axes");
        boolean[] r = params.reduced(input.rank());
        int pad = VIEW - input.rank();
        long stride = 1;
        long count = 1;
        for (int k = VIEW - 1; k >= 0; k--) {
            int d = k < pad ? 1 : input.dim(k - pad);
            boolean red = k >= pad && r[k - pad];
            kept[k] = red ? 1 : d;
            reduced[k] = red ? d : 1;
            strides[k] = (int) stride;
            stride *= d;
            count *= reduced[k];
        }
        this.scale = params.mode() == ReduceParams.Mode.MEAN ? (float) (1.0 / count) : 1f;
        KernelSource source = KernelSource.load("reduce/reduce.cl").withHeader("common/vector.cl");
        build(source, BuildOptions.none().define("L2", params.mode() == ReduceParams.Mode.L2 ? 1 : 0), "reduce_axes");
    }

    /**
     * Configures {@code params} for inputs of shape {@code input}.
     *
     * @throws IllegalArgumentException when the rank is above 6 or the axes do not fit it
     */
    public static Reduce configure(ClContext cl, ReduceParams params, Shape input) {
        if (params == null || input == null) {
            throw new IllegalArgumentException(OP + ": params and input shape are required");
        }
        if (input.rank() > VIEW || input.rank() == 0) {
            throw new IllegalArgumentException(OP + " " + params + ": input " + input + " has rank " + input.rank()
                    + "; clnn reduces ranks 1 to " + VIEW);
        }
        params.reduced(input.rank());
        OpSupport.elements(OP, input);
        return new Reduce(cl, params, input);
    }

    /**
     * Enqueues the reduction of {@code x} (the configured input shape, read) into {@code y} (the
     * output shape, written); they must not share a buffer.
     *
     * @throws IllegalArgumentException when a shape differs from the configured ones, or they share a buffer
     * @throws IllegalStateException    when a tensor was closed
     */
    public void run(Tensor x, Tensor y) {
        if (!checkCopy(x, y)) {
            return;
        }
        int outputs = (int) outputShape().size();
        kernel().args(outputs, kept[1], kept[2], kept[3], kept[4], kept[5], reduced[0], reduced[1], reduced[2],
                reduced[3], reduced[4], reduced[5], strides[0], strides[1], strides[2], strides[3], strides[4],
                strides[5], scale, x.buffer(), y.buffer());
        launch(outputs);
    }
}
