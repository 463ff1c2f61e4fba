package dev.clnn.nn;

import dev.clnn.cl.ClContext;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/** What every layer shares: the context, the per-example shapes, and the batch-shape checks. */
abstract class LayerBase implements Layer {
    private ClContext cl;
    private Shape inputShape;
    private Shape outputShape;
    private boolean closed;

    @Override
    public final Shape build(ClContext context, Shape input) {
        if (cl != null) {
            throw new IllegalStateException(this + " was already built, for input shape " + inputShape);
        }
        Shape output = configure(context, input);
        this.cl = context;
        this.inputShape = input;
        this.outputShape = output;
        return output;
    }

    /** Checks the input shape, creates parameters and kernels; returns the per-example output shape. */
    abstract Shape configure(ClContext context, Shape input);

    @Override
    public final Shape inputShape() {
        built();
        return inputShape;
    }

    @Override
    public final Shape outputShape() {
        built();
        return outputShape;
    }

    final ClContext cl() {
        built();
        return cl;
    }

    /** The batch size of {@code input}, after checking it is {@code (n, inputShape...)}. */
    final int checkInput(Tensor input) {
        return checkBatch(input, inputShape(), "input");
    }

    /** The batch size of {@code grad}, after checking it is {@code (n, outputShape...)}. */
    final int checkGradient(Tensor grad) {
        return checkBatch(grad, outputShape(), "output gradient");
    }

    private int checkBatch(Tensor t, Shape example, String what) {
        if (closed) {
            throw new IllegalStateException(this + " was closed");
        }
        Shape s = t.shape();
        boolean ok = s.rank() == example.rank() + 1 && s.dim(0) >= 1;
        for (int i = 0; ok && i < example.rank(); i++) {
            ok = s.dim(i + 1) == example.dim(i);
        }
        if (!ok) {
            throw new IllegalArgumentException(this + ": " + what + " must be (n" + dimsSuffix(example)
                    + ") for per-example shape " + example + ", got " + s);
        }
        return s.dim(0);
    }

    /** {@code (n, dims...)}. */
    static Shape batched(int n, Shape example) {
        int[] d = new int[example.rank() + 1];
        d[0] = n;
        for (int i = 0; i < example.rank(); i++) {
            d[i + 1] = example.dim(i);
        }
        return Shape.of(d);
    }

    static IllegalStateException noForward(Layer layer, int n) {
        return new IllegalStateException(layer + ": backward for batch size " + n
                + " without a forward pass of that batch size (training) before it");
    }

    private static String dimsSuffix(Shape s) {
        StringBuilder sb = new StringBuilder();
        for (int d : s.dims()) {
            sb.append(", ").append(d);
        }
        return sb.toString();
    }

    private void built() {
        if (cl == null) {
            throw new IllegalStateException(this + " is not built yet: add it to a Sequential or call build()");
        }
    }

    /** Closes each non-null item; device resources here never throw from close(). */
    static void closeAll(AutoCloseable... items) {
        for (AutoCloseable c : items) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException("Closing " + c + " failed", e);
                }
            }
        }
    }

    /** Frees the layer's workspaces; called once by {@link #close()}. */
    abstract void release();

    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            release();
        }
    }
}
