package dev.clnn.ops;

import java.util.List;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClKernel;
import dev.clnn.cl.KernelSource;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * Concatenation of any number of tensors along any axis ({@code kernels/layout/concat.cl}): the
 * inputs agree on every other dimension; the output's axis is the sum of theirs. One copy kernel is
 * enqueued per input, into its slice of the output. Exact: elements are only moved.
 *
 * <p>Variants: {@code GENERAL} copies one float per work-item (coalesced); {@code VECTOR} copies
 * {@link KernelConfig#vectorWidth()} floats per work-item (CPU).
 *
 * <pre>{@code
 * Concat cat = Concat.configure(cl, ConcatParams.axis(-1), List.of(a.shape(), b.shape()));   // NHWC channels
 * cat.run(List.of(a, b), y);
 * }</pre>
 */
public final class Concat extends DeviceOp {
    private static final String OP = "Concat";

    public enum Variant { GENERAL, VECTOR }

    /**
     * {@code -Dclnn.concatInPlace=off} keeps concatenations as copies; on (the default), a graph's
     * concatenations are written in place by their producers where they can be
     * ({@code Passes.concatenateInPlace}).
     */
    public static final String IN_PLACE_PROPERTY = "clnn.concatInPlace";

    /** Whether {@link #IN_PLACE_PROPERTY} lets producers write concatenations in place. */
    public static boolean inPlace() {
        return OpSupport.switchedOn(IN_PLACE_PROPERTY);
    }

    private final ClContext cl;
    private final ConcatParams params;
    private final List<Shape> inputs;
    private final Shape output;
    private final KernelConfig<Variant> config;
    private final ClKernel kernel;
    private final int outer;
    private final int inner;
    private final int vw;

    private Concat(ClContext cl, ConcatParams params, List<Shape> inputs, Shape output, KernelConfig<Variant> config) {
        this.cl = cl;
        this.params = params;
        this.inputs = List.copyOf(inputs);
        this.config = config;
        int axis = Math.floorMod(params.axis(), output.rank());
        OpLog.configured(OP, cl, inputs + " axis " + axis, config);
        this.output = output;
        OpSupport.elements(OP, output);
        int[] view = OpSupport.aroundAxis(output.dims(), axis);
        this.outer = view[0];
        this.inner = view[2];
        this.vw = config.variant() == Variant.VECTOR ? config.vectorWidth() : 1;
        KernelSource source = KernelSource.load("layout/concat.cl").withHeader("common/vector.cl");
        this.kernel = own(cl.program(source, BuildOptions.none().define("VW", vw)).kernel("concat_copy"));
    }

    /**
     * Configures {@code params} for inputs of the given shapes, in order, with the tuned variant.
     *
     * @throws IllegalArgumentException when there are no inputs, the axis is out of range, or two
     *                                  inputs differ in rank or in a dimension other than the axis
     */
    public static Concat configure(ClContext cl, ConcatParams params, List<Shape> inputs) {
        return configure(cl, params, inputs, KernelConfig.tuned("concat", cl.device(), Variant.class));
    }

    /** Configures with an explicit variant (tests, tuning); throws as the tuned {@code configure}. */
    public static Concat configure(ClContext cl, ConcatParams params, List<Shape> inputs,
                                   KernelConfig<Variant> config) {
        if (params == null || inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException(OP + ": params and at least one input shape are required");
        }
        return new Concat(cl, params, inputs, params.outputShape(inputs), config);
    }

    public ConcatParams params() { return params; }

    /** The input shapes, in order. */
    public List<Shape> inputShapes() { return inputs; }

    public Shape outputShape() { return output; }

    public KernelConfig<Variant> config() { return config; }

    /**
     * Enqueues the concatenation of {@code xs} (read, in the configured order and shapes) into
     * {@code y} (written); no input may share {@code y}'s buffer. A null input's slice of {@code y} is
     * left as it is: its producer writes it in place.
     *
     * @throws IllegalArgumentException when the count or a shape differs from the configured ones,
     *                                  an input shares y's buffer, or a tensor lives in another context
     * @throws IllegalStateException    when this op or a tensor was closed
     */
    public void run(List<Tensor> xs, Tensor y) {
        ensureOpen();
        if (xs == null || xs.size() != inputs.size()) {
            throw new IllegalArgumentException(OP + " " + params + ": configured for " + inputs.size() + " inputs "
                    + inputs + ", got " + (xs == null ? "null" : xs.size()));
        }
        OpSupport.check(OP, "output", y, cl, output);
        for (int i = 0; i < xs.size(); i++) {
            if (xs.get(i) != null) {
                OpSupport.check(OP, "input " + i, xs.get(i), cl, inputs.get(i));
                OpSupport.distinct(OP, xs.get(i), y);
            }
        }
        int dstLen = (int) (output.size() / Math.max(1, outer));
        int offset = 0;
        for (int i = 0; i < xs.size(); i++) {
            Tensor x = xs.get(i);
            int len = outer == 0 ? 0 : (int) (inputs.get(i).size() / outer);
            if (x != null && len > 0) {
                kernel.args(outer, len, dstLen, offset, x.buffer(), y.buffer());
                OpSupport.launch(kernel, cl.device(), (long) outer * OpSupport.ceilDiv(len, vw));
            }
            offset += len;
        }
    }

    @Override
    public String toString() {
        return OP + "(" + params + ", " + inputs + " -> " + output + ", " + config + ")";
    }
}
