package dev.clnn.ops;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.KernelSource;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * 2-D max and average pooling, and global average pooling, over NHWC tensors
 * ({@code kernels/pool/pool2d.cl}, {@code kernels/pool/global_pool.cl}):
 * {@code x (N, H, W, C) -> y (N, OH, OW, C)}, with {@code (N, 1, 1, C)} for global pooling.
 *
 * <p>Variants:
 * <ul>
 *   <li>{@code GENERAL}: one output element per work-item, channel fastest (coalesced); any device.</li>
 *   <li>{@code VECTOR}: {@link KernelConfig#vectorWidth()} channels per work-item through vector
 *       loads (CPU).</li>
 *   <li>{@code LOCAL}: global average only; a work-group per image and block of channels, partial
 *       sums over the pixels added in local memory (GPU).</li>
 * </ul>
 * Windowed pooling takes its tuned configuration from the table's {@code pool2d} entry, global
 * pooling from {@code globalpool}.
 *
 * <pre>{@code
 * Pool2d pool = Pool2d.configure(cl, Pool2dParams.max(2, 2), x.shape());
 * try (Tensor y = Tensor.allocate(cl, pool.outputShape(), Layout.NHWC)) {
 *     pool.run(x, y);     // x read, y written
 * }
 * }</pre>
 */
public final class Pool2d extends KernelOp<Pool2dParams> {
    private static final String OP = "Pool2d";

    public enum Variant { GENERAL, VECTOR, LOCAL }

    /** Channels per work-group of the {@code LOCAL} variant (at most). */
    static final int LOCAL_CHANNELS = 32;

    private final KernelConfig<Variant> config;
    private final int vw;
    private final int tc;

    private Pool2d(ClContext cl, Pool2dParams params, Shape input, KernelConfig<Variant> config) {
        super(OP + " " + params, cl, params, input, params.outputShape(input), config);
        this.config = config;
        this.vw = config.variant() == Variant.VECTOR ? config.vectorWidth() : 1;
        this.tc = Math.min(LOCAL_CHANNELS, config.workGroupSize());
        BuildOptions options = BuildOptions.none().define("VW", vw);
        KernelSource source;
        String name;
        if (params.mode() == Pool2dParams.Mode.GLOBAL_AVERAGE) {
            source = KernelSource.load("pool/global_pool.cl").withHeader("common/vector.cl");
            boolean local = config.variant() == Variant.LOCAL;
            name = local ? "global_avg_pool_local" : "global_avg_pool";
            if (local) {
                options = options.define("WG", config.workGroupSize()).define("TC", tc);
            }
        } else {
            source = KernelSource.load("pool/pool2d.cl").withHeader("common/vector.cl");
            name = "pool2d";
            options = options.define("MAX", params.mode() == Pool2dParams.Mode.MAX ? 1 : 0)
                    .define("KH", params.kernelH()).define("KW", params.kernelW())
                    .define("SH", params.strideH()).define("SW", params.strideW())
                    .define("PT", params.padTop()).define("PL", params.padLeft())
                    .define("PB", params.padBottom()).define("PR", params.padRight())
                    .define("COUNT_PAD", params.countIncludePad() ? 1 : 0);
        }
        build(source, options, name);
    }

    /**
     * Configures {@code params} for NHWC inputs of {@code input} shape with the device's tuned variant.
     *
     * @throws IllegalArgumentException when the input is not rank 4 or the window does not fit the padded input
     */
    public static Pool2d configure(ClContext cl, Pool2dParams params, Shape input) {
        validate(params, input);
        boolean global = params.mode() == Pool2dParams.Mode.GLOBAL_AVERAGE;
        KernelConfig<Variant> tuned = KernelConfig.tuned(global ? "globalpool" : "pool2d", cl.device(), Variant.class);
        if ((tuned.variant() == Variant.LOCAL && !global)
                || tuned.workGroupSize() > cl.device().maxWorkGroupSize()) {
            tuned = tuned.with(Variant.GENERAL);
        }
        return new Pool2d(cl, params, input, tuned);
    }

    /**
     * Configures with an explicit variant (tests, tuning).
     *
     * @throws IllegalArgumentException as {@link #configure(ClContext, Pool2dParams, Shape)}, and when
     *                                  {@code LOCAL} is asked for windowed pooling or its work-group is too large
     */
    public static Pool2d configure(ClContext cl, Pool2dParams params, Shape input, KernelConfig<Variant> config) {
        validate(params, input);
        if (config.variant() == Variant.LOCAL) {
            if (params.mode() != Pool2dParams.Mode.GLOBAL_AVERAGE) {
                throw new IllegalArgumentException(OP + " " + params
                        + ": variant LOCAL is for global average pooling only");
            }
            OpSupport.checkWorkGroup(OP, config, cl.device());
        }
        return new Pool2d(cl, params, input, config);
    }

    private static void validate(Pool2dParams params, Shape input) {
        if (params == null || input == null) {
            throw new IllegalArgumentException(OP + ": params and input shape are required");
        }
        if (input.rank() != 4) {
            throw new IllegalArgumentException(OP + " " + params + ": input shape " + input
                    + " is not rank 4 (N, H, W, C)");
        }
        OpSupport.elements(OP, input);
        if (params.mode() == Pool2dParams.Mode.GLOBAL_AVERAGE) {
            return;
        }
        int ph = input.dim(1) + params.padTop() + params.padBottom();
        int pw = input.dim(2) + params.padLeft() + params.padRight();
        if (params.kernelH() > ph || params.kernelW() > pw) {
            throw new IllegalArgumentException(OP + " " + params + ": window (" + params.kernelH() + ", "
                    + params.kernelW() + ") is larger than the padded input (" + ph + ", " + pw + ") of input shape "
                    + input);
        }
    }

    public KernelConfig<Variant> config() { return config; }

    /**
     * Enqueues the pooling of {@code x} into {@code y}: {@code x} (N, H, W, C) is read, {@code y}
     * (N, OH, OW, C) written. They must be different tensors.
     *
     * @throws IllegalArgumentException when a shape differs from the configured ones, a tensor is
     *                                  labelled NCHW, they share a buffer, or one lives in another context
     * @throws IllegalStateException    when a tensor was closed
     */
    public void run(Tensor x, Tensor y) {
        Shape input = inputShape();
        Shape output = outputShape();
        OpSupport.check(OP, "input", x, cl, input);
        OpSupport.check(OP, "output", y, cl, output);
        if (x.layout() == Layout.NCHW || y.layout() == Layout.NCHW) {
            throw new IllegalArgumentException(OP + ": works on NHWC tensors; input " + x + ", output " + y
                    + " (convert with Transpose.nchwToNhwc)");
        }
        OpSupport.distinct(OP, x, y);
        if (output.size() == 0) {
            return;
        }
        int n = input.dim(0);
        int c = input.dim(3);
        int blocks = OpSupport.ceilDiv(c, vw);
        if (params().mode() != Pool2dParams.Mode.GLOBAL_AVERAGE) {
            kernel().args(n, input.dim(1), input.dim(2), c, output.dim(1), output.dim(2), x.buffer(), y.buffer());
            launch((long) n * output.dim(1) * output.dim(2) * blocks);
        } else if (config.variant() == Variant.LOCAL) {
            kernel().args(input.dim(1) * input.dim(2), c, x.buffer(), y.buffer());
            int rows = config.workGroupSize() / tc;
            kernel().launch(new long[] {(long) OpSupport.ceilDiv(c, tc) * tc, rows, n}, new long[] {tc, rows, 1});
        } else {
            kernel().args(n, input.dim(1) * input.dim(2), c, x.buffer(), y.buffer());
            launch((long) n * blocks);
        }
    }
}
