package dev.clnn.ops;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.KernelSource;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * A strided window of a tensor of rank at most 6 ({@code kernels/layout/slice.cl}): ONNX
 * {@code Slice}, and each output of {@code Split}. Any layout: the window is taken in the tensor's
 * own dimension order (an NHWC channel split slices the last dimension). Exact: elements are only
 * moved.
 *
 * <p>Variants: {@code GENERAL} copies one float per work-item (coalesced); {@code VECTOR} copies
 * {@link KernelConfig#vectorWidth()} floats of the last dimension per work-item, through one vector
 * load when that dimension's step is 1 (CPU).
 *
 * <pre>{@code
 * // the second half of the channels of an NHWC tensor (ShuffleNet v2's channel split)
 * SliceParams half = SliceParams.all(4).withAxis(3, c / 2, c, 1);
 * Slice slice = Slice.configure(cl, half, x.shape());
 * slice.run(x, y);     // x read, y written
 * }</pre>
 */
public final class Slice extends KernelOp<SliceParams> {
    private static final String OP = "Slice";

    /** The highest rank the kernel takes. */
    public static final int MAX_RANK = 6;

    public enum Variant { GENERAL, VECTOR }

    private final KernelConfig<Variant> config;
    private final int[] outDims = new int[MAX_RANK];
    private final int[] strides = new int[MAX_RANK];
    private final int base;
    private final int vw;

    private Slice(ClContext cl, SliceParams params, Shape input, KernelConfig<Variant> config) {
        super(OP, cl, params, input, params.outputShape(input), config);
        this.config = config;
        Shape output = outputShape();
        int[] first = params.first(input);
        int[] steps = params.steps();
        int rank = input.rank();
        int lead = MAX_RANK - rank;
        java.util.Arrays.fill(outDims, 1);
        long stride = 1;
        long b = 0;
        for (int k = rank - 1; k >= 0; k--) {
            outDims[lead + k] = output.dim(k);
            strides[lead + k] = Math.toIntExact(stride * steps[k]);
            b += first[k] * stride;
            stride *= input.dim(k);
        }
        this.base = Math.toIntExact(b);
        this.vw = config.variant() == Variant.VECTOR ? config.vectorWidth() : 1;
        boolean contig = steps[rank - 1] == 1;
        KernelSource source = KernelSource.load("layout/slice.cl").withHeader("common/vector.cl");
        build(source, BuildOptions.none().define("VW", vw).define("CONTIG", contig ? 1 : 0), "slice_copy");
    }

    /**
     * Configures {@code params} for inputs of shape {@code input} with the tuned variant.
     *
     * @throws IllegalArgumentException when the ranks differ, the rank is above {@link #MAX_RANK},
     *                                  or the input has more than {@code Integer.MAX_VALUE} elements
     */
    public static Slice configure(ClContext cl, SliceParams params, Shape input) {
        return configure(cl, params, input, KernelConfig.tuned("slice", cl.device(), Variant.class));
    }

    /** Configures with an explicit variant (tests, tuning); throws as the tuned {@code configure}. */
    public static Slice configure(ClContext cl, SliceParams params, Shape input, KernelConfig<Variant> config) {
        if (params == null || input == null) {
            throw new IllegalArgumentException(OP + ": params and input shape are required");
        }
        if (input.rank() != params.rank() || input.rank() > MAX_RANK) {
            throw new IllegalArgumentException(OP + " " + params + ": input shape " + input + " must have the"
                    + " params' rank " + params.rank() + ", at most " + MAX_RANK);
        }
        OpSupport.elements(OP, input);
        return new Slice(cl, params, input, config);
    }

    public KernelConfig<Variant> config() { return config; }

    /**
     * Enqueues the copy of {@code x}'s window into {@code y}: {@code x} (the configured input shape)
     * is read, {@code y} (the output shape) written; they must be different tensors.
     *
     * @throws IllegalArgumentException when a shape differs from the configured ones, they share a
     *                                  buffer, or one lives in another context
     * @throws IllegalStateException    when a tensor was closed
     */
    public void run(Tensor x, Tensor y) {
        if (!checkCopy(x, y)) {
            return;
        }
        int len = outDims[MAX_RANK - 1];
        int rows = (int) (outputShape().size() / len);
        kernel().args(rows, outDims[1], outDims[2], outDims[3], outDims[4], len, strides[0], strides[1], strides[2],
                strides[3], strides[4], strides[5], base, x.buffer(), y.buffer());
        launch((long) rows * OpSupport.ceilDiv(len, vw));
    }
}
