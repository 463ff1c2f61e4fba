package dev.clnn.ops;

import java.util.Locale;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.KernelSource;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * Softmax or log-softmax along any axis of a tensor of any rank, numerically stable: the maximum
 * along the axis is subtracted before exponentiating, so large logits stay finite
 * ({@code kernels/softmax/softmax.cl}).
 *
 * <p>The input is viewed as {@code (outer, n, inner)} with {@code n} the size of the axis. Variants:
 * <ul>
 *   <li>{@code GENERAL}: one work-item per {@code (outer, inner)} pair; any axis, any device.</li>
 *   <li>{@code ROWS}: last axis only; one work-item per row with vector loads of
 *       {@link KernelConfig#vectorWidth()} floats, no local memory (CPU).</li>
 *   <li>{@code ROWS_LOCAL}: last axis only; one work-group of {@link KernelConfig#workGroupSize()}
 *       work-items per row, reductions in local memory (GPU).</li>
 * </ul>
 * The tuned configuration uses its row variant for the last axis and {@code GENERAL} otherwise.
 *
 * <pre>{@code
 * Softmax softmax = Softmax.configure(cl, SoftmaxParams.softmax(-1), logits.shape());
 * softmax.run(logits, probabilities);     // (batch, classes) -> (batch, classes)
 * }</pre>
 */
public final class Softmax extends KernelOp<SoftmaxParams> {
    private static final String OP = "Softmax";

    public enum Variant { GENERAL, ROWS, ROWS_LOCAL }

    private final KernelConfig<Variant> config;
    private final int outer;
    private final int n;
    private final int inner;

    private Softmax(ClContext cl, SoftmaxParams params, Shape shape, KernelConfig<Variant> config, int[] view) {
        super(OP, cl, params, shape, shape, config);
        this.config = config;
        this.outer = view[0];
        this.n = view[1];
        this.inner = view[2];
        BuildOptions options = BuildOptions.none().define("LOG", params.log() ? 1 : 0)
                .define("VW", config.vectorWidth()).define("WG", config.workGroupSize());
        KernelSource source = KernelSource.load("softmax/softmax.cl").withHeader("common/workgroup.cl")
                .withHeader("common/vector.cl");
        build(source, options, "softmax_" + config.variant().name().toLowerCase(Locale.ROOT));
    }

    /**
     * Configures {@code params} for inputs of {@code shape} with the device's tuned variant: its row
     * variant when the axis is the last (inner size 1), else {@code GENERAL}.
     *
     * @throws IllegalArgumentException when the axis is out of range for the shape
     */
    public static Softmax configure(ClContext cl, SoftmaxParams params, Shape shape) {
        int[] view = view(params, shape);
        KernelConfig<Variant> tuned = KernelConfig.tuned("softmax", cl.device(), Variant.class);
        if (view[2] != 1 || tuned.workGroupSize() > cl.device().maxWorkGroupSize()) {
            tuned = tuned.with(Variant.GENERAL);
        } else if (tuned.variant() == Variant.ROWS_LOCAL) {
            // short rows do not need a wide group: idle work-items would only wait at the barriers
            int wg = Math.min(tuned.workGroupSize(), Math.max(32, OpSupport.nextPowerOfTwo(view[1])));
            tuned = KernelConfig.of(Variant.ROWS_LOCAL, tuned.vectorWidth(), wg);
        }
        return new Softmax(cl, params, shape, tuned, view);
    }

    /**
     * Configures with an explicit variant (tests, tuning).
     *
     * @throws IllegalArgumentException when the axis is out of range, a row variant is asked for an
     *                                  axis other than the last, or the work-group is too large
     */
    public static Softmax configure(ClContext cl, SoftmaxParams params, Shape shape, KernelConfig<Variant> config) {
        int[] view = view(params, shape);
        if (config.variant() != Variant.GENERAL && view[2] != 1) {
            throw new IllegalArgumentException(OP + " " + params + ": variant " + config.variant()
                    + " needs the last axis (inner size 1); shape " + shape + " has inner size " + view[2]);
        }
        if (config.variant() == Variant.ROWS_LOCAL) {
            OpSupport.checkWorkGroup(OP, config, cl.device());
        }
        return new Softmax(cl, params, shape, config, view);
    }

    /** {outer, n, inner} for the axis of {@code params} in {@code shape}. */
    private static int[] view(SoftmaxParams params, Shape shape) {
        if (params == null || shape == null) {
            throw new IllegalArgumentException(OP + ": params and shape are required");
        }
        if (shape.rank() == 0 || params.axis() < -shape.rank() || params.axis() >= shape.rank()) {
            throw new IllegalArgumentException(OP + " " + params + ": axis " + params.axis()
                    + " is out of range for input shape " + shape + " (rank " + shape.rank() + ")");
        }
        OpSupport.elements(OP, shape);
        return OpSupport.aroundAxis(shape.dims(), shape.axis(params.axis()));
    }

    /** The shape of input and output. */
    public Shape shape() { return inputShape(); }

    public KernelConfig<Variant> config() { return config; }

    /**
     * Enqueues the softmax of {@code x} into {@code y}, both of {@link #shape()}: {@code x} is read,
     * {@code y} written. {@code y} may be {@code x}.
     *
     * @throws IllegalArgumentException when a tensor has another shape or lives in another context
     * @throws IllegalStateException    when this op or a tensor was closed
     */
    public void run(Tensor x, Tensor y) {
        if (!checkInPlace(x, y)) {
            return;
        }
        switch (config.variant()) {
            case ROWS:
                kernel().args(outer, n, x.buffer(), y.buffer());
                launch(outer);
                return;
            case ROWS_LOCAL:
                kernel().args(n, x.buffer(), y.buffer());
                OpSupport.launchGroups(kernel(), outer, config.workGroupSize());
                return;
            default:
                kernel().args(outer, n, inner, x.buffer(), y.buffer());
                launch((long) outer * inner);
        }
    }
}
