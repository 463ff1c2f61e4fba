package dev.clnn.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.cl.ClKernel;
import dev.clnn.cl.ClProgram;
import dev.clnn.cl.KernelSource;
import dev.clnn.tensor.DType;

/**
 * The GEMM engine: every single-precision matrix product of clnn on an OpenCL device, through one
 * kernel family ({@code kernels/gemm}) in its general, CPU, tiled or split-K form ({@link GemmConfig}).
 * Row-major, with transposes, leading dimensions and offsets ({@link GemmShape}), and one of two
 * epilogues:
 *
 * <ul>
 *   <li>{@code C = alpha * op(A) * op(B) + beta * C}: {@link #configure(ClContext, GemmShape)}, then
 *       {@code run(alpha, a, offA, b, offB, beta, c, offC)}. A and B are packed into panels on every
 *       run, where the form reads panels; the tiled form reads a B that no tile reaches past in place.</li>
 *   <li>{@code C = act(op(A) * op(B) + bias [+ residual])}, a layer's product (pointwise convolutions,
 *       {@link Dense}): {@link #configure(ClContext, GemmShape, GemmConfig, Epilogue)}, then
 *       {@code run(a, b, bias, residual, c)} on whole tensors. A, the activations, is read in place;
 *       B, the weights, is constant, packed once by {@link #repack} (call it again after B changes).</li>
 * </ul>
 *
 * <p>Validate, configure once, run many times: configure checks the shape, picks the form and its
 * parameters for the device ({@link GemmConfig#select}, from the tuning table), builds the kernels and
 * allocates the packing scratch; run only enqueues work. With the alpha/beta epilogue and
 * {@code beta == 0}, C is written without being read.
 *
 * <pre>{@code
 * try (Gemm gemm = Gemm.configure(cl, GemmShape.of(m, n, k))) {
 *     gemm.run(1f, a, 0, b, 0, 0f, c, 0);   // a: (m, k), b: (k, n), c: (m, n); c is written
 *     cl.finish();
 * }
 * }</pre>
 */
public final class Gemm implements AutoCloseable {
    /** Arguments of the main kernel (gemm_common.cl): M, N, K, then A, B and C as (buffer, offset, ld). */
    private static final int ARG_A = 3;
    private static final int ARG_B = 6;
    private static final int ARG_C = 9;
    /** The split-K reduction takes M, N, S, part, then C and the epilogue like the main kernels. */
    private static final int REDUCE_ARG_C = 4;

    /**
     * A layer's epilogue, fused into the store of C: {@code C = act(op(A) * op(B) + bias)}, with a
     * residual added before or after the activation ({@link Conv2dParams.Residual}).
     *
     * @param activation applied to each element; null means none
     * @param bias       whether a bias of one float per column of C is added
     * @param residual   whether and where a residual laid out like C is added; null means none
     */
    public record Epilogue(Activation activation, boolean bias, Conv2dParams.Residual residual, DType storage) {
        public Epilogue {
            activation = activation == null ? Activation.NONE : activation;
            residual = residual == null ? Conv2dParams.Residual.NONE : residual;
            storage = storage == null ? DType.FLOAT32 : storage;
        }

        /** With fp32 activations. */
        public Epilogue(Activation activation, boolean bias, Conv2dParams.Residual residual) {
            this(activation, bias, residual, DType.FLOAT32);
        }

        boolean half() {
            return storage == DType.FLOAT16;
        }
    }

