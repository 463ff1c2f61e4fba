package dev.clnn.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClKernel;
import dev.clnn.cl.KernelSource;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * Permutes the dimensions of a tensor of any rank: output dimension {@code k} is input dimension
 * {@code perm[k]} ({@code kernels/layout/transpose.cl}); also the NCHW / NHWC conversions at a
 * model's edges ({@link #nchwToNhwc}, {@link #nhwcToNchw}). Exact: elements are only moved.
 *
 * <p>The permutation is folded first: dimensions of size 1 dropped, neighbours that stay neighbours
 * merged (NCHW to NHWC becomes the batched 2-D transpose {@code (N, C, HW) -> (N, HW, C)}). Variants:
 * <ul>
 *   <li>{@code GENERAL}: one element per work-item over the folded dimensions (at most 8).</li>
 *   <li>{@code ROWS}: the last dimension stays last: contiguous runs copied
 *       {@link KernelConfig#vectorWidth()} floats at a time.</li>
 *   <li>{@code TILED}: batched 2-D transpose through local-memory tiles of side
 *       sqrt({@link KernelConfig#workGroupSize()}) (GPU; the work-group size must be 16, 64, 256 or 1024).</li>
 *   <li>{@code BLOCKED}: batched 2-D transpose, an 8x8 block per work-item in registers (CPU).</li>
 * </ul>
 * The tuned configuration uses {@code ROWS} when it applies, else the table's 2-D variant when the
 * folded permutation is a 2-D transpose, else {@code GENERAL}.
 */
public final class Transpose extends KernelOp<TransposeParams> {
    private static final String OP = "Transpose";

    public enum Variant { GENERAL, ROWS, TILED, BLOCKED }

    private static final int MAX_DIMS = 8;
    /** Block side of the BLOCKED variant (transpose.cl's TB). */
    private static final int BLOCK = 8;

    private final KernelConfig<Variant> config;
    private final Folded folded;
    private final ClKernel kernel;
    private final int tile;

    /** The folded permutation: input dimensions (in input order) and the output order of them. */
    private record Folded(int[] dims, int[] perm) {
        boolean keepsLast() {
            return perm.length <= 1 || perm[perm.length - 1] == perm.length - 1;
        }

        boolean is2d() {
            return Arrays.equals(perm, new int[] {1, 0}) || Arrays.equals(perm, new int[] {0, 2, 1});
        }

        /** {B, R, C} of a 2-D transpose. */
        int[] batch() {
            return perm.length == 2 ? new int[] {1, dims[0], dims[1]} : dims.clone();
        }
    }

    private Transpose(ClContext cl, TransposeParams params, Shape input, KernelConfig<Variant> config, Folded folded) {
        super(OP, cl, params, input, params.outputShape(input), config);
        this.config = config;
        this.folded = folded;
        this.tile = (int) Math.round(Math.sqrt(config.workGroupSize()));
        int vw = config.variant() == Variant.ROWS ? config.vectorWidth() : 1;
        BuildOptions options = BuildOptions.none().define("VW", vw).define("TS", tile).define("TB", BLOCK);
        String name = config.variant() == Variant.TILED ? "transpose2d_local"
                : config.variant() == Variant.BLOCKED ? "transpose2d_block" : "transpose";
        KernelSource source = KernelSource.load("layout/transpose.cl").withHeader("common/vector.cl");
        this.kernel = build(source, options, name);
    }

    /**
     * Configures {@code params} for inputs of {@code input} shape with the best variant that applies.
     *
     * @throws IllegalArgumentException when the permutation does not match the input's rank
     */
    public static Transpose configure(ClContext cl, TransposeParams params, Shape input) {
        Folded f = fold(params, input);
        KernelConfig<Variant> tuned = KernelConfig.tuned("transpose", cl.device(), Variant.class);
        Variant v = Variant.GENERAL;
        if (tuned.variant() != Variant.GENERAL) {
            boolean twoD = tuned.variant() == Variant.TILED || tuned.variant() == Variant.BLOCKED;
            v = f.keepsLast() ? Variant.ROWS : f.is2d() && twoD ? tuned.variant() : Variant.GENERAL;
        }
        if (v == Variant.TILED && !tileFits(tuned, cl)) {
            v = Variant.GENERAL;
        }
        return create(cl, params, input, tuned.with(v), f);
    }

    /**
     * Configures with an explicit variant (tests, tuning).
     *
     * @throws IllegalArgumentException when the permutation does not match the input's rank or the
     *                                  variant does not apply to the folded permutation
     */
    public static Transpose configure(ClContext cl, TransposeParams params, Shape input, KernelConfig<Variant> config) {
        Folded f = fold(params, input);
        boolean ok = switch (config.variant()) {
            case ROWS -> f.keepsLast();
            case TILED -> f.is2d() && tileFits(config, cl);
            case BLOCKED -> f.is2d();
            default -> true;
        };
        if (!ok) {
            throw new IllegalArgumentException(OP + " " + params + " of input shape " + input + ": variant "
                    + config + " does not apply (folded to " + Arrays.toString(f.dims()) + " permuted "
                    + Arrays.toString(f.perm()) + ")");
        }
        return create(cl, params, input, config, f);
    }

    /** Whether {@code variant} applies to {@code params} on inputs of {@code input} shape. */
    public static boolean applies(Variant variant, TransposeParams params, Shape input) {
        Folded f = fold(params, input);
        return switch (variant) {
            case ROWS -> f.keepsLast();
            case TILED, BLOCKED -> f.is2d();
            default -> true;
        };
    }

    /** Configures the conversion {@code (N, C, H, W) -> (N, H, W, C)}. */
    public static Transpose nchwToNhwc(ClContext cl, Shape nchw) {
        return configure(cl, TransposeParams.NCHW_TO_NHWC, nchw);
    }

    /** Configures the conversion {@code (N, H, W, C) -> (N, C, H, W)}. */
    public static Transpose nhwcToNchw(ClContext cl, Shape nhwc) {
        return configure(cl, TransposeParams.NHWC_TO_NCHW, nhwc);
    }

    private static Transpose create(ClContext cl, TransposeParams params, Shape input, KernelConfig<Variant> config,
                                    Folded f) {
        if (f.perm().length > MAX_DIMS) {
            throw new IllegalArgumentException(OP + " " + params + " of input shape " + input + " folds to "
                    + f.perm().length + " dimensions; the kernel takes " + MAX_DIMS);
        }
        return new Transpose(cl, params, input, config, f);
    }

    private static boolean tileFits(KernelConfig<Variant> config, ClContext cl) {
        int wg = config.workGroupSize();
        int side = (int) Math.round(Math.sqrt(wg));
        return side * side == wg && wg <= cl.device().maxWorkGroupSize()
                && 4L * side * (side + 1) <= cl.device().localMemBytes();
    }

    static Folded fold(TransposeParams params, Shape input) {
        if (params == null || input == null) {
            throw new IllegalArgumentException(OP + ": params and input shape are required");
        }
        if (params.rank() != input.rank()) {
            throw new IllegalArgumentException(OP + " " + params + ": permutation of rank " + params.rank()
                    + " for input shape " + input + " of rank " + input.rank());
        }
        OpSupport.elements(OP, input);
        int[] perm = params.perm();
        // output order of the input dimensions that are not 1, then runs of consecutive input dimensions
        List<List<Integer>> runs = new ArrayList<>();
        for (int p : perm) {
            if (input.dim(p) == 1) {
                continue;
            }
            List<Integer> last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last != null && last.get(last.size() - 1) == previousKept(input, p)) {
                last.add(p);
            } else {
                runs.add(new ArrayList<>(List.of(p)));
            }
        }
        List<List<Integer>> byInput = new ArrayList<>(runs);
        byInput.sort((a, b) -> Integer.compare(a.get(0), b.get(0)));
        int[] dims = new int[runs.size()];
        int[] fp = new int[runs.size()];
        for (int i = 0; i < dims.length; i++) {
            int size = 1;
            for (int a : byInput.get(i)) {
                size *= input.dim(a);
            }
            dims[i] = size;
            fp[i] = byInput.indexOf(runs.get(i));
        }
        return new Folded(dims, fp);
    }

    /** The nearest input dimension before {@code axis} whose size is not 1, or -1. */
    private static int previousKept(Shape input, int axis) {
        for (int a = axis - 1; a >= 0; a--) {
            if (input.dim(a) != 1) {
                return a;
            }
        }
        return -1;
    }

    public KernelConfig<Variant> config() { return config; }

    /**
     * Enqueues the transpose of {@code x} into {@code y}: {@code x} is read, {@code y} written. They
     * must be different tensors. Layout labels are not checked: the conversion helpers produce
     * NHWC from NCHW and back, and the caller labels {@code y} when it allocates it.
     *
     * @throws IllegalArgumentException when a shape differs from the configured ones, they share a
     *                                  buffer, or a tensor lives in another context
     * @throws IllegalStateException    when a tensor was closed
     */
    public void run(Tensor x, Tensor y) {
        if (!checkCopy(x, y)) {
            return;
        }
        switch (config.variant()) {
            case TILED: {
                int[] brc = folded.batch();
                kernel.args(brc[1], brc[2], x.buffer(), y.buffer());
                kernel.launch(new long[] {OpSupport.roundUp(brc[2], tile), OpSupport.roundUp(brc[1], tile), brc[0]},
                        new long[] {tile, tile, 1});
                return;
            }
            case BLOCKED: {
                int[] brc = folded.batch();
                kernel.args(brc[1], brc[2], x.buffer(), y.buffer());
                kernel.launch(new long[] {OpSupport.ceilDiv(brc[2], BLOCK), OpSupport.ceilDiv(brc[1], BLOCK), brc[0]},
                        null);
                return;
            }
            default:
                runGeneral(x, y);
        }
    }

    /** The {@code transpose} kernel: rows of {@code inner} floats (ROWS) or single elements (GENERAL). */
    private void runGeneral(Tensor x, Tensor y) {
        int[] dims = folded.dims();
        int[] perm = folded.perm();
        int rank = perm.length;
        boolean rowsVariant = config.variant() == Variant.ROWS && rank > 0;
        int inner = rowsVariant ? dims[rank - 1] : 1;
        int rowDims = rowsVariant ? rank - 1 : rank;
        long[] strides = Shape.of(dims).strides();
        int[] od = new int[MAX_DIMS];
        int[] st = new int[MAX_DIMS];
        int lead = MAX_DIMS - rowDims;
        long rows = 1;
        for (int k = 0; k < MAX_DIMS; k++) {
            od[k] = k < lead ? 1 : dims[perm[k - lead]];
            st[k] = k < lead ? 0 : (int) strides[perm[k - lead]];
            rows *= od[k];
        }
        List<Object> args = new ArrayList<>(List.of((int) rows, inner));
        Arrays.stream(od).forEach(args::add);
        Arrays.stream(st).forEach(args::add);
        args.add(x.buffer());
        args.add(y.buffer());
        kernel.args(args.toArray());
        int vw = config.variant() == Variant.ROWS ? config.vectorWidth() : 1;
        launch(rows * OpSupport.ceilDiv(inner, vw));
    }

    /** The output's layout label for an input labelled {@code in}: NCHW and NHWC swap under the conversions. */
    public Layout outputLayout(Layout in) {
        if (params().equals(TransposeParams.NCHW_TO_NHWC) && in == Layout.NCHW) {
            return Layout.NHWC;
        }
        if (params().equals(TransposeParams.NHWC_TO_NCHW) && in == Layout.NHWC) {
            return Layout.NCHW;
        }
        return Layout.ROW_MAJOR;
    }
}
