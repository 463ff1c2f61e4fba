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
 * A trainable 2-D convolution over NHWC images, {@code y = act(conv(x, W) + b)}: input
 * {@code (n, H, W, C)}, kernel {@code (KH, KW, C, OC)} (HWIO, Keras' layout), bias {@code (OC)},
 * output {@code (n, OH, OW, OC)}. Kernel initialised Glorot-uniform, bias zero.
 *
 * <p>Both passes are im2col / col2im plus GEMMs, with {@code M = n*OH*OW} output pixels and
 * {@code K = KH*KW*C}; the columns matrix of the forward pass is kept for the weight gradient:
 * <pre>
 *   forward    cols = im2col(x) (M, K);   y = act(cols W + b)      (M, OC) = NHWC
 *   backward   dz = dy * act'(y);  dW = cols^T dz;  db = column sums of dz;
 *              dx = col2im(dz W^T)
 * </pre>
 * A 1x1 convolution with stride 1 and no padding skips im2col (the input already is the matrix).
 * The columns take {@code M*K} floats per batch; the forward op of the inference path
 * ({@code ops}) is separate and free to use other algorithms.
 */
public final class Conv2d extends LayerBase {
    private final int filters;
    private final int kernelH;
    private final int kernelW;
    private final int stride;
    private final Padding padding;
    private final Activation activation;
    private ConvGeometry g;
    private Parameter kernel;
    private Parameter bias;
    private Im2col im2col;
    private BiasActivation epilogue;
    private ColumnSums sums;
    private BatchCache<Step> steps;

    /** A {@code size x size} convolution, stride 1, valid padding, with {@code activation}. */
    public Conv2d(int filters, int size, Activation activation) {
        this(filters, size, size, 1, Padding.VALID, activation);
    }

    /**
     * @param filters    output channels OC
     * @param kernelH    kernel height KH
     * @param kernelW    kernel width KW
     * @param stride     stride along height and width
     * @param padding    {@link Padding#VALID} or {@link Padding#SAME}
     * @param activation applied after the bias (must have a backward pass)
     */
    public Conv2d(int filters, int kernelH, int kernelW, int stride, Padding padding, Activation activation) {
        if (filters < 1 || kernelH < 1 || kernelW < 1 || stride < 1) {
            throw new IllegalArgumentException("Conv2d needs positive filters, kernel size and stride, got filters="
                    + filters + " kernel=" + kernelH + "x" + kernelW + " stride=" + stride);
        }
        BiasActivation.requireGradient(activation);
        this.filters = filters;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.stride = stride;
        this.padding = padding;
        this.activation = activation;
    }

    public int filters() { return filters; }

    public int kernelHeight() { return kernelH; }

    public int kernelWidth() { return kernelW; }

    public int stride() { return stride; }

    public Padding padding() { return padding; }

    public Activation activation() { return activation; }

    /** Padding actually applied after build: {top, left, bottom, right}. */
    public int[] pads() {
        cl();
        return new int[] {g.pt(), g.pl(), g.pb(), g.pr()};
    }

    /**
     * Padding this layer applies to examples of {@code input} {@code (H, W, C)}: {top, left,
     * bottom, right}; works before {@link #build} (for converting a layer list to a graph).
     */
    public int[] padsFor(Shape input) {
        ConvGeometry geometry = ConvGeometry.of(input, filters, kernelH, kernelW, stride, stride, padding);
        return new int[] {geometry.pt(), geometry.pl(), geometry.pb(), geometry.pr()};
    }

    /** The kernel {@code (KH, KW, C, OC)}. */
    public Parameter kernel() { return kernel; }

    /** The bias {@code (OC)}. */
    public Parameter bias() { return bias; }

    @Override
    public String kind() { return "conv2d"; }

    @Override
    Shape configure(ClContext cl, Shape input) {
        g = ConvGeometry.of(input, filters, kernelH, kernelW, stride, stride, padding);
        kernel = new Parameter("kernel", Shape.of(kernelH, kernelW, g.c(), filters),
                Initializer.glorotUniform(kernelH * kernelW * g.c(), kernelH * kernelW * filters));
        bias = new Parameter("bias", Shape.of(filters), Initializer.zeros());
        im2col = new Im2col(cl, g);
        epilogue = new BiasActivation(cl, activation, true);
        sums = new ColumnSums(cl);
        steps = new BatchCache<>(Step::new);
        return g.outputShape();
    }

    @Override
    public List<Parameter> parameters() {
        return kernel == null ? List.of() : List.of(kernel, bias);
    }

    @Override
    public Tensor forward(Tensor input, boolean training) {
        int n = checkInput(input);
        Step s = steps.get(n);
        ClBuffer cols = input.buffer();
        if (!g.pointwise()) {
            cols = s.cols;
            im2col.im2col(input.buffer(), n, cols);
        }
        s.forward.run(1f, cols, 0, kernel.values(), kernel.offset(), 0f, s.out.buffer(), 0);
        epilogue.forward(s.out.buffer(), bias.values(), bias.offset(), s.m, filters, s.out.buffer());
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
            epilogue.backward(dz, s.out.buffer(), (long) s.m * filters, s.dz());
            dz = s.dz();
        }
        ClBuffer cols = g.pointwise() ? s.input.buffer() : s.cols;
        s.weightGrad.run(1f, cols, 0, dz, 0, 0f, kernel.gradients(), kernel.offset());
        sums.run(dz, 0, s.m, filters, 1f, 0f, bias.gradients(), bias.offset());
        if (!inputGradient) {
            return null;
        }
        Tensor dx = s.dx();
        ClBuffer dcols = g.pointwise() ? dx.buffer() : s.dcols();
        s.inputGrad().run(1f, dz, 0, kernel.values(), kernel.offset(), 0f, dcols, 0);
        if (!g.pointwise()) {
            im2col.col2im(dcols, n, dx.buffer());
        }
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
        return "Conv2d(" + filters + ", " + kernelH + "x" + kernelW + ", stride " + stride + ", "
                + padding.name().toLowerCase(java.util.Locale.ROOT)
                + (activation.kind() == Activation.Kind.NONE ? "" : ", " + activation) + ")";
    }

    /** The tensors and GEMMs of one batch size. */
    private final class Step implements AutoCloseable {
        final int n;
        final int m;
        final ClBuffer cols;
        final Tensor out;
        final Gemm forward;
        final Gemm weightGrad;
        Tensor input;
        private ClBuffer dz;
        private ClBuffer dcols;
        private Gemm inputGrad;
        private Tensor dx;

        Step(int n) {
            this.n = n;
            this.m = n * g.oh() * g.ow();
            this.cols = g.pointwise() ? null : cl().buffer((long) m * g.k());
            this.out = Tensor.allocate(cl(), LayerBase.batched(n, g.outputShape()), Layout.NHWC);
            this.forward = Gemm.configure(cl(), GemmShape.of(m, filters, g.k()));
            this.weightGrad = Gemm.configure(cl(), GemmShape.of(true, false, g.k(), filters, m));
        }

        ClBuffer dz() {
            if (dz == null) {
                dz = cl().buffer((long) m * filters);
            }
            return dz;
        }

        ClBuffer dcols() {
            if (dcols == null) {
                dcols = cl().buffer((long) m * g.k());
            }
            return dcols;
        }

        Gemm inputGrad() {
            if (inputGrad == null) {
                inputGrad = Gemm.configure(cl(), GemmShape.of(false, true, m, g.k(), filters));
            }
            return inputGrad;
        }

        Tensor dx() {
            if (dx == null) {
                dx = Tensor.allocate(cl(), LayerBase.batched(n, inputShape()), Layout.NHWC);
            }
            return dx;
        }

        @Override
        public void close() {
            closeAll(cols, out, forward, weightGrad, dz, dcols, inputGrad, dx);
        }
    }
}