    /**
     * The family's two seams, fixed at configure time: whether the panel forms pack A on each run
     * (else read it strided, in place), whether B is constant (packed by {@link #repack}, else on each
     * run), the epilogue (null: alpha/beta), and whether A is the implicit im2col matrix of a
     * convolution's input (null: A is a matrix), or, with {@code depthwise} too, the output of a
     * depthwise convolution of that input ({@code im2col} then gives its geometry); {@code scalePixels}
     * above 0: A is read times a scale per image and column; {@code norm} not null: A is read
     * normalised per column and activated with it.
     */
    record Seams(boolean packA, boolean constantB, Epilogue epilogue, Im2col im2col, Depthwise depthwise,
                 int scalePixels, Activation norm) {
        static final Seams PRODUCT = new Seams(true, false, null, null, null, 0, null);

        Seams(boolean packA, boolean constantB, Epilogue epilogue) {
            this(packA, constantB, epilogue, null, null, 0, null);
        }

        Seams {
            if (depthwise != null && (im2col == null || packA)) {
                throw new IllegalArgumentException("A depthwise A needs its geometry and is read in place");
            }
            if (scalePixels < 0 || (scalePixels > 0 && (packA || im2col != null || epilogue == null))) {
                throw new IllegalArgumentException("A scaled A is a layer's activations, read in place");
            }
            if (norm != null && (packA || im2col != null || epilogue == null || scalePixels > 0
                    || !Depthwise.takes(norm))) {
                throw new IllegalArgumentException("A normalised A is a layer's activations, read in place, activated"
                        + " by none, ReLU or a clip; got " + norm);
            }
        }

        static Seams layer(Epilogue epilogue) {
            return new Seams(false, true, epilogue, null, null, 0, null);
        }

        /** A dense convolution as a layer's product: A read through im2col, the weights B constant. */
        static Seams convolution(Epilogue epilogue, Im2col im2col) {
            return new Seams(false, true, epilogue, im2col, null, 0, null);
        }

        /**
         * A pointwise convolution of activations times a scale per image and channel (a
         * squeeze-and-excitation scale): A read in place, each element times {@code scale[image][k]},
         * with {@code pixels} rows of A per image.
         */
        static Seams scaled(Epilogue epilogue, int pixels) {
            return new Seams(false, true, epilogue, null, null, pixels, null);
        }

        /**
         * A pointwise convolution of activations that a batch normalisation and its activation precede
         * (DenseNet's pre-activation): A read in place, each element {@code act(a * scale[k] + shift[k])}.
         */
        static Seams normalized(Epilogue epilogue, Activation activation) {
            return new Seams(false, true, epilogue, null, null, 0,
                    activation == null ? Activation.NONE : activation);
        }

        /**
         * A pointwise convolution of a depthwise convolution's output as one product: A computed from
         * the input with the depthwise weights as it is read ({@code geometry}: the depthwise layer's,
         * K = its channels), the pointwise weights B constant.
         */
        static Seams separable(Epilogue epilogue, Im2col geometry, Depthwise depthwise) {
            return new Seams(false, true, epilogue, geometry, depthwise, 0, null);
        }
    }

    /**
     * The depthwise convolution a {@link Seams#separable separable} product reads as A: its kernel
     * size, whether it adds a bias, and its activation, which must be none or a clamp (ReLU, ReLU6,
     * clip), the forms the kernels apply ({@code gemm_common.cl}, {@code A_DEPTHWISE}).
     */
    record Depthwise(int kh, int kw, boolean bias, Activation activation) {
        Depthwise {
            activation = activation == null ? Activation.NONE : activation;
            if (!takes(activation)) {
                throw new IllegalArgumentException("A depthwise convolution read as A applies no activation, ReLU or"
                        + " a clip; got " + activation);
            }
        }

        /** Whether the kernels can apply {@code a} to the depthwise output they compute. */
        static boolean takes(Activation a) {
            Activation.Kind k = a == null ? Activation.Kind.NONE : a.kind();
            return k == Activation.Kind.NONE || k == Activation.Kind.RELU || k == Activation.Kind.CLIP;
        }

        /** Its kernel arguments after the geometry: the weights, then the bias when it adds one. */
        int buffers() {
            return bias ? 2 : 1;
        }

        BuildOptions defines(BuildOptions o) {
            o = o.define("A_DEPTHWISE", 1).define("DW_KH", kh).define("DW_KW", kw).define("DW_BIAS", bias ? 1 : 0);
            return clip(o, "DW", activation);
        }

        /** The defines {@code PREFIX_CLIP}, {@code PREFIX_LO} and {@code PREFIX_HI} of an activation it {@link #takes}. */
        static BuildOptions clip(BuildOptions o, String prefix, Activation activation) {
            switch (activation.kind()) {
                case RELU:
                    return o.define(prefix + "_CLIP", 1).define(prefix + "_LO", "0.0f").define(prefix + "_HI", "INFINITY");
                case CLIP:
                    return o.define(prefix + "_CLIP", 1).define(prefix + "_LO", literal(activation.lo()))
                            .define(prefix + "_HI", literal(activation.hi()));
                default:
                    return o.define(prefix + "_CLIP", 0);
            }
        }

        private static String literal(float v) {
            return Float.toString(v).toLowerCase(Locale.ROOT) + "f";
        }
    }

    /**
     * The geometry of a convolution whose input a GEMM reads as the implicit im2col matrix A
     * ({@code gemm_common.cl}, {@code A_IM2COL}): input {@code (batch, h, w, cin)} NHWC, output
     * {@code (batch, oh, ow, cout)}, a kernel {@code kh x kw} with the given strides, dilations and
     * top/left padding. The product is {@code (batch * oh * ow) x (kh * kw * cin)} by
     * {@code (kh * kw * cin) x cout}, B the HWIO weights.
     */
    record Im2col(int batch, int h, int w, int cin, int oh, int ow, int kw, int strideH, int strideW,
                  int dilationH, int dilationW, int padTop, int padLeft) {
        /** Floats of the input: what A's buffer must hold from its offset. */
        long inputFloats() {
            return (long) batch * h * w * cin;
        }

        /** The kernel arguments IM2COL_PARAMS names, in order. */
        int[] arguments() {
            return new int[] {h, w, cin, oh, ow, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft};
        }
    }

