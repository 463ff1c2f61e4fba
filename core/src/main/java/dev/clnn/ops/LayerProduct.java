package dev.clnn.ops;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * What the operators that compute a layer as one product of the {@link Gemm} family share
 * ({@link Dense}, {@link ScaledPointwise}, {@link SeparableConv}, {@link NormalizedPointwise}): the
 * shapes they were configured for, the weights (packed by the product, re-read by
 * {@link #reloadWeights}) and bias they read but do not own, and the product itself, which they own.
 */
public abstract class LayerProduct extends DeviceOp {
    /** The operator's name in messages. */
    final String op;
    final ClContext cl;
    final Shape input;
    final Shape output;
    final Tensor weights;
    final Tensor bias;
    final Gemm gemm;

    LayerProduct(String op, ClContext cl, Shape input, Shape output, Tensor weights, Tensor bias, Gemm gemm) {
        this.op = op;
        this.cl = cl;
        this.input = input;
        this.output = output;
        this.weights = weights;
        this.bias = bias;
        this.gemm = own(gemm);
    }

    /** The input shape it was configured for. */
    public Shape inputShape() { return input; }

    /** The output shape. */
    public Shape outputShape() { return output; }

    /** The form and parameters of its product. */
    public GemmConfig config() { return gemm.config(); }

    /** Re-reads the weights tensor into the product's packed copy, after its contents changed. Enqueued. */
    public void reloadWeights() {
        ensureOpen();
        gemm.repack(weights.buffer(), 0);
    }

    /** The fused epilogue of a pointwise convolution with {@code params}, adding a bias when one is given. */
    static Gemm.Epilogue epilogue(Conv2dParams params, Tensor bias) {
        return new Gemm.Epilogue(params.activation(), bias != null, params.residual(), params.storage());
    }

    /**
     * The checks of a convolution's run with {@code params} ({@code ConvKernels.checkRun}), and the
     * weights still open.
     */
    final void checkConvRun(Conv2dParams params, Tensor x, Tensor residual, Tensor y) {
        ensureOpen();
        ConvKernels.checkRun(op, cl, input, output, params.residual(), params.storage(), x, residual, y);
        weights.ensureOpen();
    }

    /** The buffer of {@code t}, or null for none (an optional bias or residual). */
    static ClBuffer buffer(Tensor t) {
        return t == null ? null : t.buffer();
    }

    @Override
    protected String describe() {
        return op + " (input " + input + ", output " + output + ")";
    }
}
