package dev.clnn.ops;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClKernel;
import dev.clnn.cl.KernelSource;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * What every operator that runs one kernel object shares: its context, parameters, input and
 * output shapes, chosen configuration and kernel, the configuration log record, the checks and
 * launch of {@code run} and {@code toString}; its lifecycle is {@link DeviceOp}'s. A subclass
 * computes what its kernel
 * needs in its constructor, builds the kernel with {@link #build}, and implements {@code run}.
 *
 * @param <P> the operator's parameters (a record, or the value that defines the operator)
 */
public abstract class KernelOp<P> extends DeviceOp {
    /** The operator's name in messages ("Slice", "Unary erf"). */
    protected final String op;
    protected final ClContext cl;
    private final P params;
    private final Shape input;
    private final Shape output;
    private final Object config;
    private ClKernel kernel;

    /**
     * Records the operator and logs its configuration ({@link OpLog}).
     *
     * @param config the chosen {@link KernelConfig}, or a description of the one kernel it has
     */
    protected KernelOp(String op, ClContext cl, P params, Shape input, Shape output, Object config) {
        this.op = op;
        this.cl = cl;
        this.params = params;
        this.input = input;
        this.output = output;
        this.config = config;
        OpLog.configured(op, cl, input, config);
    }

    /** Builds (or takes from the program cache) the kernel {@code name}; called once, by the constructor. */
    protected final ClKernel build(KernelSource source, BuildOptions options, String name) {
        if (kernel != null) {
            throw new IllegalStateException(op + ": kernel already built");
        }
        kernel = own(cl.program(source, options).kernel(name));
        return kernel;
    }

    /** Builds the kernel {@code name} of the kernel file {@code file} (no headers); called once. */
    protected final ClKernel build(String file, BuildOptions options, String name) {
        return build(KernelSource.load(file), options, name);
    }

    /** The kernel object {@link #build} made. */
    protected final ClKernel kernel() {
        return kernel;
    }

    /** Checks a copy-like {@code run(x, y)} ({@link OpSupport#checkCopy}); false when there is nothing to do. */
    protected final boolean checkCopy(Tensor x, Tensor y) {
        ensureOpen();
        return OpSupport.checkCopy(op, cl, x, input, y, output);
    }

    /**
     * Checks a {@code run(x, y)} that may run in place ({@code y} may be {@code x}): both tensors as
     * configured ({@link OpSupport#check}); false when there is nothing to do.
     */
    protected final boolean checkInPlace(Tensor x, Tensor y) {
        ensureOpen();
        OpSupport.check(op, "input", x, cl, input);
        OpSupport.check(op, "output", y, cl, output);
        return output.size() > 0;
    }

    /** Launches the kernel over {@code items} work-items in groups the device likes. */
    protected final void launch(long items) {
        OpSupport.launch(kernel, cl.device(), items);
    }

    public P params() { return params; }

    public Shape inputShape() { return input; }

    public Shape outputShape() { return output; }

    @Override
    public String toString() {
        String shapes = input.equals(output) ? input.toString() : input + " -> " + output;
        return op + "(" + params + ", " + shapes + ", " + config + ")";
    }

    @Override
    protected String describe() {
        return op;
    }
}