    /**
     * A batch of {@code count} products of one shape in one launch ({@link #configureBatch}): product
     * {@code i} reads A from {@code offA + i * strideA}, its constant B from {@code offB + i * strideB} (when
     * {@link #repack} packs it) and writes C from {@code offC + i * strideC}; strides in floats.
     */
    record Batch(int count, long strideA, long strideB, long strideC) {
        Batch {
            if (count < 1 || strideA < 0 || strideB < 0 || strideC < 0) {
                throw new IllegalArgumentException("Gemm: a batch needs at least one product and strides >= 0; got "
                        + count + " products, strides " + strideA + ", " + strideB + ", " + strideC);
            }
        }

        /** Floats from an operand's first element to the end of the last product's, of one of {@code extent}. */
        long extent(long stride, long extent) {
            return (count - 1) * stride + extent;
        }
    }

    private final ClContext cl;
    private final GemmShape shape;
    private final GemmConfig config;
    private final Seams seams;
    private final Batch batch;
    private final GemmLayout layout;
    private final ClKernel main;
    // the forms that split K only (null otherwise): the kernel that sums the K-slices and the partial sums
    private final ClKernel reduce;
    private final ClBuffer partial;
    // the panel forms only (null otherwise; packerA and packedA also null when A is read strided)
    private final ClKernel packerA;
    private final ClKernel packerB;
    private final ClBuffer packedA;
    private final ClBuffer packedB;
    // a batch of several products only: each product's B is packed here, then copied to its place in packedB
    private final ClBuffer stagedB;
    // the packer of A (B) moves blocks through local memory (gemm_pack_transpose): a row-major operand on a GPU
    private final boolean transposeA;
    private final boolean transposeB;
    // a B read in place but run from an offset that is not a multiple of 4 floats is copied here first
    private ClBuffer alignedB;
    private boolean closed;

    private Gemm(ClContext cl, GemmShape shape, GemmConfig config, Seams seams, Batch batch) {
        this.cl = cl;
        this.shape = shape;
        this.config = config;
        this.seams = seams;
        this.batch = batch;
        this.layout = GemmLayout.of(config, shape, seams, cl.device(), batch == null ? 1 : batch.count());
        OpLog.configured("GEMM", cl, shape, config);
        GemmConfig.Variant form = config.variant();
        List<AutoCloseable> made = new ArrayList<>();
        try {
            ClProgram program = program(cl, form, defines(layout));
            boolean split = config.splitsK();
            main = track(made, program.kernel(form == GemmConfig.Variant.SPLITK ? "gemm_splitk_partial"
                    : "gemm_" + form.name().toLowerCase(Locale.ROOT)));
            reduce = split ? track(made, program.kernel("gemm_splitk_reduce")) : null;
            // NOTE: one kernel object per operand. Reusing one with new arguments between two enqueues is
            // legal OpenCL, but some runtimes (Oclgrind) read the arguments when the command executes.
            transposeA = layout.packA && transposes(!shape.transA());
            transposeB = layout.packB && transposes(shape.transB());
            packerA = layout.packA ? track(made, cl.kernel("gemm/gemm_pack.cl", BuildOptions.none(),
                    packer(transposeA))) : null;
            // a layer with half-precision activations keeps its packed weights as halves too
            packerB = layout.packB ? track(made, cl.kernel("gemm/gemm_pack.cl", half()
                    ? BuildOptions.none().define("PACK_HALF", 1) : BuildOptions.none(), packer(transposeB))) : null;
            partial = split ? track(made, cl.buffer((long) layout.slices * shape.m() * shape.n())) : null;
            packedA = layout.packA ? track(made, cl.buffer((long) layout.mPad * layout.kPad)) : null;
            packedB = layout.packB ? track(made, cl.buffer(activationFloats(products() * panelFloats()))) : null;
            stagedB = products() > 1 ? track(made, cl.buffer(panelFloats())) : null;
            setFixedArguments();
        } catch (RuntimeException e) {
            closeAll(made);
            throw e;
        }
    }

    /** Configures a GEMM with the form and parameters the tuning table gives the context's device. */
    public static Gemm configure(ClContext cl, GemmShape shape) {
        return new Gemm(cl, shape, GemmConfig.select(cl.device(), shape.m(), shape.n(), shape.k(), false),
                Seams.PRODUCT, null);
    }

    /**
     * Configures a GEMM with an explicit form and parameters (tests, tuning).
     *
     * @throws IllegalArgumentException when the form needs more local memory or a larger work-group
     *                                  than the device has
     */
    public static Gemm configure(ClContext cl, GemmShape shape, GemmConfig config) {
        return configure(cl, shape, config, Seams.PRODUCT);
    }

