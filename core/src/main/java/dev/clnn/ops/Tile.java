package dev.clnn.ops;

import java.util.Arrays;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClKernel;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * Repeats a tensor of rank up to 6 along each dimension (ONNX Tile; ONNX Expand is the repetition of
 * dimensions of size 1): output dimension {@code k} is {@code input.dim(k) * repeats[k]}
 * ({@code kernels/layout/tile.cl}).
 *
 * <pre>{@code
 * Tile tile = Tile.configure(cl, new int[] {1, 3, 1}, Shape.of(2, 1, 64));
 * tile.run(token, tokens);     // (2, 1, 64) -> (2, 3, 64)
 * }</pre>
 */
public final class Tile extends DeviceOp {
    private static final String OP = "Tile";
    private static final int VIEW = 6;

    private final ClContext cl;
    private final int[] repeats;
    private final Shape input;
    private final Shape output;
    private final ClKernel kernel;

    private Tile(ClContext cl, int[] repeats, Shape input, Shape output) {
        this.cl = cl;
        this.repeats = repeats;
        this.input = input;
        this.output = output;
        OpLog.configured(OP + " " + Arrays.toString(repeats), cl, input, "tile_copy");
        this.kernel = own(cl.kernel("layout/tile.cl", BuildOptions.none(), "tile_copy"));
    }

    /**
     * Configures the repetition of inputs of shape {@code input} by {@code repeats} (one per dimension).
     *
     * @throws IllegalArgumentException when the counts do not fit the shape, one is negative, or the
     *                                  rank is above 6
     */
    public static Tile configure(ClContext cl, int[] repeats, Shape input) {
        if (repeats == null || input == null) {
            throw new IllegalArgumentException(OP + ": repeats and input shape are required");
        }
        Shape out = outputShape(repeats, input);
        if (input.rank() > VIEW || input.rank() == 0) {
            throw new IllegalArgumentException(OP + ": input " + input + " has rank " + input.rank()
                    + "; clnn repeats ranks 1 to " + VIEW);
        }
        OpSupport.elements(OP, out);
        return new Tile(cl, repeats.clone(), input, out);
    }

    /** The output shape: {@code input.dim(k) * repeats[k]}. */
    public static Shape outputShape(int[] repeats, Shape input) {
        if (repeats.length != input.rank()) {
            throw new IllegalArgumentException(OP + ": " + repeats.length + " repeat counts "
                    + Arrays.toString(repeats) + " for input " + input + " of rank " + input.rank());
        }
        int[] out = new int[repeats.length];
        for (int k = 0; k < out.length; k++) {
            if (repeats[k] < 0) {
                throw new IllegalArgumentException(OP + ": negative repeat count in " + Arrays.toString(repeats));
            }
            out[k] = Math.multiplyExact(input.dim(k), repeats[k]);
        }
        return Shape.of(out);
    }

    public Shape inputShape() { return input; }

    public Shape outputShape() { return output; }

    /** The repeat counts, one per dimension (a copy). */
    public int[] repeats() { return repeats.clone(); }

    /**
     * Enqueues the repetition of {@code x} (the input shape, read) into {@code y} (the output shape,
     * written); they must not share a buffer.
     *
     * @throws IllegalArgumentException when a shape differs from the configured ones, or they share a buffer
     * @throws IllegalStateException    when this op or a tensor was closed
     */
    public void run(Tensor x, Tensor y) {
        ensureOpen();
        if (!OpSupport.checkCopy(OP, cl, x, input, y, output)) {
            return;
        }
        int n = (int) output.size();
        Object[] args = new Object[3 * VIEW + 3];
        args[0] = n;
        int pad = VIEW - input.rank();
        int stride = 1;
        for (int k = VIEW - 1; k >= 0; k--) {
            int in = k < pad ? 1 : input.dim(k - pad);
            args[1 + k] = k < pad ? 1 : output.dim(k - pad);
            args[1 + VIEW + k] = in;
            args[1 + 2 * VIEW + k] = stride;
            stride *= in;
        }
        args[3 * VIEW + 1] = x.buffer();
        args[3 * VIEW + 2] = y.buffer();
        kernel.args(args);
        OpSupport.launch(kernel, cl.device(), n);
    }

    @Override
    public String toString() {
        return OP + "(" + Arrays.toString(repeats) + ", " + input + " -> " + output + ")";
    }
}
