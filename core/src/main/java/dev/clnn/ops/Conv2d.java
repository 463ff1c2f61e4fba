package dev.clnn.ops;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.cl.ClKernel;
import dev.clnn.tensor.DType;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * 2-D convolution in NHWC with a fused epilogue: {@code y = act(conv(x, w) + bias)}, optionally
 * with a residual added before or after the activation ({@link Conv2dParams.Residual}).
 *
 * <p>Tensors: input {@code x (N, H, W, Cin)} NHWC, fp32 or, with {@link Conv2dParams#storage()}
 * {@code FLOAT16}, half-precision like the output and the residual; weights {@code w (KH, KW, Cin / groups, Cout)}
 * (HWIO: output channels contiguous, so a pointwise convolution is a plain matrix product, and a
 * depthwise one's weights are {@code (KH, KW, 1, C)}); bias {@code (Cout)} or none; output and
 * residual {@code (N, OH, OW, Cout)} NHWC. {@link ConvWeights} converts ONNX / PyTorch OIHW
 * weights.
 *
 * <p>Validate, configure once, run many times: {@link #configure} checks the shapes, picks the
 * kernel for the shape and device ({@link Conv2dConfig}; pointwise shapes become a matrix product,
 * depthwise shapes go to the depthwise kernels, so there is no separate depthwise operator), builds
 * it and packs the weights where the variant wants them packed; {@link #run} only enqueues.
 * The operator reads {@code weights} and {@code bias} but does not own them: keep them open while
 * it runs, and call {@link #reloadWeights()} after changing the weights' contents.
 *
 * <pre>{@code
 * Conv2dParams p = Conv2dParams.defaults().withStride(2).withSamePadding(224, 224, 3, 3)
 *         .withActivation(Activation.RELU6);
 * try (Conv2d conv = Conv2d.configure(cl, p, Shape.of(1, 224, 224, 3), w, b);
 *      Tensor y = Tensor.allocate(cl, conv.outputShape(), Layout.NHWC)) {
 *     conv.run(x, y);     // x is read, y is written
 * }
 * }</pre>
 */
public final class Conv2d extends DeviceOp {
    private static final String OP = "Conv2d";
    /** The convolution kernels take (x, w, y), then the geometry (set once), then bias and residual. */
    private static final int FIRST_GEOMETRY_ARG = 3;

    private final ClContext cl;
    private final Conv2dParams params;
    private final Conv2dConfig config;
    private final Shape input;
    private final Shape output;
    // the tensor run writes: the output, or the wider one whose channels [sliceOffset, + Cout) it is
    private final Shape written;
    private final int sliceOffset;
    private final Tensor weights;
    private final Tensor bias;
    private final Launch launch;
    private final ClKernel pack;
    private final ClBuffer packed;
    private final Gemm gemm;
    private final WinogradConv winograd;

    /**
     * A convolution kernel with its geometry arguments, global size and work-group size (null: the
     * driver's choice), fixed at configure time.
     */
    private record Launch(ClKernel kernel, int[] geometry, long[] global, long[] local) {
    }

    private Conv2d(ClContext cl, Conv2dParams params, Conv2dConfig config, Shape input, Shape output, Tensor weights,
                   Tensor bias, Shape written, int sliceOffset, Workspace workspace) {
        this.cl = cl;
        this.params = params;
        this.config = config;
        this.input = input;
        this.output = output;
        this.written = written;
        this.sliceOffset = sliceOffset;
        this.weights = weights;
        this.bias = bias;
        OpLog.configured(OP, cl, input + " weights " + weights.shape() + " " + params, config);
        Conv2dConfig.Variant v = config.variant();
        // the Winograd variant's transformed input and products live in a workspace: the lane's, or one of its own
        Workspace ownWorkspace = v == Conv2dConfig.Variant.WINOGRAD && workspace == null ? new Workspace(cl) : null;
        winograd = v == Conv2dConfig.Variant.WINOGRAD ? new WinogradConv(cl, params, config, input, output,
                bias != null, workspace != null ? workspace : ownWorkspace) : null;
        if (v == Conv2dConfig.Variant.POINTWISE || v == Conv2dConfig.Variant.IMPLICIT_GEMM) {
            gemm = product();
            launch = null;
        } else if (v == Conv2dConfig.Variant.WINOGRAD) {
            gemm = null;
            launch = null;
        } else {
            gemm = null;
            launch = plan();
            int[] g = launch.geometry();
            for (int i = 0; i < g.length; i++) {
                launch.kernel().arg(FIRST_GEOMETRY_ARG + i, g[i]);
            }
        }
        if (config.variant() == Conv2dConfig.Variant.DIRECT) {
            pack = cl.kernel("gemm/gemm_pack.cl", BuildOptions.none(), "gemm_pack");
            Shape s = weights.shape();
            packed = cl.buffer((long) s.dim(0) * s.dim(1) * s.dim(2) * Gemm.roundUp(s.dim(3), config.vw()));
        } else {
            pack = null;
            packed = null;
        }
        // kernel objects before the buffer they may hold as an argument
        own(launch == null ? null : launch.kernel());
        own(pack);
        own(packed);
        own(gemm);
        own(winograd);
        own(ownWorkspace);
    }

    /**
     * The matrix product of the GEMM variants: {@code (N * OH * OW) x K} activations by the weights
     * {@code (K, Cout)}, with {@code K = Cin} (pointwise) or {@code KH * KW * Cin} (implicit im2col).
     */
    private Gemm product() {
        Gemm.Epilogue epilogue = new Gemm.Epilogue(params.activation(), bias != null, params.residual(),
                params.storage());
        Shape w = weights.shape();
        int k = w.dim(0) * w.dim(1) * w.dim(2);
        // C is the output, or its channels of the wider tensor written (rows of written.dim(3) floats)
        GemmShape shape = new GemmShape(false, false, output.dim(0) * output.dim(1) * output.dim(2), output.dim(3), k,
                k, output.dim(3), written.dim(3));
        if (config.variant() == Conv2dConfig.Variant.POINTWISE) {
            return Gemm.configure(cl, shape, config.gemm(), epilogue);
        }
        Conv2dParams p = params;
        Gemm.Im2col im2col = new Gemm.Im2col(input.dim(0), input.dim(1), input.dim(2), input.dim(3), output.dim(1),
                output.dim(2), w.dim(1), p.strideH(), p.strideW(), p.dilationH(), p.dilationW(), p.padTop(),
                p.padLeft());
        return Gemm.configure(cl, shape, config.gemm(), Gemm.Seams.convolution(epilogue, im2col));
    }

    /** Builds the variant's kernel and fixes its geometry arguments and global size. */
    private Launch plan() {
        int h = input.dim(1);
        int w = input.dim(2);
        int cin = input.dim(3);
        int kh = weights.shape().dim(0);
        int kw = weights.shape().dim(1);
        int oh = output.dim(1);
        int ow = output.dim(2);
        int cout = output.dim(3);
        int rows = output.dim(0) * oh;
        Conv2dParams p = params;
        int vw = config.vw();
        switch (config.variant()) {
            case DIRECT: {
                int coutPad = Gemm.roundUp(cout, vw);
                return new Launch(build("conv/conv2d_direct.cl", "conv2d_direct",
                        BuildOptions.none().define("VW", vw).define("WB", config.wb())),
                        new int[] {h, w, cin, oh, ow, cout, coutPad, kh, kw, p.strideH(), p.strideW(), p.dilationH(),
                            p.dilationW(), p.padTop(), p.padLeft()},
                        new long[] {coutPad / vw, ConvKernels.ceilDiv(ow, config.wb()), rows}, null);
            }
            case DEPTHWISE_BLOCKED: {
                int rowBlocks = output.dim(0) * ConvKernels.ceilDiv(oh, config.hb());
                return depthwiseLaunch(build("conv/depthwise_blocked.cl", "depthwise_blocked", aligned(BuildOptions
                                .none().define("KS", kh).define("STRIDE", p.strideH()).define("VW", vw)
                                .define("WB", config.wb()).define("HB", config.hb()).define("WG", config.wg()), cin, vw)),
                        new int[] {h, w, cin, oh, ow, p.padTop(), p.padLeft(), rowBlocks},
                        ConvKernels.ceilDiv(cin, vw), ConvKernels.ceilDiv(ow, config.wb()), rowBlocks);
            }
            case DEPTHWISE:
                return depthwiseLaunch(build("conv/depthwise_general.cl", "depthwise_general",
                                aligned(BuildOptions.none().define("VW", vw).define("WG", config.wg()), cin, vw)),
                        new int[] {h, w, cin, oh, ow, kh, kw, p.strideH(), p.strideW(), p.dilationH(), p.dilationW(),
                            p.padTop(), p.padLeft(), rows},
                        ConvKernels.ceilDiv(cin, vw), ow, rows);
            default:
                return new Launch(build("conv/conv2d_general.cl", "conv2d_general", BuildOptions.none()),
                        new int[] {h, w, cin, oh, ow, cout, kh, kw, p.strideH(), p.strideW(), p.dilationH(),
                            p.dilationW(), p.padTop(), p.padLeft(), cin / p.groups(), cout / p.groups()},
                        new long[] {cout, ow, rows}, null);
        }
    }

    /**
     * The depthwise kernels' range over {@code vectors x blocks x rows} work-items: 3-D with the
     * driver's work-group shape, or 1-D in work-groups of {@code wg} items (see work_item() in
     * conv_common.cl).
     */
    private Launch depthwiseLaunch(ClKernel kernel, int[] geometry, int vectors, int blocks, int rows) {
        int wg = config.wg();
        if (wg == 0) {
            return new Launch(kernel, geometry, new long[] {vectors, blocks, rows}, null);
        }
        long items = (long) vectors * blocks * rows;     // < 2^31: the output tensor is indexable
        return new Launch(kernel, geometry, new long[] {(items + wg - 1) / wg * wg}, new long[] {wg});
    }

    /**
     * {@code options} with {@code ACT_ALIGNED} for half-precision activations when the depthwise kernels'
     * channel vectors all start at multiples of {@code vw} halves, as they do when the channel count is a
     * multiple of it.
     */
    private BuildOptions aligned(BuildOptions options, int channels, int vw) {
        return params.storage() == DType.FLOAT16 && channels % vw == 0 ? options.define("ACT_ALIGNED", 1) : options;
    }

    private ClKernel build(String file, String name, BuildOptions options) {
        return ConvKernels.build(cl, file, name, ConvKernels.storage(options, params.storage()), params.activation(),
                bias != null, params.residual());
    }

    /**
     * Configures a convolution of inputs shaped {@code input} with the variant the tuning table
     * gives this shape on the context's device.
     *
     * @param input   {@code (N, H, W, Cin)}, NHWC
     * @param weights {@code (KH, KW, Cin / groups, Cout)}, HWIO; read, not owned
     * @param bias    {@code (Cout)}, or null for none; read, not owned
     * @throws IllegalArgumentException naming the operator and the shapes when they do not fit
     */
    public static Conv2d configure(ClContext cl, Conv2dParams params, Shape input, Tensor weights, Tensor bias) {
        return configure(cl, params, input, weights, bias, (Workspace) null);
    }

    /**
     * As {@link #configure(ClContext, Conv2dParams, Shape, Tensor, Tensor)}, keeping the scratch of the variants
     * that need it (the Winograd variant's transformed input and products) in {@code workspace}, which the
     * operators that run one after another on one queue share (null: a workspace of its own).
     */
    public static Conv2d configure(ClContext cl, Conv2dParams params, Shape input, Tensor weights, Tensor bias,
                                   Workspace workspace) {
        Shape out = validate(cl, params, input, weights, bias);
        return create(cl, params, Conv2dConfig.forShape(cl.device(), params, input, weights.shape()), input, out,
                weights, bias, workspace);
    }

    /**
     * Configures a convolution with an explicit variant (tests, tuning).
     *
     * @throws IllegalArgumentException when the shapes do not fit, or the variant cannot run them
     *                                  or does not fit the device
     */
    public static Conv2d configure(ClContext cl, Conv2dParams params, Shape input, Tensor weights, Tensor bias,
                                   Conv2dConfig config) {
        Shape out = validate(cl, params, input, weights, bias);
        checkRuns(cl, params, input, weights, config);
        return create(cl, params, config, input, out, weights, bias, null);
    }

    /** {@link #configure(ClContext, Conv2dParams, Shape, Tensor, Tensor, Conv2dConfig)} with a workspace (tests). */
    static Conv2d configure(ClContext cl, Conv2dParams params, Shape input, Tensor weights, Tensor bias,
                            Conv2dConfig config, Workspace workspace) {
        Shape out = validate(cl, params, input, weights, bias);
        checkRuns(cl, params, input, weights, config);
        return create(cl, params, config, input, out, weights, bias, workspace);
    }

    /** Throws when {@code config} cannot run the shape or does not fit the device. */
    private static void checkRuns(ClContext cl, Conv2dParams params, Shape input, Tensor weights, Conv2dConfig config) {
        String why = config.unsupported(params, input, weights.shape());
        if (why == null && config.gemm() != null && !Gemm.fits(config.gemm(), cl.device())) {
            why = "needs more local memory or larger work-groups than " + cl.device().name() + " has";
        }
        if (why == null && config.wg() > cl.device().maxWorkGroupSize()) {
            why = "needs work-groups of " + config.wg() + " items; " + cl.device().name() + " allows "
                    + cl.device().maxWorkGroupSize();
        }
        if (why != null) {
            throw new IllegalArgumentException(OP + ": variant " + config + " cannot run input " + input
                    + " with weights " + weights.shape() + ": it " + why);
        }
    }

    private static Shape validate(ClContext cl, Conv2dParams params, Shape input, Tensor weights, Tensor bias) {
        if (weights == null) {
            throw new IllegalArgumentException(OP + ": weights are missing for input " + input);
        }
        weights.ensureOpen();
        if (bias != null) {
            bias.ensureOpen();
        }
        Shape out = params.outputShape(input, weights.shape(), bias == null ? null : bias.shape());
        ConvKernels.checkIndexable(OP, input, out, weights.shape());
        OpSupport.checkNhwc(OP, "weights", weights, cl, weights.shape());
        if (bias != null) {
            OpSupport.checkNhwc(OP, "bias", bias, cl, bias.shape());
        }
        return out;
    }

    private static Conv2d create(ClContext cl, Conv2dParams params, Conv2dConfig config, Shape input, Shape out,
                                 Tensor weights, Tensor bias, Workspace workspace) {
        return OpSupport.initialised(new Conv2d(cl, params, config, input, out, weights, bias, out, 0, workspace),
                Conv2d::reloadWeights);
    }

    /**
     * Configures a convolution that writes its output into channels {@code [offset, offset + Cout)} of a
     * tensor of {@code channels} channels, leaving the others as they are: a convolution whose output a
     * concatenation gathers, written in place so that the concatenation copies nothing ({@code
     * Passes.concatenateInPlace}). Only the GEMM variants write a slice, and only without a residual:
     * {@link #writesSlices} tells whether the table gives this shape one.
     *
     * @throws IllegalArgumentException when the shapes do not fit, the slice does not lie within
     *                                  {@code channels}, the parameters add a residual, or the table
     *                                  gives the shape a variant that writes no slice
     */
    public static Conv2d configureInto(ClContext cl, Conv2dParams params, Shape input, Tensor weights, Tensor bias,
                                       int channels, int offset) {
        validate(cl, params, input, weights, bias);
        return configureInto(cl, params, input, weights, bias, channels, offset,
                Conv2dConfig.forShape(cl.device(), params, input, weights.shape()));
    }

    /** {@link #configureInto} with an explicit variant (tests). */
    static Conv2d configureInto(ClContext cl, Conv2dParams params, Shape input, Tensor weights, Tensor bias,
                                int channels, int offset, Conv2dConfig config) {
        Shape out = validate(cl, params, input, weights, bias);
        if (offset < 0 || offset + out.dim(3) > channels) {
            throw new IllegalArgumentException(OP + ": channels [" + offset + ", " + (offset + out.dim(3)) + ") of the"
                    + " output " + out + " do not lie within a tensor of " + channels + " channels");
        }
        if (params.residual() != Conv2dParams.Residual.NONE) {
            throw new IllegalArgumentException(OP + ": a convolution that adds a residual writes a tensor of its own,"
                    + " not channels of a wider one; " + params);
        }
        checkRuns(cl, params, input, weights, config);
        if (!writesSlice(config)) {
            throw new IllegalArgumentException(OP + ": variant " + config + " (for input " + input + " and weights "
                    + weights.shape() + " on " + cl.device().name() + ") writes a tensor of its own; only the GEMM"
                    + " variants write channels of a wider one");
        }
        Shape written = Shape.of(out.dim(0), out.dim(1), out.dim(2), channels);
        return OpSupport.initialised(new Conv2d(cl, params, config, input, out, weights, bias, written, offset, null),
                Conv2d::reloadWeights);
    }

    /**
     * Whether {@link #configureInto} takes a convolution with {@code params} of inputs shaped
     * {@code input} by weights shaped {@code weights} on {@code device}: the table gives it a GEMM
     * variant, and it adds no residual.
     */
    public static boolean writesSlices(ClDevice device, Conv2dParams params, Shape input, Shape weights) {
        return params.residual() == Conv2dParams.Residual.NONE
                && writesSlice(Conv2dConfig.forShape(device, params, input, weights));
    }

    private static boolean writesSlice(Conv2dConfig config) {
        return config.variant() == Conv2dConfig.Variant.POINTWISE
                || config.variant() == Conv2dConfig.Variant.IMPLICIT_GEMM;
    }

    public Conv2dParams params() { return params; }

    public Conv2dConfig config() { return config; }

    /** {@code (N, H, W, Cin)}. */
    public Shape inputShape() { return input; }

    /** {@code (N, OH, OW, Cout)}. */
    public Shape outputShape() { return output; }

    /**
     * The tensor {@link #run} writes: the output, or for a convolution {@linkplain #configureInto written
     * into channels of a wider tensor}, that tensor {@code (N, OH, OW, channels)}.
     */
    public Shape writtenShape() { return written; }

    /**
     * Re-reads the weights tensor into the variant's packed copy, for after its contents changed
     * (a training step, a reload). Enqueued; variants that read the weights directly do nothing.
     */
    public void reloadWeights() {
        ensureOpen();
        if (gemm != null) {
            gemm.repack(weights.buffer(), 0);
        } else if (winograd != null) {
            winograd.reloadWeights(weights.buffer());
        } else if (packed != null) {
            Shape s = weights.shape();
            int cout = s.dim(3);
            int depth = s.dim(0) * s.dim(1) * s.dim(2);
            int coutPad = Gemm.roundUp(cout, config.vw());
            // (depth, cout) row-major -> (depth, coutPad) with zero columns: B of a GEMM, one panel of coutPad.
            pack.args(weights.buffer(), 0, cout, 0, cout, depth, packed, coutPad, depth);
            pack.launch(new long[] {coutPad, depth}, null);
        }
    }

    /**
     * Enqueues {@code y = act(conv(x) + bias)}. Requires {@link Conv2dParams.Residual#NONE}.
     *
     * @param x {@code (N, H, W, Cin)}, read
     * @param y {@code (N, OH, OW, Cout)}, written; must not share a buffer with {@code x}
     */
    public void run(Tensor x, Tensor y) {
        run(x, null, y);
    }

    /**
     * Enqueues the convolution with its epilogue. Returns at once; the result is visible to later
     * commands on the same context.
     *
     * @param x        {@code (N, H, W, Cin)}, read
     * @param residual {@code (N, OH, OW, Cout)}, read; required when the parameters add a residual,
     *                 null otherwise; may be {@code y} itself (accumulate in place)
     * @param y        {@code (N, OH, OW, Cout)}, written; must not share a buffer with {@code x}; for a
     *                 convolution {@linkplain #configureInto written into a wider tensor}, that tensor,
     *                 of which only the convolution's channels are written
     * @throws IllegalArgumentException when a tensor's shape differs from the configured one
     * @throws IllegalStateException    when this operator or a tensor was closed
     */
    public void run(Tensor x, Tensor residual, Tensor y) {
        ensureOpen();
        ConvKernels.checkRun(OP, cl, input, written, params.residual(), params.storage(), x, residual, y);
        weights.ensureOpen();     // also for the variants that only read their packed copy
        ClBuffer b = bias == null ? null : bias.buffer();
        ClBuffer r = residual == null ? null : residual.buffer();
        if (gemm != null) {
            gemm.run(x.buffer(), weights.buffer(), b, r, y.buffer(), sliceOffset);
            return;
        }
        if (winograd != null) {
            winograd.run(x.buffer(), b, r, y.buffer());
            return;
        }
        ClKernel k = launch.kernel();
        k.arg(0, x.buffer()).arg(1, packed != null ? packed : weights.buffer()).arg(2, y.buffer());
        int next = FIRST_GEOMETRY_ARG + launch.geometry().length;
        if (b != null) {
            k.arg(next++, b);
        }
        if (r != null) {
            k.arg(next, r);
        }
        k.launch(launch.global(), launch.local());
    }

    @Override
    protected String describe() {
        return OP + " (input " + input + ", output " + output + ")";
    }
}
