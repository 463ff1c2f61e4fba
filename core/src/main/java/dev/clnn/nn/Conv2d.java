package dev.clnn.nn;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.ops.Activation;
import dev.clnn.ops.Conv2dParams;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * A trainable 2-D convolution over NHWC images, {@code y = act(conv(x, W) + b)}: input
 * {@code (n, H, W, C)}, kernel {@code (KH, KW, C, OC)} (HWIO, Keras' layout), bias {@code (OC)},
 * output {@code (n, OH, OW, OC)}. Kernel initialised Glorot-uniform, bias zero.
 *
 * <p>The product of {@link GemmLayer} has {@code M = n*OH*OW} output pixels and {@code K = KH*KW*C}:
 * <pre>
 *   forward    inference:  y = ops.Conv2d(x)                      (the operator's own algorithm)
 *              training:   cols = im2col(x) (M, K);  y = act(cols W + b)   one fused GEMM, (M, OC) = NHWC
 *   backward   dz = dy * act'(y);  dW = cols^T dz;  db = column sums of dz;  dx = col2im(dz W^T)
 * </pre>
 * Training keeps the columns ({@code M*K} floats per batch) for the weight gradient. A 1x1
 * convolution with stride 1 and no padding has no columns (the input already is the matrix) and
 * runs {@code ops.Conv2d} in both modes.
 */
public final class Conv2d extends GemmLayer {
    private final int filters;
    private final int kernelH;
    private final int kernelW;
    private final int stride;
    private final Padding padding;
    private ConvGeometry g;
    private Im2col im2col;

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
        super(activation);
        if (filters < 1 || kernelH < 1 || kernelW < 1 || stride < 1) {
            throw new IllegalArgumentException("Conv2d needs positive filters, kernel size and stride, got filters="
                    + filters + " kernel=" + kernelH + "x" + kernelW + " stride=" + stride);
        }
        this.filters = filters;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.stride = stride;
        this.padding = padding;
    }

    public int filters() { return filters; }

    public int kernelHeight() { return kernelH; }

    public int kernelWidth() { return kernelW; }

    public int stride() { return stride; }

    public Padding padding() { return padding; }

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

    @Override
    public String kind() { return "conv2d"; }

    @Override
    Shape configure(ClContext cl, Shape input) {
        g = ConvGeometry.of(input, filters, kernelH, kernelW, stride, stride, padding);
        createParameters(cl, Shape.of(kernelH, kernelW, g.c(), filters), kernelH * kernelW * g.c(),
                kernelH * kernelW * filters);
        im2col = new Im2col(cl, g);
        return g.outputShape();
    }

    @Override
    int rows(int n) {
        return n * g.oh() * g.ow();
    }

    @Override
    Layout outputLayout() {
        return Layout.NHWC;
    }

    @Override
    FusedOp fusedOp(int n, Tensor w, Tensor b) {
        Conv2dParams p = Conv2dParams.defaults().withStride(stride).withPadding(g.pt(), g.pl(), g.pb(), g.pr())
                .withActivation(activation());
        dev.clnn.ops.Conv2d op = dev.clnn.ops.Conv2d.configure(cl(), p, batched(n, inputShape()), w, b);
        return new FusedOp(op, op::run, op::reloadWeights);
    }

    @Override
    boolean explicitColumns() {
        return !g.pointwise();
    }

    @Override
    void im2col(ClBuffer x, int n, ClBuffer cols) {
        im2col.im2col(x, n, cols);
    }

    @Override
    void col2im(ClBuffer dcols, int n, ClBuffer dx) {
        im2col.col2im(dcols, n, dx);
    }

    @Override
    public String toString() {
        return "Conv2d(" + filters + ", " + kernelH + "x" + kernelW + ", stride " + stride + ", "
                + padding.name().toLowerCase(java.util.Locale.ROOT)
                + (activation().kind() == Activation.Kind.NONE ? "" : ", " + activation()) + ")";
    }
}
