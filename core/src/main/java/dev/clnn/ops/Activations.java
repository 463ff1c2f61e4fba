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
 * kernel; {@link #run} only enqueues. Variants: see {@link ElementwiseMap}.
 *
 * <pre>{@code
 * Activations relu6 = Activations.configure(cl, Activation.RELU6, x.shape());
 * relu6.run(x, y);        // x read, y written; y may be x
 * }</pre>
 */
public final class Activations extends ElementwiseMap<Activation> {
    private static final String OP = "Activations";

    private Activations(ClContext cl, Activation activation, Shape shape, KernelConfig<Variant> config) {
        super(OP + " " + activation, cl, activation, shape, config);
        BuildOptions options = activation.defines(BuildOptions.none()).define("VW", config.vectorWidth());
        KernelSource source = KernelSource.load("activation/activation.cl")
                .withHeader("common/vector.cl").withHeader("common/activation.cl");
        build(source, options, kernelName("activation", config));
    }

    /** Configures {@code activation} for tensors of {@code shape}, with the tuned variant for the device. */
    public static Activations configure(ClContext cl, Activation activation, Shape shape) {
        return configure(cl, activation, shape, tuned(cl));
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
}
