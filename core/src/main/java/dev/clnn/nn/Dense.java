package dev.clnn.nn;

import java.util.List;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.ops.Activation;
import dev.clnn.ops.Gemm;
import dev.clnn.ops.GemmShape;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * A fully connected layer, {@code y = act(x W + b)}: input {@code (n, IN)}, kernel {@code W (IN, OUT)}
 * (Keras' layout), bias {@code (OUT)}, output {@code (n, OUT)}. Kernel initialised Glorot-uniform,
 * bias zero. Forward and backward are GEMMs ({@link Gemm}) plus the bias/activation kernels:
 *
 * <pre>
 *   forward    y  = act(x W + b)
 *   backward   dz = dy * act'(y);  dW = x^T dz;  db = column sums of dz;  dx = dz W^T
 * </pre>
 *
 * <p>Takes a rank-1 input per example; put a {@link Flatten} before it for images.
 */
public final class Dense extends LayerBase {
    private final int units;
    private final Activation activation;
    private Parameter kernel;
    private Parameter bias;
    private BiasActivation epilogue;
    private ColumnSums sums;
    private BatchCache<Step> steps;

    /** A dense layer of {@code units} outputs without activation (logits). */
    public Dense(int units) {
        this(units, Activation.NONE);
    }

    public Dense(int units, Activation activation) {
        if (units < 1) {
            throw new IllegalArgumentException("Dense needs at least one unit, got " + units);
        }
        BiasActivation.requireGradient(activation);
        this.units = units;
        this.activation = activation;
    }

    public int units() { return units; }

    public Activation activation() { return activation; }

    /** The kernel {@code (IN, OUT)}. */
    public Parameter kernel() { return kernel; }

    /** The bias {@code (OUT)}. */
    public Parameter bias() { return bias; }

    @Override
    public String kind() { return "dense"; }

    @Override
    Shape configure(ClContext cl, Shape input) {
        if (input.rank() != 1) {
            throw new IllegalArgumentException("Dense takes a vector per example, got input shape " + input
                    + "; put a Flatten layer before it");
        }
        int in = input.dim(0);
        kernel = new Parameter("kernel", Shape.of(in, units), Initializer.glorotUniform(in, units));
        bias = new Parameter("bias", Shape.of(units), Initializer.zeros());
        epilogue = new BiasActivation(cl, activation, true);
        sums = new ColumnSums(cl);
        steps = new BatchCache<>(Step::new);
        return Shape.of(units);
    }

    @Override
    public List<Parameter> parameters() {
        return kernel == null ? List.of() : List.of(kernel, bias);
    }

    @Override
    public Tensor forward(Tensor input, boolean training) {
        int n = checkInput(input);
        Step s = steps.get(n);
        s.forward.run(1f, input.buffer(), 0, kernel.values(), kernel.offset(), 0f, s.out.buffer(), 0);
        epilogue.forward(s.out.buffer(), bias.values(), bias.offset(), n, units, s.out.buffer());
        s.input = training ? input : null;
        return s.out;
    }

    @Override
    public Tensor backward(Tensor gradOutput, boolean inputGradient) {
        int n = checkGradient(gradOutput);
        Step s = steps.peek(n);
        if (s == null || s.input == null) {
            throw noForward(this, n);
        }
        ClBuffer dz = gradOutput.buffer();
        if (!epilogue.isIdentity()) {
            epilogue.backward(dz, s.out.buffer(), (long) n * units, s.dz());
            dz = s.dz();
        }
        s.weightGrad.run(1f, s.input.buffer(), 0, dz, 0, 0f, kernel.gradients(), kernel.offset());
        sums.run(dz, 0, n, units, 1f, 0f, bias.gradients(), bias.offset());
        if (!inputGradient) {
            return null;
        }
        Tensor dx = s.dx();
        s.inputGrad().run(1f, dz, 0, kernel.values(), kernel.offset(), 0f, dx.buffer(), 0);
        return dx;
    }

    @Override
    void release() {
        if (steps != null) {
            steps.close();
            sums.close();
        }
    }

    @Override
    public String toString() {
        return "Dense(" + units + (activation.kind() == Activation.Kind.NONE ? "" : ", " + activation) + ")";
    }

    /** The tensors and GEMMs of one batch size. */
    private final class Step implements AutoCloseable {
        final int n;
        final Tensor out;
        final Gemm forward;
        final Gemm weightGrad;
        Tensor input;
        private ClBuffer dz;
        private Gemm inputGrad;
        private Tensor dx;

        Step(int n) {
            this.n = n;
            int in = inputShape().dim(0);
            this.out = Tensor.allocate(cl(), Shape.of(n, units), Layout.ROW_MAJOR);
            this.forward = Gemm.configure(cl(), GemmShape.of(n, units, in));
            this.weightGrad = Gemm.configure(cl(), GemmShape.of(true, false, in, units, n));
        }

        ClBuffer dz() {
            if (dz == null) {
                dz = cl().buffer((long) n * units);
            }
            return dz;
        }

        Gemm inputGrad() {
            if (inputGrad == null) {
                inputGrad = Gemm.configure(cl(), GemmShape.of(false, true, n, inputShape().dim(0), units));
            }
            return inputGrad;
        }

        Tensor dx() {
            if (dx == null) {
                dx = Tensor.allocate(cl(), Shape.of(n, inputShape().dim(0)), Layout.ROW_MAJOR);
            }
            return dx;
        }

        @Override
        public void close() {
            closeAll(out, forward, weightGrad, dz, inputGrad, dx);
        }
    }
}
