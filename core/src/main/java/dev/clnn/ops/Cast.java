package dev.clnn.ops;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.KernelSource;
import dev.clnn.tensor.DType;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * Converts a tensor between fp32 and half-precision storage ({@link DType}), element by element, any
 * shape and layout ({@code kernels/layout/cast.cl}): to {@link DType#FLOAT16} each float is rounded to
 * the nearest half (beyond the half range, about 65504, to infinity); to {@link DType#FLOAT32} exactly.
 * Graphs compiled for half storage cast at their edges and around the operators that compute in fp32
 * only ({@code Passes.storeHalf}); the host reads and writes half tensors through it.
 *
 * <p>Variants and tuning: those of the element-wise maps ({@link ElementwiseMap.Variant}, the table's
 * {@code activation} entry).
 *
 * <pre>{@code
 * try (Cast toHalf = Cast.configure(cl, DType.FLOAT16, x.shape());
 *      Tensor h = Tensor.allocate(cl, x.shape(), x.layout(), DType.FLOAT16)) {
 *     toHalf.run(x, h);       // x (fp32) read, h (half) written
 * }
 * }</pre>
 */
public final class Cast extends KernelOp<DType> {
    private static final String OP = "Cast";

    private final KernelConfig<ElementwiseMap.Variant> config;
    private final int n;

    private Cast(ClContext cl, DType to, Shape shape, KernelConfig<ElementwiseMap.Variant> config) {
        super(OP + " to " + to, cl, to, shape, shape, config);
        this.config = config;
        this.n = OpSupport.elements(OP, shape);
        boolean vector = config.variant() == ElementwiseMap.Variant.VECTOR;
        BuildOptions options = BuildOptions.none().define("VW", vector ? config.vectorWidth() : 1)
                .define("STORE_HALF", 1).define("ACT_ALIGNED", 1);
        build(KernelSource.load("layout/cast.cl").withHeader("common/vector.cl"), options,
                (to == DType.FLOAT16 ? "cast_to_half" : "cast_to_float") + (vector ? "_vector" : "_general"));
    }

    /** Configures a conversion to {@code to} of tensors shaped {@code shape}, with the tuned variant. */
    public static Cast configure(ClContext cl, DType to, Shape shape) {
        return configure(cl, to, shape, KernelConfig.tuned("activation", cl.device(), ElementwiseMap.Variant.class));
    }

    /** Configures with an explicit variant and vector width (tests). */
    public static Cast configure(ClContext cl, DType to, Shape shape, KernelConfig<ElementwiseMap.Variant> config) {
        if (to == null || shape == null || config == null) {
            throw new IllegalArgumentException(OP + ": the target type, shape and config are required");
        }
        return new Cast(cl, to, shape, config);
    }

    /** The type this converts to; the input is of the other one. */
    public DType to() { return params(); }

    /**
     * Enqueues {@code y = x} converted: {@code x} of the other type is read, {@code y} of {@link #to()}
     * written; both have the configured shape and distinct buffers.
     *
     * @throws IllegalArgumentException when a tensor has another shape or type, or they share a buffer
     * @throws IllegalStateException    when this op or a tensor was closed
     */
    public void run(Tensor x, Tensor y) {
        ensureOpen();
        DType from = to() == DType.FLOAT16 ? DType.FLOAT32 : DType.FLOAT16;
        OpSupport.check(op, "input", x, cl, inputShape(), from);
        OpSupport.check(op, "output", y, cl, outputShape(), to());
        OpSupport.distinct(op, x, y);
        if (n == 0) {
            return;
        }
        kernel().args(n, x.buffer(), y.buffer());
        launch(config.variant() == ElementwiseMap.Variant.VECTOR ? OpSupport.ceilDiv(n, config.vectorWidth()) : n);
    }
}
