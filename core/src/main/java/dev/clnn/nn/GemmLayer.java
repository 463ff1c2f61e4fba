package dev.clnn.nn;

import java.util.List;
import java.util.function.BiConsumer;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.ops.Activation;
import dev.clnn.ops.Gemm;
import dev.clnn.ops.GemmShape;
import dev.clnn.ops.Transpose;
import dev.clnn.ops.TransposeParams;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * What the layers whose linear part is a matrix product share ({@link Dense}, {@link Conv2d}): a
 * kernel seen as the matrix {@code W (K, U)} and a bias {@code (U)}, per-batch workspaces, and both
 * passes. With {@code A (M, K)} the product's left operand (the input, or a convolution's im2col
 * columns) and {@code M} its rows:
 * <pre>
 *   forward    y  = act(A W + b)                 one GEMM, bias and activation in its epilogue
 *   backward   dz = dy * act'(y);  dW = A^T dz;  db = column sums of dz;  dA = dz W^T
 * </pre>
 * On a CPU, when the kernel is wider than the batch's rows ({@code U > M}, a dense layer on a
 * large input), {@code dA} is computed transposed, {@code dA^T = W dz^T}, and transposed back: the
 * CPU GEMM reads W where it lies, where {@code dz W^T} would copy all of W into panels on every
 * step, and the transpose moves only {@code M K} floats.
 *
 * <p>The forward pass runs the fused kernels of the inference operators: {@link #fusedOp} gives
 * {@code ops.Dense} or {@code ops.Conv2d}, used in inference mode always and in training mode
 * whenever A is the input itself. A layer that needs explicit columns for its weight gradient
 * ({@link #explicitColumns()}) writes them in training mode and runs the same GEMM engine on them
 * with the same fused epilogue. The backward pass needs only the output y (the activation's
 * derivative is taken from it) and A.
 *
 * <p>The operators read whole tensors, while the parameters live at offsets of the model's flat
 * {@link ParameterStore}: they are given the parameters' {@link Parameter#view() views}, tensors
 * over regions of the store's value buffer (the store aligns each parameter so that it can be
 * one), and so read the weights where the optimizer writes them, with no copy. A configured
 * operator that packs its weights (most do on a CPU) repacks them only when the store's
 * {@link ParameterStore#version() version} moved since its last pack (an optimizer step, a write,
 * a load). The backward pass reads the kernel and writes both gradients at their offsets of the
 * flat buffers.
 */
abstract class GemmLayer extends LayerBase {
    private final Activation activation;
    private Parameter kernel;
    private Parameter bias;
    private BiasActivation gradient;
    private ColumnSums sums;
    private BatchCache<Step> steps;

    GemmLayer(Activation activation) {
        BiasActivation.requireGradient(activation);
        this.activation = activation;
    }

    public final Activation activation() { return activation; }

    /** The kernel. */
    public final Parameter kernel() { return kernel; }

    /** The bias {@code (U)}. */
    public final Parameter bias() { return bias; }

    @Override
    public final List<Parameter> parameters() {
        return kernel == null ? List.of() : List.of(kernel, bias);
    }

    /**
     * Creates the parameters (kernel Glorot-uniform, bias zero) and the kernels of the backward
     * pass; for {@link #configure}. The kernel's last dimension is the units U.
     */
    final void createParameters(ClContext cl, Shape kernelShape, int fanIn, int fanOut) {
        int units = kernelShape.dim(kernelShape.rank() - 1);
        kernel = new Parameter("kernel", kernelShape, Initializer.glorotUniform(fanIn, fanOut));
        bias = new Parameter("bias", Shape.of(units), Initializer.zeros());
        gradient = new BiasActivation(cl, activation, true);
        sums = new ColumnSums(cl);
        steps = new BatchCache<>(Step::new);
    }

    /** Rows M of the product for a batch of {@code n}. */
    abstract int rows(int n);

    /** The layout of the output tensors. */
    abstract Layout outputLayout();

    /**
     * The inference operator for a batch of {@code n} over the kernel {@code w} and the bias
     * {@code b} (the parameters' views, read in place), with bias and activation fused.
     */
    abstract FusedOp fusedOp(int n, Tensor w, Tensor b);

    /** Whether training writes the im2col columns (then {@link #im2col} and {@link #col2im} apply). */
    boolean explicitColumns() {
        return false;
    }

    /** Writes the columns {@code (M, K)} of the input {@code x} of a batch of {@code n}. */
    void im2col(ClBuffer x, int n, ClBuffer cols) {
        throw new UnsupportedOperationException(this + " reads its input as A");
    }

    /** Accumulates the columns' gradient {@code dcols (M, K)} into the input gradient {@code dx}. */
    void col2im(ClBuffer dcols, int n, ClBuffer dx) {
        throw new UnsupportedOperationException(this + " reads its input as A");
    }

    private int depth() {
        return kernel.size() / units();
    }

    private int units() {
        return bias.shape().dim(0);
    }

    @Override
    public final Tensor forward(Tensor input, boolean training) {
        int n = checkInput(input);
        Step s = steps.get(n);
        long version = kernel.version();
        if (training && explicitColumns()) {
            ClBuffer cols = s.cols();
            im2col(input.buffer(), n, cols);
            Gemm product = s.product();
            ClBuffer w = kernel.view().buffer();
            if (s.productVersion != version) {
                product.repack(w, 0);
                s.productVersion = version;
            }
            product.run(cols, w, bias.view().buffer(), null, s.out.buffer());
            s.a = cols;
        } else {
            FusedOp op = s.op(version);
            if (s.opVersion != version) {
                op.reload().run();
                s.opVersion = version;
            }
            op.run().accept(input, s.out);
            s.a = training ? input.buffer() : null;
        }
        return s.out;
    }

    @Override
    public final Tensor backward(Tensor gradOutput, boolean inputGradient) {
        int n = checkGradient(gradOutput);
        Step s = steps.peek(n);
        if (s == null || s.a == null) {
            throw noForward(this, n);
        }
        int units = units();
        ClBuffer dz = gradOutput.buffer();
        if (!gradient.isIdentity()) {
            gradient.backward(dz, s.out.buffer(), (long) s.m * units, s.dz());
            dz = s.dz();
        }
        s.weightGrad().run(1f, s.a, 0, dz, 0, 0f, kernel.gradients(), kernel.offset());
        sums.run(dz, 0, s.m, units, 1f, 0f, bias.gradients(), bias.offset());
        if (!inputGradient) {
            return null;
        }
        Tensor dx = s.dx();
        ClBuffer da = explicitColumns() ? s.dcols() : dx.buffer();
        if (s.transposedInputGrad()) {
            s.inputGrad().run(1f, kernel.values(), kernel.offset(), dz, 0, 0f, s.daT().buffer(), 0);
            s.transposeBack().run(s.daT(), s.da());
        } else {
            s.inputGrad().run(1f, dz, 0, kernel.values(), kernel.offset(), 0f, da, 0);
        }
        if (explicitColumns()) {
            col2im(da, n, dx.buffer());
        }
        return dx;
    }

    @Override
    final void release() {
        if (steps != null) {
            steps.close();
            closeAll(sums);
        }
    }

    /**
     * A configured forward operator of the {@code ops} package: {@code run(x, y)} enqueues the
     * fused forward pass, {@code reload} repacks the weights after the parameters changed.
     */
    record FusedOp(AutoCloseable op, BiConsumer<Tensor, Tensor> run, Runnable reload)
            implements AutoCloseable {
        @Override
        public void close() {
            closeAll(op);
        }
    }

    /** The tensors, operators and GEMMs of one batch size, each made on first use. */
    private final class Step implements AutoCloseable {
        final int n;
        final int m;
        final Tensor out;
        /** A of the last training forward pass (input or columns); null after an inference pass. */
        ClBuffer a;
        long opVersion = -1;
        long productVersion = -1;
        private FusedOp op;
        private Gemm product;
        private ClBuffer cols;
        private ClBuffer dz;
        private ClBuffer dcols;
        private Gemm weightGrad;
        private Gemm inputGrad;
        private Tensor daT;
        private Tensor da;
        private Transpose transposeBack;
        private Tensor dx;

        Step(int n) {
            this.n = n;
            this.m = rows(n);
            this.out = Tensor.allocate(cl(), batched(n, outputShape()), outputLayout());
        }

        /** The fused operator, made on first use; it packs the weights of store version {@code version} then. */
        FusedOp op(long version) {
            if (op == null) {
                op = fusedOp(n, kernel.view(), bias.view());
                opVersion = version;
            }
            return op;
        }

        /** The forward GEMM over explicit columns, with the operators' fused epilogue. */
        Gemm product() {
            if (product == null) {
                product = Gemm.configure(cl(), GemmShape.of(m, units(), depth()), null,
                        new Gemm.Epilogue(activation, true, null));
            }
            return product;
        }

        ClBuffer cols() {
            if (cols == null) {
                cols = cl().buffer((long) m * depth());
            }
            return cols;
        }

        ClBuffer dz() {
            if (dz == null) {
                dz = cl().buffer((long) m * units());
            }
            return dz;
        }

        ClBuffer dcols() {
            if (dcols == null) {
                dcols = cl().buffer((long) m * depth());
            }
            return dcols;
        }

        Gemm weightGrad() {
            if (weightGrad == null) {
                weightGrad = Gemm.configure(cl(), GemmShape.of(true, false, depth(), units(), m));
            }
            return weightGrad;
        }

        /** Whether dA is computed as {@code (W dz^T)^T} (see the class comment). */
        boolean transposedInputGrad() {
            return cl().device().isCpu() && units() > m;
        }

        /** {@code dA = dz W^T (M, K)}, or {@code dA^T = W dz^T (K, M)} when {@link #transposedInputGrad}. */
        Gemm inputGrad() {
            if (inputGrad == null) {
                inputGrad = Gemm.configure(cl(), transposedInputGrad() ? GemmShape.of(false, true, depth(), m, units())
                        : GemmShape.of(false, true, m, depth(), units()));
            }
            return inputGrad;
        }

        /** {@code dA^T (K, M)}. */
        Tensor daT() {
            if (daT == null) {
                daT = Tensor.allocate(cl(), Shape.of(depth(), m), Layout.ROW_MAJOR);
            }
            return daT;
        }

        /** {@code dA (M, K)}, a view of the columns' gradient or of {@link #dx}, where the transpose writes. */
        Tensor da() {
            if (da == null) {
                ClBuffer buffer = explicitColumns() ? dcols() : dx().buffer();
                da = Tensor.wrap(buffer, Shape.of(m, depth()), Layout.ROW_MAJOR);
            }
            return da;
        }

        Transpose transposeBack() {
            if (transposeBack == null) {
                transposeBack = Transpose.configure(cl(), TransposeParams.of(1, 0), Shape.of(depth(), m));
            }
            return transposeBack;
        }

        Tensor dx() {
            if (dx == null) {
                dx = Tensor.allocate(cl(), batched(n, inputShape()), outputLayout());
            }
            return dx;
        }

        @Override
        public void close() {
            closeAll(op, product, out, cols, dz, dcols, weightGrad, inputGrad, daT, transposeBack, dx);
        }
    }
}
