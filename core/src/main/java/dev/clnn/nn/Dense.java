package dev.clnn.nn;

import dev.clnn.cl.ClContext;
import dev.clnn.ops.Activation;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * A fully connected layer, {@code y = act(x W + b)}: input {@code (n, IN)}, kernel {@code W (IN, OUT)}
 * (Keras' layout), bias {@code (OUT)}, output {@code (n, OUT)}. Kernel initialised Glorot-uniform,
 * bias zero. The product's left operand A is the input itself ({@link GemmLayer}):
 *
 * <pre>
 *   forward    y  = act(x W + b)                 ops.Dense, in training and inference mode
 *   backward   dz = dy * act'(y);  dW = x^T dz;  db = column sums of dz;  dx = dz W^T
 * </pre>
 *
 * <p>Takes a rank-1 input per example; put a {@link Flatten} before it for images.
 */
public final class Dense extends GemmLayer {
    private final int units;

    /** A dense layer of {@code units} outputs without activation (logits). */
    public Dense(int units) {
        this(units, Activation.NONE);
    }

    public Dense(int units, Activation activation) {
        super(activation);
        if (units < 1) {
            throw new IllegalArgumentException("Dense needs at least one unit, got " + units);
        }
        this.units = units;
    }

    public int units() { return units; }

    @Override
    public String kind() { return "dense"; }

    @Override
    Shape configure(ClContext cl, Shape input) {
        if (input.rank() != 1) {
            throw new IllegalArgumentException("Dense takes a vector per example, got input shape " + input
                    + "; put a Flatten layer before it");
        }
        int in = input.dim(0);
        createParameters(cl, Shape.of(in, units), in, units);
        return Shape.of(units);
    }

    @Override
    int rows(int n) {
        return n;
    }

    @Override
    Layout outputLayout() {
        return Layout.ROW_MAJOR;
    }

    @Override
    FusedOp fusedOp(int n, Tensor w, Tensor b) {
        dev.clnn.ops.Dense op = dev.clnn.ops.Dense.configure(cl(), Shape.of(n, inputShape().dim(0)), w, b,
                activation());
        return new FusedOp(op, op::run, op::reloadWeights);
    }

    @Override
    public String toString() {
        return "Dense(" + units + (activation().kind() == Activation.Kind.NONE ? "" : ", " + activation()) + ")";
    }
}
