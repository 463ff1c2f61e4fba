package dev.clnn.ops;

import java.util.ArrayList;
import java.util.List;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClKernel;
import dev.clnn.cl.KernelSource;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * Binary element-wise add, subtract, multiply or divide with NumPy / ONNX multidirectional
 * broadcasting and an optional fused activation: {@code y = act(a op b)}
 * ({@code kernels/eltwise/binary.cl}). Layout-agnostic: shapes are aligned at their last dimension,
 * so a per-channel operand of an NHWC tensor is {@code (C)} or {@code (1, 1, 1, C)}.
 *
 * <p>Variants:
 * <ul>
 *   <li>{@code GENERAL}: any broadcast (up to 8 dimensions after folding); one element per work-item.</li>
 *   <li>{@code SAME}: no broadcasting; {@link KernelConfig#vectorWidth()} elements per work-item.</li>
 *   <li>{@code BROADCAST}: one operand full, the other repeated along one run of dimensions (a
 *       scalar, per-channel, per-image); no index decomposition beyond one division.</li>
 * </ul>
 * The tuned configuration takes the fastest variant that applies to the shapes (the table's
 * {@code eltwise} entry gives the vector width; {@code variant=general} forces the general kernel).
 *
 * <pre>{@code
 * ElementwiseParams addRelu = ElementwiseParams.add().with(Activation.RELU);
 * Elementwise residual = Elementwise.configure(cl, addRelu, x.shape(), skip.shape());
 * residual.run(x, skip, y);   // x and skip read, y written; y may be x
 * }</pre>
 */
public final class Elementwise extends DeviceOp {
    private static final String OP = "Elementwise";

    public enum Variant { GENERAL, SAME, BROADCAST }

    private final ClContext cl;
    private final ElementwiseParams params;
    private final Broadcast shapes;
    private final KernelConfig<Variant> config;
    private final ClKernel kernel;
    private final int n;
    /** BROADCAST: {outer, mid, inner} and whether a is the full operand. */
    private final int[] view;
    private final boolean aFull;
    /** BROADCAST with inner a multiple of the vector width: a vector of elements per work-item. */
    private final boolean vectors;

    private Elementwise(ClContext cl, ElementwiseParams params, Broadcast shapes, KernelConfig<Variant> config) {
        this.cl = cl;
        this.params = params;
        this.shapes = shapes;
        this.config = config;
        OpLog.configured(name(params), cl, shapes.out, config);
        this.n = OpSupport.elements(name(params), shapes.out);
        this.aFull = shapes.view(true) != null;
        this.view = aFull ? shapes.view(true) : shapes.view(false);
        BuildOptions options = params.activation().defines(BuildOptions.none())
                .define("OP", params.op().code()).define("VW", config.vectorWidth());
        KernelSource source = KernelSource.load("eltwise/binary.cl")
                .withHeader("common/vector.cl").withHeader("common/activation.cl");
        this.vectors = config.variant() == Variant.BROADCAST && config.vectorWidth() > 1
                && view[2] % config.vectorWidth() == 0;
        String kernelName = config.variant() == Variant.SAME ? "binary_same"
                : config.variant() == Variant.BROADCAST ? (vectors ? "binary_broadcast_vector" : "binary_broadcast")
                : "binary_general";
        this.kernel = own(cl.program(source, options).kernel(kernelName));
    }

    /**
     * Configures {@code params} for operands of shapes {@code a} and {@code b}, with the fastest
     * variant that applies and the device's tuned vector width.
     *
     * @throws IllegalArgumentException naming the operation and both shapes when they do not broadcast
     */
    public static Elementwise configure(ClContext cl, ElementwiseParams params, Shape a, Shape b) {
        Broadcast shapes = broadcast(params, a, b);
        KernelConfig<Variant> tuned = KernelConfig.tuned("eltwise", cl.device(), Variant.class);
        Variant v = Variant.GENERAL;
        if (tuned.variant() != Variant.GENERAL) {
            v = shapes.same() ? Variant.SAME
                    : shapes.view(true) != null || shapes.view(false) != null ? Variant.BROADCAST : Variant.GENERAL;
        }
        return create(cl, params, shapes, tuned.with(v));
    }

    /**
     * Configures with an explicit variant (tests, tuning).
     *
     * @throws IllegalArgumentException when the shapes do not broadcast or the variant does not apply to them
     */
    public static Elementwise configure(ClContext cl, ElementwiseParams params, Shape a, Shape b,
                                        KernelConfig<Variant> config) {
        Broadcast shapes = broadcast(params, a, b);
        if (!applies(config.variant(), shapes)) {
            throw new IllegalArgumentException(name(params) + ": variant " + config.variant()
                    + " does not apply to shapes " + a + " and " + b);
        }
        return create(cl, params, shapes, config);
    }

    private static Elementwise create(ClContext cl, ElementwiseParams params, Broadcast shapes,
                                      KernelConfig<Variant> config) {
        if (params.op() == ElementwiseParams.Op.EQUAL && config.vectorWidth() != 1) {
            // a comparison picks 1 or 0 per float: binary.cl runs it one float at a time
            config = KernelConfig.of(config.variant(), 1, config.workGroupSize());
        }
        if (config.variant() == Variant.GENERAL && shapes.dims.length > Broadcast.MAX_RANK) {
            throw new IllegalArgumentException(name(params) + ": shapes " + shapes.a + " and " + shapes.b
                    + " fold to " + shapes.dims.length + " broadcast dimensions; at most " + Broadcast.MAX_RANK
                    + " are supported");
        }
        return new Elementwise(cl, params, shapes, config);
    }

    private static Broadcast broadcast(ElementwiseParams params, Shape a, Shape b) {
        if (params == null || a == null || b == null) {
            throw new IllegalArgumentException(OP + ": params and both shapes are required");
        }
        return Broadcast.of(name(params), a, b);
    }

    /** Whether {@code variant} can run operands of shapes {@code a} and {@code b} (which must broadcast). */
    public static boolean applies(Variant variant, Shape a, Shape b) {
        return applies(variant, Broadcast.of(OP, a, b));
    }

    private static boolean applies(Variant variant, Broadcast shapes) {
        switch (variant) {
            case SAME: return shapes.same();
            case BROADCAST: return shapes.view(true) != null || shapes.view(false) != null;
            default: return true;
        }
    }

    /**
     * The NumPy / ONNX broadcast of two shapes.
     *
     * @throws IllegalArgumentException naming both shapes when they do not broadcast
     */
    public static Shape broadcastShape(Shape a, Shape b) {
        return Broadcast.shape(OP, a, b);
    }

    private static String name(ElementwiseParams params) {
        return OP + " " + params;
    }

    public ElementwiseParams params() { return params; }

    public Shape shapeA() { return shapes.a; }

    public Shape shapeB() { return shapes.b; }

    /** The broadcast output shape. */
    public Shape outputShape() { return shapes.out; }

    public KernelConfig<Variant> config() { return config; }

    /**
     * Enqueues {@code y = act(a op b)}: {@code a} and {@code b} are read, {@code y} (of
     * {@link #outputShape()}) written. {@code y} may be an operand that has the output's shape.
     *
     * @throws IllegalArgumentException when a shape differs from the configured ones, {@code y}
     *                                  shares a buffer with a broadcast operand, or a tensor lives in another context
     * @throws IllegalStateException    when this op or a tensor was closed
     */
    public void run(Tensor a, Tensor b, Tensor y) {
        ensureOpen();
        String op = name(params);
        OpSupport.check(op, "operand a", a, cl, shapes.a);
        OpSupport.check(op, "operand b", b, cl, shapes.b);
        OpSupport.check(op, "output", y, cl, shapes.out);
        for (Tensor t : new Tensor[] {a, b}) {
            if (t.buffer() == y.buffer() && t.shape().size() != shapes.out.size()) {
                throw new IllegalArgumentException(op + ": output " + y.shape() + " shares a buffer with operand "
                        + t.shape() + ", which is broadcast; write to another tensor");
            }
        }
        if (n == 0) {
            return;
        }
        switch (config.variant()) {
            case SAME:
                kernel.args(n, a.buffer(), b.buffer(), y.buffer());
                OpSupport.launch(kernel, cl.device(), OpSupport.ceilDiv(n, config.vectorWidth()));
                return;
            case BROADCAST:
                kernel.args(view[0], view[1], view[2], aFull ? 0 : 1, aFull ? a.buffer() : b.buffer(),
                        aFull ? b.buffer() : a.buffer(), y.buffer());
                OpSupport.launch(kernel, cl.device(), vectors ? n / config.vectorWidth() : n);
                return;
            default:
                kernel.args(generalArgs(a, b, y));
                OpSupport.launch(kernel, cl.device(), n);
        }
    }

    private Object[] generalArgs(Tensor a, Tensor b, Tensor y) {
        int pad = Broadcast.MAX_RANK - shapes.dims.length;
        int[] sa = shapes.strides(true);
        int[] sb = shapes.strides(false);
        List<Object> args = new ArrayList<>();
        args.add(n);
        for (int k = 0; k < Broadcast.MAX_RANK; k++) {
            args.add(k < pad ? 1 : shapes.dims[k - pad]);
        }
        for (int[] s : new int[][] {sa, sb}) {
            for (int k = 0; k < Broadcast.MAX_RANK; k++) {
                args.add(k < pad ? 0 : s[k - pad]);
            }
        }
        args.add(a.buffer());
        args.add(b.buffer());
        args.add(y.buffer());
        return args.toArray();
    }

    @Override
    public String toString() {
        return name(params) + "(" + shapes.a + ", " + shapes.b + " -> " + shapes.out + ", " + config + ")";
    }
}