    /**
     * Configures a layer's product, {@code C (m, n) = epilogue(op(A) (m, k) * op(B) (k, n))} with the
     * shape's transposes and the leading dimensions of A, B and C ({@code ldc > n}: C is {@code n} columns
     * of a wider matrix, written from the offset given to each run; no residual then). A is read
     * in place on each run; B is constant, packed by {@link #repack}, which must run before the first
     * {@link #run(ClBuffer, ClBuffer, ClBuffer, ClBuffer, ClBuffer) run}.
     *
     * @param config the form and parameters, or null for the tuning table's choice
     * @throws IllegalArgumentException when C is not dense but the epilogue adds a residual, or the form
     *                                  does not fit the device
     */
    public static Gemm configure(ClContext cl, GemmShape shape, GemmConfig config, Epilogue epilogue) {
        if (config == null) {
            config = GemmConfig.select(cl.device(), shape.m(), shape.n(), shape.k(), true);
        }
        return configure(cl, shape, config, Seams.layer(epilogue == null ? new Epilogue(null, false, null) : epilogue));
    }

    /** Configures a GEMM with explicit seams: every combination, for tests. */
    static Gemm configure(ClContext cl, GemmShape shape, GemmConfig config, Seams seams) {
        if (seams.epilogue() != null && shape.ldc() != shape.n()
                && seams.epilogue().residual() != Conv2dParams.Residual.NONE) {
            throw new IllegalArgumentException("Gemm: a fused epilogue with a residual writes a dense C (ldc == n): "
                    + shape);
        }
        if (seams.epilogue() != null && seams.epilogue().half() && seams.packA()) {
            throw new IllegalArgumentException("Gemm: half-precision activations are read in place, not packed: "
                    + shape);
        }
        if (seams.im2col() != null && (seams.packA() || shape.transA())) {
            throw new IllegalArgumentException("Gemm: an im2col A is read in place, untransposed: " + shape);
        }
        if (seams.scalePixels() > 0 && (config.variant() != GemmConfig.Variant.CPU || shape.transA())) {
            throw new IllegalArgumentException("Gemm: only the cpu form scales an untransposed A; got " + config
                    + " for " + shape);
        }
        if (seams.norm() != null && shape.transA()) {
            throw new IllegalArgumentException("Gemm: a normalised A is read untransposed; got " + shape);
        }
        if (seams.depthwise() != null && config.variant() != GemmConfig.Variant.CPU
                && (config.variant() != GemmConfig.Variant.TILED || config.splitsK())) {
            throw new IllegalArgumentException("Gemm: only the cpu form and the tiled form without K slices compute a"
                    + " depthwise A; got " + config);
        }
        requireFits(config, cl.device());
        return new Gemm(cl, shape, config, seams, null);
    }

    /**
     * Configures a batch of products of one shape computed in one launch (the tiled form's {@code BATCHED}):
     * the alpha/beta epilogue, A read in place, B constant ({@link #repack} packs every product's). Each
     * {@code run} computes the whole batch from the offsets it is given, spaced by the batch's strides.
     *
     * @throws IllegalArgumentException when the form is not the tiled one without K slices, the seams are not
     *                                  those of a plain product with a constant B, or the form does not fit
     */
    static Gemm configureBatch(ClContext cl, GemmShape shape, GemmConfig config, Seams seams, Batch batch) {
        if (!takesBatch(config) || seams.packA() || !seams.constantB() || seams.epilogue() != null
                || seams.im2col() != null || seams.scalePixels() > 0 || seams.norm() != null) {
            throw new IllegalArgumentException("Gemm: a batch of products takes the tiled form without K slices, A"
                    + " read in place, a constant B and the alpha/beta epilogue; got " + config + " for " + shape);
        }
        requireFits(config, cl.device());
        return new Gemm(cl, shape, config, seams, batch);
    }

    /** Whether the form computes a batch of products in one launch: the tiled form without K slices. */
    static boolean takesBatch(GemmConfig config) {
        return config.variant() == GemmConfig.Variant.TILED && !config.splitsK();
    }

    /** Products per run: the batch's count, else 1. */
    private long products() {
        return batch == null ? 1 : batch.count();
    }

    /** Elements of one product's packed B. */
    private long panelFloats() {
        return (long) layout.nPad * layout.kPad;
    }

    /** Throws when the form needs more local memory or a larger work-group than the device has. */
    private static void requireFits(GemmConfig config, ClDevice device) {
        if (!fits(config, device)) {
            throw new IllegalArgumentException("GEMM " + config + " needs " + config.localBytes()
                    + " bytes of local memory and work-groups of " + config.workGroupSize() + "; "
                    + device.name() + " has " + device.localMemBytes() + " bytes and at most "
                    + device.maxWorkGroupSize());
        }
    }

    static boolean fits(GemmConfig config, ClDevice device) {
        return config.localBytes() <= device.localMemBytes() && config.workGroupSize() <= device.maxWorkGroupSize();
    }

    public GemmShape shape() { return shape; }

    public GemmConfig config() { return config; }

    /** The epilogue fused into the store of C, or null for alpha/beta. */
    public Epilogue epilogue() { return seams.epilogue(); }

