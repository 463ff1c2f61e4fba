package dev.clnn.ops;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.KernelSource;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * Unary element-wise math, {@code y = f(x)} for a {@link UnaryParams.Kind} (erf, GELU, sqrt,
 * reciprocal, exp, log, neg, abs, pow by a constant), over a tensor of any shape and layout
 * ({@code kernels/eltwise/unary.cl}, one kernel compiled per function). NaN inputs give NaN.
 *
 * <p>Variants: {@code GENERAL} takes one element per work-item; {@code VECTOR} takes
 * {@link KernelConfig#vectorWidth()} elements per work-item through vector loads. The tuned
 * configuration is the table's {@code activation} entry: the same memory-bound access pattern.
 *
 * <pre>{@code
 * Unary erf = Unary.configure(cl, UnaryParams.of(UnaryParams.Kind.ERF), x.shape());
 * erf.run(x, y);      // x read, y written; y may be x
 * }</pre>
 */
public final class Unary extends KernelOp<UnaryParams> {
    private static final String OP = "Unary";

    public enum Variant { GENERAL, VECTOR }

    private final KernelConfig<Variant> config;
    private final int n;

    private Unary(ClContext cl, UnaryParams params, Shape shape, KernelConfig<Variant> config) {
        super(OP + " " + params, cl, params, shape, shape, config);
        this.config = config;
        this.n = OpSupport.elements(op, shape);
        int vw = config.variant() == Variant.VECTOR ? config.vectorWidth() : 1;
        BuildOptions options = BuildOptions.none().define("VW", vw).define("UNARY", params.kind().code());
        if (params.kind() == UnaryParams.Kind.POW) {
            options = options.define("POWN", params.integerExponent())
                    .define("EXPONENT", floatLiteral(params.exponent()));
        }
        KernelSource source = KernelSource.load("eltwise/unary.cl").withHeader("common/vector.cl");
        String name = config.variant() == Variant.VECTOR ? "unary_vector" : "unary_general";
        build(source, options, name);
    }

    /** A finite float as an OpenCL C literal: Float.toString round-trips exactly. */
    private static String floatLiteral(float f) {
        return Float.toString(f).toLowerCase(java.util.Locale.ROOT) + "f";
    }

    /** Configures {@code params} for tensors of {@code shape} with the tuned variant. */
    public static Unary configure(ClContext cl, UnaryParams params, Shape shape) {
        return configure(cl, params, shape, KernelConfig.tuned("activation", cl.device(), Variant.class));
    }

    /** Configures with an explicit variant and vector width (tests, tuning). */
    public static Unary configure(ClContext cl, UnaryParams params, Shape shape, KernelConfig<Variant> config) {
        if (params == null || shape == null || config == null) {
            throw new IllegalArgumentException(OP + ": params, shape and config are required");
        }
        return new Unary(cl, params, shape, config);
    }

    /** The shape of both input and output. */
    public Shape shape() { return inputShape(); }

    public KernelConfig<Variant> config() { return config; }

    /**
     * Enqueues {@code y = f(x)}: {@code x} is read, {@code y} written; both have {@link #shape()}.
     * {@code y} may be {@code x} (in place).
     *
     * @throws IllegalArgumentException when a tensor has another shape or lives in another context
     * @throws IllegalStateException    when a tensor was closed
     */
    public void run(Tensor x, Tensor y) {
        OpSupport.check(op, "input", x, cl, shape());
        OpSupport.check(op, "output", y, cl, shape());
        if (n == 0) {
            return;
        }
        kernel().args(n, x.buffer(), y.buffer());
        launch(config.variant() == Variant.VECTOR ? OpSupport.ceilDiv(n, config.vectorWidth()) : n);
    }
}
