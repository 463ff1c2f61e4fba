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
 * <p>Variants and tuning: see {@link ElementwiseMap}.
 *
 * <pre>{@code
 * Unary erf = Unary.configure(cl, UnaryParams.of(UnaryParams.Kind.ERF), x.shape());
 * erf.run(x, y);      // x read, y written; y may be x
 * }</pre>
 */
public final class Unary extends ElementwiseMap<UnaryParams> {
    private static final String OP = "Unary";

    private Unary(ClContext cl, UnaryParams params, Shape shape, KernelConfig<Variant> config) {
        super(OP + " " + params, cl, params, shape, config);
        int vw = config.variant() == Variant.VECTOR ? config.vectorWidth() : 1;
        BuildOptions options = BuildOptions.none().define("VW", vw).define("UNARY", params.kind().code());
        if (params.kind() == UnaryParams.Kind.POW) {
            options = options.define("POWN", params.integerExponent())
                    .define("EXPONENT", floatLiteral(params.exponent()));
        }
        KernelSource source = KernelSource.load("eltwise/unary.cl").withHeader("common/vector.cl");
        build(source, options, kernelName("unary", config));
    }

    /** A finite float as an OpenCL C literal: Float.toString round-trips exactly. */
    private static String floatLiteral(float f) {
        return Float.toString(f).toLowerCase(java.util.Locale.ROOT) + "f";
    }

    /** Configures {@code params} for tensors of {@code shape} with the tuned variant. */
    public static Unary configure(ClContext cl, UnaryParams params, Shape shape) {
        return configure(cl, params, shape, tuned(cl));
    }

    /** Configures with an explicit variant and vector width (tests, tuning). */
    public static Unary configure(ClContext cl, UnaryParams params, Shape shape, KernelConfig<Variant> config) {
        if (params == null || shape == null || config == null) {
            throw new IllegalArgumentException(OP + ": params, shape and config are required");
        }
        return new Unary(cl, params, shape, config);
    }

}
