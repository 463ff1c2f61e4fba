package dev.clnn.ops;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * A batch normalisation and its activation, then the pointwise convolution that alone reads them, as
 * one kernel: {@code y = act2(act1(x * s + t) W + bias [+ residual])} with {@code s} and {@code t} the
 * normalisation's scale and shift per channel. This is the pre-activation of DenseNet (and of
 * pre-activation ResNets): the normalisation reads a concatenation that other layers read raw, so it
 * cannot be folded into the convolution that produced its input, and its activation keeps it out of
 * the weights of the one after. The normalised activations are never stored: the GEMM family
 * ({@code A_NORM}) normalises and activates each element of A as it reads it (the CPU form a run of
 * vectors at a time, the others as they load it), which saves a kernel launch and two passes over
 * the activations.
 *
 * <p>Tensors: input {@code x (N, H, W, Cx)} NHWC, of which the first {@code C <= Cx} channels are read
 * (all of them, or a concatenation's first inputs when later layers write their channels of the same
 * tensor in place); weights {@code (1, 1, C, Cout)} and bias {@code (Cout)} or none; output and
 * residual {@code (N, H, W, Cout)}. The normalisation's statistics are folded into a
 * scale and a shift on the host at configure time (in double), as {@link BatchNorm} does; its
 * activation must be none, ReLU or a clip. The graph pass that forms it ({@code Passes.optimize(graph,
 * device)}) asks {@link #runsOn}. Configure once, run many times, as every operator.
 */
public final class NormalizedPointwise extends LayerProduct {
    private static final String OP = "NormalizedPointwise";
    /** {@code -Dclnn.fuseNorms=off} keeps the normalisation a kernel of its own (to compare). */
    public static final String PROPERTY = "clnn.fuseNorms";

    private final Conv2dParams params;
    private final ClBuffer scaleShift;

    private NormalizedPointwise(ClContext cl, BatchNormParams norm, float[] scaleShift, Conv2dParams params,
                                Shape input, Shape output, Tensor weights, Tensor bias, GemmConfig config) {
        super(OP, cl, input, output, weights, bias, product(cl, norm, params, input, output, weights, bias, config));
        this.params = params;
        this.scaleShift = own(cl.buffer(scaleShift));
    }

    private static Gemm product(ClContext cl, BatchNormParams norm, Conv2dParams params, Shape input, Shape output,
                                Tensor weights, Tensor bias, GemmConfig config) {
        OpLog.configured(OP, cl, input + " " + norm + " weights " + weights.shape() + " " + params, config);
        int k = weights.shape().dim(2);     // the first k of the input's channels, rows input.dim(3) floats apart
        GemmShape shape = new GemmShape(false, false, output.dim(0) * output.dim(1) * output.dim(2), output.dim(3), k,
                input.dim(3), output.dim(3), output.dim(3));
        return Gemm.configure(cl, shape, config, Gemm.Seams.normalized(epilogue(params, bias), norm.activation()));
    }

    /**
     * Whether {@code device} folds a normalisation into the pointwise convolution after it: unless
     * {@code -Dclnn.fuseNorms} is {@code off}, every device (each form of the GEMM reads a normalised A).
     */
    public static boolean runsOn(ClDevice device) {
        return OpSupport.switchedOn(PROPERTY);
    }

    /**
     * Whether a normalisation activated by {@code activation}, then a convolution with {@code params} and
     * weights shaped {@code weights}, is what this operator computes: a pointwise convolution, and none,
     * ReLU or a clip.
     */
    public static boolean fits(Activation activation, Conv2dParams params, Shape weights) {
        return Gemm.Depthwise.takes(activation) && weights.rank() == 4 && params.isPointwise(weights);
    }

    /**
     * Configures the normalisation and convolution for inputs shaped {@code input}, of which the first
     * {@code C} channels (the weights' input channels) are read.
     *
     * @param norm     the normalisation's epsilon and activation (its axis must be the last, NHWC's)
     * @param gamma    its scale per channel {@code (C)}; {@code beta}, {@code mean} and {@code variance}
     *                 likewise; copied
     * @param weights  {@code (1, 1, C, Cout)}; read, not owned
     * @param bias     {@code (Cout)}, or null; read, not owned
     * @throws IllegalArgumentException when the convolution is not pointwise, the activation is not one
     *                                  the kernel applies, the shapes do not fit, or a variance plus
     *                                  epsilon is not positive
     */
    public static NormalizedPointwise configure(ClContext cl, BatchNormParams norm, float[] gamma, float[] beta,
                                                float[] mean, float[] variance, Conv2dParams params, Shape input,
                                                Tensor weights, Tensor bias) {
        Shape out = validate(cl, norm, params, input, weights, bias);
        return configure(cl, norm, gamma, beta, mean, variance, params, input, weights, bias,
                GemmConfig.select(cl.device(), (long) out.dim(0) * out.dim(1) * out.dim(2), out.dim(3),
                        weights.shape().dim(2), true));
    }

    /** With an explicit form of the GEMM (tests). */
    static NormalizedPointwise configure(ClContext cl, BatchNormParams norm, float[] gamma, float[] beta,
                                         float[] mean, float[] variance, Conv2dParams params, Shape input,
                                         Tensor weights, Tensor bias, GemmConfig config) {
        Shape out = validate(cl, norm, params, input, weights, bias);
        float[] folded = BatchNorm.fold(norm, read(input, weights.shape()), 3, gamma, beta, mean, variance);
        return OpSupport.initialised(new NormalizedPointwise(cl, norm, folded, params, input, out, weights, bias,
                config), NormalizedPointwise::reloadWeights);
    }

    /** Checks the tensors and parameters; returns the output shape. */
    private static Shape validate(ClContext cl, BatchNormParams norm, Conv2dParams params, Shape input,
                                  Tensor weights, Tensor bias) {
        if (weights == null || norm == null) {
            throw new IllegalArgumentException(OP + ": " + (weights == null ? "weights are" : "the normalisation is")
                    + " missing for input " + input);
        }
        ConvKernels.checkWeights(OP, cl, weights, bias);
        if (input.rank() != 4 || !fits(norm.activation(), params, weights.shape())) {
            throw new IllegalArgumentException(OP + ": needs a normalisation activated by none, ReLU or a clip, then"
                    + " a pointwise convolution (1x1, stride 1, no padding, one group) of an NHWC input; got "
                    + norm + ", " + weights.shape() + " " + params + " on " + input);
        }
        if (input.axis(norm.axis()) != 3) {
            throw new IllegalArgumentException(OP + ": the normalisation's channel axis must be the last of the NHWC"
                    + " input " + input + "; got " + norm);
        }
        if (weights.shape().dim(2) > input.dim(3)) {
            throw new IllegalArgumentException(OP + ": the weights " + weights.shape() + " read " + weights.shape().dim(2)
                    + " channels; the input " + input + " has " + input.dim(3));
        }
        Shape out = params.outputShape(read(input, weights.shape()), weights.shape(), bias == null ? null : bias.shape());
        ConvKernels.checkIndexable(OP, input, out, weights.shape());
        return out;
    }

    /** The part of {@code input} that weights shaped {@code weights} read: its first {@code weights.dim(2)} channels. */
    private static Shape read(Shape input, Shape weights) {
        return Shape.of(input.dim(0), input.dim(1), input.dim(2), weights.dim(2));
    }

    /**
     * Enqueues the convolution of the normalised, activated {@code x}. Returns at once.
     *
     * @param x        {@code (N, H, W, Cx)}, its first {@code C} channels read
     * @param residual {@code (N, H, W, Cout)}, read; required when the parameters add a residual, null
     *                 otherwise; may be {@code y} itself
     * @param y        {@code (N, H, W, Cout)}, written; must not share a buffer with {@code x}
     * @throws IllegalArgumentException when a tensor's shape differs from the configured one
     * @throws IllegalStateException    when this operator or a tensor was closed
     */
    public void run(Tensor x, Tensor residual, Tensor y) {
        checkConvRun(params, x, residual, y);
        gemm.runNormalized(x.buffer(), scaleShift, weights.buffer(), buffer(bias), buffer(residual), y.buffer());
    }
}