    /**
     * Enqueues {@code C = alpha * op(A) * op(B) + beta * C}; A and B are read, C is written (and read
     * only when {@code beta != 0}). Offsets are in floats. Returns at once; the result is visible to
     * later commands on the same context and to {@link ClBuffer#read()}. With a constant B, the forms
     * that pack B read the copy {@link #repack} made, not {@code b}.
     *
     * @throws IllegalArgumentException when a buffer is too small for the shape and offset
     * @throws IllegalStateException    when this GEMM was configured with a layer's epilogue, or closed
     */
    public void run(float alpha, ClBuffer a, long offA, ClBuffer b, long offB, float beta, ClBuffer c, long offC) {
        if (seams.epilogue() != null) {
            throw new IllegalStateException("This Gemm fuses " + seams.epilogue() + "; run it with bias and residual");
        }
        ClKernel sink = bind(a, offA, b, offB, c, offC);
        int at = epilogueArgument();
        sink.arg(at, alpha).arg(at + 1, beta);
        launch();
    }

    /**
     * Enqueues a layer's product, {@code C = act(op(A) * op(B) + bias [+ residual])}, on whole
     * tensors: A, B and C from their first elements, C dense. A is read; {@code b} is read only by the
     * forms that do not pack B (general, split-K), the others read the copy {@link #repack} made;
     * {@code bias} ({@code n} floats) and {@code residual} (laid out like C) are read when the epilogue
     * takes them and must be null otherwise; C is written. {@code residual} may be C itself. Returns at
     * once.
     *
     * @throws IllegalArgumentException when a buffer is missing or too small for the shape
     * @throws IllegalStateException    when this GEMM was configured for alpha/beta, or closed
     */
    public void run(ClBuffer a, ClBuffer b, ClBuffer bias, ClBuffer residual, ClBuffer c) {
        run(a, b, bias, residual, c, 0);
    }

    /**
     * As {@link #run(ClBuffer, ClBuffer, ClBuffer, ClBuffer, ClBuffer)}, with C from element {@code offC}:
     * a GEMM configured with {@code ldc} wider than {@code n} writes its {@code n} columns of a wider
     * matrix (a convolution writing its channels of a concatenation in place), leaving the others as
     * they are.
     *
     * @throws IllegalArgumentException when a buffer is missing or too small for the shape and offset,
     *                                  or an offset is given to a dense C
     */
    public void run(ClBuffer a, ClBuffer b, ClBuffer bias, ClBuffer residual, ClBuffer c, long offC) {
        if (offC != 0 && !slicesC()) {
            throw new IllegalArgumentException("Gemm: C is dense (ldc " + shape.ldc() + " = n); it takes no offset");
        }
        if (seams.depthwise() != null || seams.scalePixels() > 0 || seams.norm() != null) {
            throw new IllegalStateException("This Gemm reads A " + (seams.depthwise() != null
                    ? "as a depthwise convolution; run it with its weights" : seams.norm() != null
                    ? "normalised; run it with the scale and shift" : "scaled; run it with the scale"));
        }
        runLayer(a, b, bias, residual, c, offC);
    }

    /** A layer's product whose C is columns of a wider matrix: {@code ldc > n} ({@code C_SLICE}). */
    private boolean slicesC() {
        return seams.epilogue() != null && shape.ldc() != shape.n();
    }

    /**
     * Enqueues a scaled layer's product ({@link Seams#scaled}): as
     * {@link #run(ClBuffer, ClBuffer, ClBuffer, ClBuffer, ClBuffer)} with every element of A times
     * {@code scale[image * k + column]} ({@code m / pixels} images of {@code k} floats).
     *
     * @throws IllegalArgumentException when a buffer is missing or too small
     * @throws IllegalStateException    when this GEMM does not scale A, or was closed
     */
    public void runScaled(ClBuffer a, ClBuffer scale, ClBuffer b, ClBuffer bias, ClBuffer residual, ClBuffer c) {
        if (seams.scalePixels() == 0) {
            throw new IllegalStateException("This Gemm does not scale A");
        }
        ensureOpen();
        checkExtent("scale", scale, 0, (long) shape.m() / seams.scalePixels() * shape.k());
        main.arg(afterC(), scale);
        runLayer(a, b, bias, residual, c, 0);
    }

    /**
     * Enqueues a normalised layer's product ({@link Seams#normalized}): as
     * {@link #run(ClBuffer, ClBuffer, ClBuffer, ClBuffer, ClBuffer)} with every element of A in column
     * {@code k} read as {@code act(a * scaleShift[k] + scaleShift[K + k])} ({@code scaleShift}: the
     * {@code K} scales, then the {@code K} shifts).
     *
     * @throws IllegalArgumentException when a buffer is missing or too small
     * @throws IllegalStateException    when this GEMM does not normalise A, or was closed
     */
    public void runNormalized(ClBuffer a, ClBuffer scaleShift, ClBuffer b, ClBuffer bias, ClBuffer residual,
                              ClBuffer c) {
        if (seams.norm() == null) {
            throw new IllegalStateException("This Gemm does not normalise A");
        }
        ensureOpen();
        checkExtent("normalisation", scaleShift, 0, 2L * shape.k());
        main.arg(afterC(), scaleShift);
        runLayer(a, b, bias, residual, c, 0);
    }

