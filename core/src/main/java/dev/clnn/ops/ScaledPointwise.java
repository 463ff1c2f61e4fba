package dev.clnn.ops;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * A pointwise convolution of activations multiplied by a scale per image and channel, as one
 * kernel: {@code y = act((x * s) W + bias [+ residual])} with {@code s (N, 1, 1, C)}, the
 * squeeze-and-excitation block of EfficientNet, MobileNet v3 and RegNetY followed by its
 * projection. The scaled activations are never stored: the CPU form of the GEMM ({@code gemm_cpu.cl},
 * {@code A_SCALE}) multiplies each element of A as it reads it, which saves a kernel launch and a
 * pass over the activations.
 *
 * <p>Tensors: input {@code x (N, H, W, C)} NHWC; scale {@code (N, 1, 1, C)}; weights
 * {@code (1, 1, C, Cout)} and bias {@code (Cout)} or none; output and residual {@code (N, H, W, Cout)}.
 * Only devices whose tuning table gives the CPU form of the GEMM run it ({@link #runsOn}), which the
 * graph pass that forms it ({@code Passes.optimize(graph, device)}) asks. Configure once, run many
 * times, as every operator.
 */
public final class ScaledPointwise extends LayerProduct {
    private static final String OP = "ScaledPointwise";
    /** {@code -Dclnn.fuseScales=off} keeps the multiply a kernel of its own (to compare). */
    public static final String PROPERTY = "clnn.fuseScales";

    private final Shape scaleShape;
    private final Conv2dParams params;

    private ScaledPointwise(ClContext cl, Conv2dParams params, Shape input, Shape output, Tensor weights, Tensor bias,
                            GemmConfig config) {
        super(OP, cl, input, output, weights, bias, product(cl, params, input, output, weights, bias, config));
        this.params = params;
        this.scaleShape = scaleShape(input);
    }

    private static Shape scaleShape(Shape input) {
        return Shape.of(input.dim(0), 1, 1, input.dim(3));
    }

    private static Gemm product(ClContext cl, Conv2dParams params, Shape input, Shape output, Tensor weights,
                                Tensor bias, GemmConfig config) {
        OpLog.configured(OP, cl, input + " scale " + scaleShape(input) + " weights " + weights.shape() + " " + params,
                config);
        GemmShape shape = GemmShape.of(output.dim(0) * output.dim(1) * output.dim(2), output.dim(3), input.dim(3));
        return Gemm.configure(cl, shape, config, Gemm.Seams.scaled(epilogue(params, bias), input.dim(1) * input.dim(2)));
    }

    /**
     * Whether {@code device} folds a scale into the pointwise convolution after it: its table gives it
     * the CPU form of the GEMM, and {@code -Dclnn.fuseScales} is not {@code off}.
     */
    public static boolean runsOn(ClDevice device) {
        return OpSupport.switchedOn(PROPERTY) && GemmConfig.cpuForm(device, 1, 1, 1) != null;
    }

    /** Whether a convolution with {@code params} and weights shaped {@code weights} is one this operator computes. */
    public static boolean fits(Conv2dParams params, Shape weights) {
        return weights.rank() == 4 && params.isPointwise(weights);
    }

    /**
     * Configures the convolution for inputs shaped {@code input}, scaled by a tensor shaped
     * {@code (N, 1, 1, C)}.
     *
     * @param weights {@code (1, 1, C, Cout)}; read, not owned
     * @param bias    {@code (Cout)}, or null; read, not owned
     * @throws IllegalArgumentException when the convolution is not pointwise, the shapes do not fit,
     *                                  or the device has no CPU form of the GEMM
     */
    public static ScaledPointwise configure(ClContext cl, Conv2dParams params, Shape input, Tensor weights,
                                            Tensor bias) {
        Shape out = validate(cl, params, input, weights, bias);
        return configure(cl, params, input, weights, bias, GemmConfig.cpuForm(cl.device(),
                (long) out.dim(0) * out.dim(1) * out.dim(2), out.dim(3), input.dim(3)));
    }

    /** With an explicit CPU form (tests); null: the device has none. */
    static ScaledPointwise configure(ClContext cl, Conv2dParams params, Shape input, Tensor weights, Tensor bias,
                                     GemmConfig config) {
        Shape out = validate(cl, params, input, weights, bias);
        if (config == null) {
            throw new IllegalArgumentException(OP + ": the tuning table gives " + cl.device().name() + " no CPU form"
                    + " of the GEMM, which alone scales its A; run the multiply and the convolution apart");
        }
        return OpSupport.initialised(new ScaledPointwise(cl, params, input, out, weights, bias, config),
                ScaledPointwise::reloadWeights);
    }

    /** Checks the tensors and parameters; returns the output shape. */
    private static Shape validate(ClContext cl, Conv2dParams params, Shape input, Tensor weights, Tensor bias) {
        if (weights == null) {
            throw new IllegalArgumentException(OP + ": weights are missing for input " + input);
        }
        ConvKernels.checkWeights(OP, cl, weights, bias);
        if (input.rank() != 4 || !fits(params, weights.shape())) {
            throw new IllegalArgumentException(OP + ": needs a pointwise convolution (1x1, stride 1, no padding, one"
                    + " group) of an NHWC input; got " + weights.shape() + " " + params + " on " + input);
        }
        Shape out = params.outputShape(input, weights.shape(), bias == null ? null : bias.shape());
        ConvKernels.checkIndexable(OP, input, out, weights.shape());
        return out;
    }

    /**
     * Enqueues the convolution of {@code x * scale}. Returns at once.
     *
     * @param x        {@code (N, H, W, C)}, read
     * @param scale    {@code (N, 1, 1, C)}, read
     * @param residual {@code (N, H, W, Cout)}, read; required when the parameters add a residual, null
     *                 otherwise; may be {@code y} itself
     * @param y        {@code (N, H, W, Cout)}, written; must not share a buffer with {@code x}
     * @throws IllegalArgumentException when a tensor's shape differs from the configured one
     * @throws IllegalStateException    when this operator or a tensor was closed
     */
    public void run(Tensor x, Tensor scale, Tensor residual, Tensor y) {
        checkConvRun(params, x, residual, y);
        OpSupport.checkNhwc(OP, "scale", scale, cl, scaleShape);
        if (scale.buffer() == y.buffer()) {
            throw new IllegalArgumentException(OP + ": the output " + output + " must not share a buffer with the"
                    + " scale " + scaleShape);
        }
        gemm.runScaled(x.buffer(), scale.buffer(), weights.buffer(), buffer(bias), buffer(residual), y.buffer());
    }
}
