package dev.clnn.ops;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * Resizes the height and width of an NHWC tensor ({@code kernels/layout/resize.cl}): ONNX Resize,
 * nearest or bilinear, with the coordinate transformations and rounding of {@link ResizeParams}.
 * Upsampling in segmentation and detection heads (FCN, DeepLab, LRASPP, YOLO).
 *
 * <p>Tensors: input {@code x (N, H, W, C)}, output {@code y (N, OH, OW, C)}. The input coordinates
 * of every output row and column are computed once at configure time ({@link ResizeParams#table})
 * and held in a device buffer this op owns: close it when done.
 *
 * <pre>{@code
 * ResizeParams p = ResizeParams.scales(Mode.NEAREST, Coord.ASYMMETRIC, Nearest.FLOOR, 2f, 2f);
 * try (Resize up = Resize.configure(cl, p, Shape.of(1, 20, 20, 256))) {
 *     up.run(x, y);       // (1, 20, 20, 256) read, (1, 40, 40, 256) written
 * }
 * }</pre>
 */
public final class Resize extends KernelOp<ResizeParams> {
    private static final String OP = "Resize";

    private final ClBuffer table;

    private Resize(ClContext cl, ResizeParams params, Shape input, Shape output) {
        super(OP, cl, params, input, output, "resize_nhwc");
        build("layout/resize.cl", BuildOptions.none().define("MODE", params.mode() == ResizeParams.Mode.LINEAR ? 1 : 0),
                "resize_nhwc");
        this.table = own(cl.buffer(tables(params, input, output)));
    }

    /**
     * Configures the resize of inputs of shape {@code input} {@code (N, H, W, C)}.
     *
     * @throws IllegalArgumentException when the input is not 4-D, the output would be empty, or either
     *                                  has 2^31 elements or more
     */
    public static Resize configure(ClContext cl, ResizeParams params, Shape input) {
        if (params == null || input == null) {
            throw new IllegalArgumentException(OP + ": params and input shape are required");
        }
        Shape out = params.outputShape(input);
        OpSupport.elements(OP, input);
        OpSupport.elements(OP, out);
        return new Resize(cl, params, input, out);
    }

    /** The rows' taps then the columns' ({@link ResizeParams#table}), as the kernel reads them. */
    static float[] tables(ResizeParams p, Shape input, Shape output) {
        float[] ty = p.table(input.dim(1), output.dim(1), true);
        float[] tx = p.table(input.dim(2), output.dim(2), false);
        float[] t = new float[ty.length + tx.length];
        System.arraycopy(ty, 0, t, 0, ty.length);
        System.arraycopy(tx, 0, t, ty.length, tx.length);
        return t;
    }

    /**
     * Enqueues the resize of {@code x} (the input shape, read) into {@code y} (the output shape,
     * written); they must not share a buffer.
     *
     * @throws IllegalArgumentException when a shape differs from the configured ones, or they share a buffer
     * @throws IllegalStateException    when this op or a tensor was closed
     */
    public void run(Tensor x, Tensor y) {
        ensureOpen();
        if (!checkCopy(x, y)) {
            return;
        }
        Shape in = inputShape();
        Shape out = outputShape();
        kernel().args((int) out.size(), in.dim(1), in.dim(2), in.dim(3), out.dim(1), out.dim(2), x.buffer(), table,
                y.buffer());
        launch(out.size());
    }

}