    /**
     * Enqueues a separable product ({@link Seams#separable}): {@code C = act(dw(x) * B + bias
     * [+ residual])}, A computed from the input {@code x} with the depthwise weights {@code dwWeights}
     * ({@code (kh, kw, 1, K)}) and bias {@code dwBias} ({@code K} floats, null when the depthwise
     * convolution adds none), as {@link #run(ClBuffer, ClBuffer, ClBuffer, ClBuffer, ClBuffer)} otherwise.
     *
     * @throws IllegalArgumentException when a buffer is missing or too small
     * @throws IllegalStateException    when this GEMM does not read a depthwise A, or was closed
     */
    public void runSeparable(ClBuffer x, ClBuffer dwWeights, ClBuffer dwBias, ClBuffer b, ClBuffer bias,
                             ClBuffer residual, ClBuffer c) {
        Depthwise d = seams.depthwise();
        if (d == null) {
            throw new IllegalStateException("This Gemm does not read A as a depthwise convolution");
        }
        ensureOpen();
        if (d.bias() != (dwBias != null)) {
            throw new IllegalArgumentException("Gemm: the depthwise convolution takes " + (d.bias() ? "a" : "no")
                    + " bias; got " + (dwBias != null ? "a" : "no") + " bias");
        }
        checkExtent("depthwise weights", dwWeights, 0, (long) d.kh() * d.kw() * shape.k());
        int at = ARG_C + 3 + seams.im2col().arguments().length;
        main.arg(at, dwWeights);
        if (dwBias != null) {
            checkExtent("depthwise bias", dwBias, 0, shape.k());
            main.arg(at + 1, dwBias);
        }
        runLayer(x, b, bias, residual, c, 0);
    }

    /** A layer's product with half-precision activations: A read in place, C and the residual halves. */
    private boolean half() {
        return seams.epilogue() != null && seams.epilogue().half();
    }

    /** The floats of a buffer that {@code elements} elements of A, C, the residual or the packed B take. */
    private long activationFloats(long elements) {
        return (half() ? DType.FLOAT16 : DType.FLOAT32).floatsFor(elements);
    }

    private void runLayer(ClBuffer a, ClBuffer b, ClBuffer bias, ClBuffer residual, ClBuffer c, long offC) {
        Epilogue e = seams.epilogue();
        if (e == null) {
            throw new IllegalStateException("This Gemm computes alpha * A * B + beta * C; run it with alpha and beta");
        }
        boolean wantsResidual = e.residual() != Conv2dParams.Residual.NONE;
        if (e.bias() != (bias != null) || wantsResidual != (residual != null)) {
            throw new IllegalArgumentException("Gemm: the epilogue " + e + " takes " + (e.bias() ? "a" : "no")
                    + " bias and " + (wantsResidual ? "a" : "no") + " residual; got " + (bias != null ? "a" : "no")
                    + " bias and " + (residual != null ? "a" : "no") + " residual");
        }
        if (bias != null) {
            checkExtent("bias", bias, 0, shape.n());
        }
        if (residual != null) {
            checkExtent("residual", residual, 0, activationFloats(shape.extentC()));
        }
        ClKernel sink = bind(a, 0, b, 0, c, offC);
        int next = epilogueArgument();
        if (bias != null) {
            sink.arg(next++, bias);
        }
        if (residual != null) {
            sink.arg(next, residual);
        }
        launch();
    }

    /**
     * Copies the constant B, {@code op(B) (k, n)} from {@code offB}, into the packed panels the form
     * reads; enqueued. Call it once after configure and again whenever B's contents change (a
     * training step, a reload). The forms that read B in place only check it here.
     *
     * @throws IllegalStateException when B is not constant for this GEMM (it is packed on each run)
     */
    public void repack(ClBuffer b, long offB) {
        ensureOpen();
        if (!seams.constantB()) {
            throw new IllegalStateException("This Gemm packs B on every run; repack is for a constant B");
        }
        checkExtent("B", b, offB, batch == null ? shape.extentB() : batch.extent(batch.strideB(), shape.extentB()));
        if (packerB == null) {
            return;
        }
        if (stagedB == null) {
            packB(b, offB, packedB);
            return;
        }
        for (int i = 0; i < batch.count(); i++) {
            packB(b, offB + i * batch.strideB(), stagedB);
            stagedB.copyTo(packedB, 0, i * panelFloats(), panelFloats());
        }
    }

