package dev.clnn.ops;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * A depthwise convolution and the pointwise convolution that reads its output, as one kernel:
 * {@code y = act(pw(dwAct(dw(x) + dwBias)) + bias [+ residual])}, the separable block of MobileNet
 * v1 and v2. The depthwise output is never stored: the CPU form of the GEMM ({@code gemm_cpu.cl},
 * {@code A_DEPTHWISE}) computes it channel vector by channel vector as its matrix product reads A,
 * and the tiled form element by element as it loads its tiles of A, which saves a kernel launch and
 * the depthwise output's round trip through memory.
 *
 * <p>Tensors as for {@link Conv2d}: input {@code x (N, H, W, C)} NHWC; depthwise weights
 * {@code (KH, KW, 1, C)} and bias {@code (C)} or none; pointwise weights {@code (1, 1, C, Cout)} and
 * bias {@code (Cout)} or none; output and residual {@code (N, OH, OW, Cout)}. The depthwise
 * convolution adds no residual and applies no activation, ReLU or a clip (ReLU6); the pointwise one
 * has stride 1, no padding and one group, and may add a residual.
 *
 * <p>Devices whose tuning table gives them the CPU or the tiled form run it; which blocks gain is
 * {@link #widestOn}'s, which the graph pass that forms them ({@code Passes.optimize(graph, device)})
 * asks. Configure once, run many times, as every operator.
 */
public final class SeparableConv extends LayerProduct {
    private static final String OP = "SeparableConv";
    /** {@code -Dclnn.fuseSeparable=auto|off|all}: which blocks are joined ({@link #widestOn}). */
    public static final String PROPERTY = "clnn.fuseSeparable";

    private final Tensor dwWeights;
    private final Tensor dwBias;
    private final Conv2dParams pointwise;

    private SeparableConv(ClContext cl, Conv2dParams depthwise, Conv2dParams pointwise, Shape input, Shape middle,
                          Shape output, Tensor dwWeights, Tensor dwBias, Tensor weights, Tensor bias, GemmConfig config) {
        super(OP, cl, input, output, weights, bias, product(cl, depthwise, pointwise, input, middle, output, dwWeights,
                dwBias, weights, bias, config));
        this.dwWeights = dwWeights;
        this.dwBias = dwBias;
        this.pointwise = pointwise;
    }

    private static Gemm product(ClContext cl, Conv2dParams depthwise, Conv2dParams pointwise, Shape input, Shape middle,
                                Shape output, Tensor dwWeights, Tensor dwBias, Tensor weights, Tensor bias,
                                GemmConfig config) {
        OpLog.configured(OP, cl, input + " depthwise " + dwWeights.shape() + " " + depthwise + ", pointwise "
                + weights.shape() + " " + pointwise, config);
        Shape dw = dwWeights.shape();
        Gemm.Im2col geometry = new Gemm.Im2col(input.dim(0), input.dim(1), input.dim(2), input.dim(3), middle.dim(1),
                middle.dim(2), dw.dim(1), depthwise.strideH(), depthwise.strideW(), depthwise.dilationH(),
                depthwise.dilationW(), depthwise.padTop(), depthwise.padLeft());
        Gemm.Depthwise prologue = new Gemm.Depthwise(dw.dim(0), dw.dim(1), dwBias != null, depthwise.activation());
        GemmShape shape = GemmShape.of(output.dim(0) * output.dim(1) * output.dim(2), output.dim(3), input.dim(3));
        return Gemm.configure(cl, shape, config, Gemm.Seams.separable(epilogue(pointwise, bias), geometry, prologue));
    }

    /**
     * Compute units from which {@code auto} joins every block on CPUs: measured on 2 (one panel wins)
     * and 16 (every block wins); the boundary between them is not measured.
     */
    public static final int MANY_CORES = 8;

    /**
     * The widest pointwise convolution (output channels) that {@code device} gains from running with
     * the depthwise one before it as one kernel; 0 when it runs none so. {@code -Dclnn.fuseSeparable}
     * chooses: {@code auto} (the default, as measured), {@code off} (none, to compare) or {@code all}
     * (every block on every device whose table gives it a form for them, to measure).
     *
     * <p>{@code auto}: on CPUs with fewer than {@link #MANY_CORES} compute units, pointwise layers one
     * panel of the CPU form wide (NV * VW columns): the form computes the depthwise output again for
     * every panel, and on 2 AVX-512 cores with PoCL MobileNet v2's projections to 96 and more channels
     * (two to five panels) ran 15-48 % slower joined, most of those to 16-64 channels 7-39 % faster
     * (BENCHMARKS.md). With more compute units, every block: a launch costs PoCL more there (about
     * 30 µs on 16 cores) than the repeated depthwise work, and MobileNet v2 on 16 cores ran 3-14 %
     * faster with every block joined (v1 the same). On other devices, none: the tiled form
     * computes each element of A, all its taps, as it loads a tile, and on the H200 MobileNet v1 / v2
     * at batch 1 took 2.91 / 4.15 ms with every block joined against 0.67-0.70 / 0.94-0.97 ms apart.
     *
     * @throws IllegalArgumentException when the property has another value
     */
    public static int widestOn(ClDevice device) {
        String mode = System.getProperty(PROPERTY, "auto").trim().toLowerCase(java.util.Locale.ROOT);
        switch (mode) {
            case "off":
            case "false":
                return 0;
            case "all":
                return GemmConfig.separableForm(device, 1, 1, 1) == null ? 0 : Integer.MAX_VALUE;
            case "auto":
            case "true":
                if (!device.isCpu() || GemmConfig.cpuPanelWidth(device) == 0) {
                    return 0;
                }
                return device.computeUnits() >= MANY_CORES ? Integer.MAX_VALUE : GemmConfig.cpuPanelWidth(device);
            default:
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + mode + " is not a mode; use auto, off or all");
        }
    }

    /**
     * Whether a depthwise convolution with {@code depthwise}'s parameters and weights shaped
     * {@code dwWeights}, then a pointwise one with {@code pointwise}'s, form a block this operator
     * computes (whatever the device).
     */
    public static boolean fits(Conv2dParams depthwise, Shape dwWeights, Conv2dParams pointwise, Shape weights) {
        return dwWeights.rank() == 4 && dwWeights.dim(2) == 1 && depthwise.groups() == dwWeights.dim(3)
                && depthwise.residual() == Conv2dParams.Residual.NONE && Gemm.Depthwise.takes(depthwise.activation())
                && weights.rank() == 4 && weights.dim(0) == 1 && weights.dim(1) == 1 && weights.dim(2) == dwWeights.dim(3)
                && pointwise.groups() == 1 && pointwise.strideH() == 1 && pointwise.strideW() == 1
                && pointwise.padTop() == 0 && pointwise.padLeft() == 0 && pointwise.padBottom() == 0
                && pointwise.padRight() == 0;
    }

    /**
     * Configures the block for inputs shaped {@code input}.
     *
     * @param dwWeights {@code (KH, KW, 1, C)}; read, not owned
     * @param dwBias    {@code (C)}, or null; read, not owned
     * @param weights   {@code (1, 1, C, Cout)}; read, not owned
     * @param bias      {@code (Cout)}, or null; read, not owned
     * @throws IllegalArgumentException when the shapes or parameters do not form such a block, or the
     *                                  table gives the device neither the CPU nor the tiled form
     */
    public static SeparableConv configure(ClContext cl, Conv2dParams depthwise, Conv2dParams pointwise, Shape input,
                                          Tensor dwWeights, Tensor dwBias, Tensor weights, Tensor bias) {
        if (dwWeights == null || weights == null) {
            throw new IllegalArgumentException(OP + ": weights are missing for input " + input);
        }
        ConvKernels.checkWeights(OP, cl, dwWeights, dwBias, weights, bias);
        if (!fits(depthwise, dwWeights.shape(), pointwise, weights.shape())) {
            throw new IllegalArgumentException(OP + ": a depthwise convolution " + dwWeights.shape() + " " + depthwise
                    + " then a pointwise one " + weights.shape() + " " + pointwise + " is not a separable block it"
                    + " computes (depthwise: no residual, no activation, ReLU or a clip; pointwise: 1x1, stride 1,"
                    + " no padding, one group)");
        }
        Shape middle = depthwise.outputShape(input, dwWeights.shape(), dwBias == null ? null : dwBias.shape());
        Shape out = pointwise.outputShape(middle, weights.shape(), bias == null ? null : bias.shape());
        ConvKernels.checkIndexable(OP, input, middle, dwWeights.shape());
        ConvKernels.checkIndexable(OP, middle, out, weights.shape());
        return configure(cl, depthwise, pointwise, input, dwWeights, dwBias, weights, bias, GemmConfig.separableForm(
                cl.device(), (long) out.dim(0) * out.dim(1) * out.dim(2), out.dim(3), input.dim(3)));
    }

    /** With an explicit form (tests): the CPU form, or the tiled form without K slices; null: none. */
    static SeparableConv configure(ClContext cl, Conv2dParams depthwise, Conv2dParams pointwise, Shape input,
                                   Tensor dwWeights, Tensor dwBias, Tensor weights, Tensor bias, GemmConfig config) {
        Shape middle = depthwise.outputShape(input, dwWeights.shape(), dwBias == null ? null : dwBias.shape());
        Shape out = pointwise.outputShape(middle, weights.shape(), bias == null ? null : bias.shape());
        if (config == null) {
            throw new IllegalArgumentException(OP + ": the tuning table gives " + cl.device().name() + " no CPU or"
                    + " tiled form of the GEMM, which alone compute a separable block; run the two convolutions as"
                    + " Conv2d");
        }
        return OpSupport.initialised(new SeparableConv(cl, depthwise, pointwise, input, middle, out, dwWeights, dwBias,
                weights, bias, config), SeparableConv::reloadWeights);
    }

    /**
     * Enqueues the block. Returns at once; the result is visible to later commands on the context.
     *
     * @param x        {@code (N, H, W, C)}, read
     * @param residual {@code (N, OH, OW, Cout)}, read; required when the pointwise parameters add a
     *                 residual, null otherwise; may be {@code y} itself
     * @param y        {@code (N, OH, OW, Cout)}, written; must not share a buffer with {@code x}
     * @throws IllegalArgumentException when a tensor's shape differs from the configured one
     * @throws IllegalStateException    when this operator or a tensor was closed
     */
    public void run(Tensor x, Tensor residual, Tensor y) {
        checkConvRun(pointwise, x, residual, y);
        gemm.runSeparable(x.buffer(), dwWeights.buffer(), buffer(dwBias), weights.buffer(), buffer(bias),
                buffer(residual), y.buffer());
    }
}
