package dev.clnn.ops;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.KernelSource;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * A standalone element-wise activation, {@code y = f(x)} for any {@link Activation} (ReLU,
 * clip/ReLU6, leaky ReLU, sigmoid, tanh, hard-swish, hard-sigmoid), over a tensor of any shape and
 * layout ({@code kernels/activation/activation.cl}). NaN inputs give NaN outputs.
 *
 * <p>Validate, configure once, run many times: {@link #configure} checks the shape and builds the
 * kernel; {@link #run} only enqueues. Variants:
 * <ul>
 *   <li>{@code GENERAL}: one element per work-item; always correct, any device.</li>
 *   <li>{@code VECTOR}: {@link KernelConfig#vectorWidth()} elements per work-item through vector
 *       loads (CPU: SIMD registers; GPU: 16-byte accesses with width 4).</li>
 * </ul>
 *
 * <pre>{@code
 * Activations relu6 = Activations.configure(cl, Activation.RELU6, x.shape());
 * relu6.run(x, y);        // x read, y written; y may be x
 * }</pre>
 */
public final class Activations extends KernelOp<Activation> {
    private static final String OP = "Activations";

    public enum Variant { GENERAL, VECTOR }

    private final KernelConfig<Variant> config;
    private final int n;

    private Activations(ClContext cl, Activation activation, Shape shape, KernelConfig<Variant> config) {
        super(OP + " " + activation, cl, activation, shape, shape, config);
        this.config = config;
        this.n = OpSupport.elements(op, shape);
        BuildOptions options = activation.defines(BuildOptions.none()).define("VW", config.vectorWidth());
        KernelSource source = KernelSource.load("activation/activation.cl")
                .withHeader("common/vector.cl").withHeader("common/activation.cl");
        String name = config.variant() == Variant.VECTOR ? "activation_vector" : "activation_general";
        build(source, options, name);
    }

    /** Configures {@code activation} for tensors of {@code shape}, with the tuned variant for the device. */
    public static Activations configure(ClContext cl, Activation activation, Shape shape) {
        return configure(cl, activation, shape, KernelConfig.tuned("activation", cl.device(), Variant.class));
    }

    /** Configures with an explicit variant and vector width (tests, tuning). */
    public static Activations configure(ClContext cl, Activation activation, Shape shape,
                                        KernelConfig<Variant> config) {
        if (activation == null || shape == null || config == null) {
            throw new IllegalArgumentException(OP + ": activation, shape and config are required");
        }
        return new Activations(cl, activation, shape, config);
    }

    public Activation activation() { return params(); }

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
        kernel().args(n, x.buffer(), y.buffer());
        launch(config.variant() == Variant.VECTOR ? OpSupport.ceilDiv(n, config.vectorWidth()) : n);
    }
}