    /**
     * Checks the operands, packs those packed on each run and sets the buffer arguments; returns the
     * kernel that stores C.
     */
    private ClKernel bind(ClBuffer a, long offA, ClBuffer b, long offB, ClBuffer c, long offC) {
        ensureOpen();
        checkExtent("A", a, activationFloats(offA), activationFloats(seams.im2col() != null
                ? seams.im2col().inputFloats() : batch != null ? batch.extent(batch.strideA(), shape.extentA())
                : shape.extentA()));
        checkExtent("B", b, offB, batch != null ? batch.extent(batch.strideB(), shape.extentB()) : shape.extentB());
        checkExtent("C", c, 0, activationFloats(offC + (batch != null ? batch.extent(batch.strideC(), shape.extentC())
                : shape.extentC())));
        if (packedA != null) {
            pack(packerA, transposeA, a, offA, shape.lda(), !shape.transA(), shape.m(), shape.k(), packedA,
                    layout.panelA, layout.mPad);
            main.arg(ARG_A, packedA).arg(ARG_A + 1, 0);
        } else {
            main.arg(ARG_A, a).arg(ARG_A + 1, (int) offA);
        }
        if (packedB != null) {
            if (!seams.constantB()) {
                packB(b, offB, packedB);
            }
            main.arg(ARG_B, packedB).arg(ARG_B + 1, 0);
        } else if (layout.panels && offB % 4 != 0) {
            // the tiled form reads B in place in 16-byte loads: from an offset off that grid, a copy on it
            if (alignedB == null) {
                alignedB = cl.buffer(shape.extentB());
            }
            b.copyTo(alignedB, offB, 0, shape.extentB());
            main.arg(ARG_B, alignedB).arg(ARG_B + 1, 0);
        } else {
            main.arg(ARG_B, b).arg(ARG_B + 1, (int) offB);
        }
        ClKernel sink = reduce != null ? reduce : main;
        int at = reduce != null ? REDUCE_ARG_C : ARG_C;
        sink.arg(at, c).arg(at + 1, (int) offC);
        return sink;
    }

    /**
     * Whether an operand whose panel rows run along its stored rows ({@code rowMajor}, gemm_pack.cl's
     * X) is packed by gemm_pack_transpose: on the element-wise packer's devices (not the CPU form's row
     * packer), which read it with a stride of a row between neighbouring work-items otherwise.
     */
    private boolean transposes(boolean rowMajor) {
        return rowMajor && !layout.packRows && cl.device().maxWorkGroupSize()
                >= (long) GemmLayout.TRANSPOSE_BLOCK * GemmLayout.TRANSPOSE_ROWS;
    }

    private String packer(boolean transpose) {
        return layout.packRows ? "gemm_pack_rows" : transpose ? "gemm_pack_transpose" : "gemm_pack";
    }

    /** Packs an operand of {@code rows} x {@code depth} into {@code into}, in panels of {@code panel}. */
    private void pack(ClKernel packer, boolean transpose, ClBuffer src, long off, int ld, boolean rowMajor, int rows,
                      int depth, ClBuffer into, int panel, int padded) {
        if (transpose) {
            packer.args(src, (int) off, ld, rows, depth, into, panel, layout.kPad);
            packer.launch(layout.transposeRange(padded), GemmLayout.TRANSPOSE_LOCAL);
            return;
        }
        packer.args(src, (int) off, ld, rowMajor ? 1 : 0, rows, depth, into, panel, layout.kPad);
        if (layout.packRows) {
            packer.arg(9, GemmLayout.packCount(panel));
        }
        packer.launch(layout.packRange(padded, panel), layout.packLocal());
    }

    private void packB(ClBuffer b, long offB, ClBuffer into) {
        // op(B)^T viewed as rows n x depth k is row-major only when B is stored transposed
        pack(packerB, transposeB, b, offB, shape.ldb(), shape.transB(), shape.n(), shape.k(), into, layout.panelB,
                layout.nPad);
    }

    private void launch() {
        main.launch(layout.global, layout.local);
        if (reduce != null) {
            reduce.launch(layout.reduceGlobal, layout.reduceLocal);
        }
    }

    /** The arguments that never change: sizes and leading dimensions, and the partial sums of split-K. */
    private void setFixedArguments() {
        int m = shape.m();
        int n = shape.n();
        main.arg(0, m).arg(1, n).arg(2, shape.k());
        // a packed operand's leading dimension is its panel row: the padded M (N) of the tiled form
        main.arg(ARG_A + 2, layout.packA ? layout.mPad : shape.lda());
        main.arg(ARG_B + 2, layout.packB ? layout.nPad : shape.ldb());
        if (reduce != null) {
            main.arg(ARG_C, partial);
            reduce.arg(0, m).arg(1, n).arg(2, layout.slices).arg(3, partial).arg(REDUCE_ARG_C + 2, shape.ldc());
        } else {
            main.arg(ARG_C + 2, shape.ldc());
        }
        if (seams.im2col() != null) {
            int[] geometry = seams.im2col().arguments();
            int first = afterC();
            for (int i = 0; i < geometry.length; i++) {
                main.arg(first + i, geometry[i]);
            }
        }
        if (seams.scalePixels() > 0) {
            main.arg(ARG_C + 4, seams.scalePixels());       // after the scale buffer, set on each run
        }
        if (batch != null) {
            // after alpha and beta: the products' spacing in A (floats), packed B (float4s) and C (floats)
            int at = epilogueArgument() + 2;
            main.arg(at, (int) batch.strideA()).arg(at + 1, (int) (panelFloats() / 4)).arg(at + 2, (int) batch.strideC());
        }
    }

