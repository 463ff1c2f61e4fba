package dev.clnn.ops;

import dev.clnn.cl.ClContext;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * What the element-wise maps {@code y = f(x)} share ({@link Activations}, {@link Unary}): a tensor
 * of any shape and layout, read and written once, by a kernel of two forms. Variants:
 * <ul>
 *   <li>{@code GENERAL}: one element per work-item; always correct, any device.</li>
 *   <li>{@code VECTOR}: {@link KernelConfig#vectorWidth()} elements per work-item through vector
 *       loads (CPU: SIMD registers; GPU: 16-byte accesses with width 4).</li>
 * </ul>
 * The tuned configuration is the table's {@code activation} entry for both: one memory-bound
 * access pattern. A subclass builds its kernel ({@code PREFIX_general} or {@code PREFIX_vector},
 * arguments {@code n, x, y}) in its constructor.
 *
 * @param <P> what selects the function
 */
public abstract class ElementwiseMap<P> extends KernelOp<P> {
    public enum Variant { GENERAL, VECTOR }

    private final KernelConfig<Variant> config;
    private final int n;

    protected ElementwiseMap(String op, ClContext cl, P params, Shape shape, KernelConfig<Variant> config) {
        super(op, cl, params, shape, shape, config);
        this.config = config;
        this.n = OpSupport.elements(op, shape);
    }

    /** The tuned variant and vector width for {@code cl}'s device. */
    protected static KernelConfig<Variant> tuned(ClContext cl) {
        return KernelConfig.tuned("activation", cl.device(), Variant.class);
    }

    /** The kernel's name for the configured variant: {@code prefix_general} or {@code prefix_vector}. */
    protected static String kernelName(String prefix, KernelConfig<Variant> config) {
        return prefix + (config.variant() == Variant.VECTOR ? "_vector" : "_general");
    }

    /** The shape of both input and output. */
    public Shape shape() { return inputShape(); }

    public KernelConfig<Variant> config() { return config; }

    /**
     * Enqueues {@code y = f(x)}: {@code x} is read, {@code y} written; both have {@link #shape()}.
     * {@code y} may be {@code x} (in place).
     *
     * @throws IllegalArgumentException when a tensor has another shape or lives in another context
     * @throws IllegalStateException    when this op or a tensor was closed
     */
    public void run(Tensor x, Tensor y) {
        if (!checkInPlace(x, y)) {
            return;
        }
        kernel().args(n, x.buffer(), y.buffer());
        launch(config.variant() == Variant.VECTOR ? OpSupport.ceilDiv(n, config.vectorWidth()) : n);
    }
}