    /** Index of the main kernel's first argument after C's (c, offc, ldc), or after the partial sums of split forms. */
    private int afterC() {
        return reduce != null ? ARG_C + 1 : ARG_C + 3;
    }

    /** Index of the epilogue's first argument (alpha, or bias / residual) on the kernel that stores C. */
    private int epilogueArgument() {
        if (reduce != null) {
            return REDUCE_ARG_C + 3;
        }
        return ARG_C + 3 + (seams.im2col() != null ? seams.im2col().arguments().length : 0)
                + (seams.depthwise() != null ? seams.depthwise().buffers() : 0) + (seams.scalePixels() > 0 ? 2 : 0)
                + (seams.norm() != null ? 1 : 0);
    }

    private static ClProgram program(ClContext cl, GemmConfig.Variant form, Defines d) {
        String file = "gemm/gemm_" + form.name().toLowerCase(Locale.ROOT) + ".cl";
        Epilogue e = d.epilogue == null ? new Epilogue(null, false, null) : d.epilogue;
        return ConvKernels.program(cl, KernelSource.load(file).withHeader("gemm/gemm_common.cl"), d.options,
                e.activation(), e.bias(), e.residual());
    }

    /** The build options of the form, its seams and the shape's transposes, and the epilogue to add. */
    private record Defines(BuildOptions options, Epilogue epilogue) {
    }

    private Defines defines(GemmLayout l) {
        BuildOptions o = config.defines().define("FUSED", seams.epilogue() != null ? 1 : 0);
        if (slicesC()) {
            o = o.define("C_SLICE", 1);
        }
        if (l.panels) {
            o = o.define("A_PACKED", l.packA ? 1 : 0);
            if (!l.packB) {
                o = o.define("B_PACKED", 0);
            }
        }
        if (half()) {
            o = o.define("STORE_HALF", 1);
        }
        if (seams.scalePixels() > 0) {
            o = o.define("A_SCALE", 1);
        }
        if (seams.norm() != null) {
            o = Depthwise.clip(o.define("A_NORM", 1), "NORM", seams.norm()).define("NORM_FULL", wholeVectors() ? 1 : 0);
        }
        if (seams.depthwise() != null) {
            // (the CPU form's vectors of channels; the tiled form computes element by element)
            o = seams.depthwise().defines(o).define("DW_FULL", wholeVectors() ? 1 : 0);
        } else if (seams.im2col() != null) {
            o = o.define("A_IM2COL", 1);
        } else if (!l.packA) {
            o = o.define("TRANS_A", shape.transA() ? 1 : 0);
        }
        if (l.vectorA) {
            o = o.define("A_VEC4", 1);
        }
        if (!l.packB) {
            o = o.define("TRANS_B", shape.transB() ? 1 : 0);
        }
        if (config.variant() == GemmConfig.Variant.SPLITK) {
            o = o.define("MT", l.rowsPerItem);
        }
        if (config.splitsK()) {
            o = o.define("SPLIT_REDUCE", 1);
        }
        if (batch != null) {
            o = o.define("BATCHED", 1);
        }
        return new Defines(o, seams.epilogue());
    }

    /** The CPU form's runs of columns of A are whole vectors: K and the K slice are multiples of VW. */
    private boolean wholeVectors() {
        return config.variant() == GemmConfig.Variant.CPU && shape.k() % config.vw() == 0
                && config.tk() % config.vw() == 0;
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> made, T resource) {
        made.add(resource);
        return resource;
    }

    private static void closeAll(List<AutoCloseable> resources) {
        // kernel objects first (they were made first), as they may hold the buffers as arguments
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception ignored) {
                // close() of kernels and buffers does not throw; nothing to add to the caller's failure
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("This Gemm (" + shape + ", " + config + ") was closed");
        }
    }

    private static void checkExtent(String name, ClBuffer buf, long offset, long extent) {
        if (buf == null) {
            throw new IllegalArgumentException("Gemm: buffer " + name + " is missing");
        }
        if (offset < 0 || offset + extent > buf.floats()) {
            throw new IllegalArgumentException("Gemm: buffer " + name + " holds " + buf.floats()
                    + " floats but offset " + offset + " plus the " + extent + " floats the shape needs exceeds it");
        }
        if (offset + extent > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Gemm: operand " + name + " is larger than 2^31 floats");
        }
    }

    static int roundUp(int value, int multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            // kernel objects first, as they may hold the buffers as arguments; each was made for this
            // Gemm (ClProgram.kernel makes a new one)
            List<AutoCloseable> all = new ArrayList<>();
            for (AutoCloseable r : new AutoCloseable[] {main, reduce, packerA, packerB, partial, packedA, packedB,
                    stagedB, alignedB}) {
                if (r != null) {
                    all.add(r);
                }
            }
            closeAll(all);
        }
    }
}
