package dev.clnn.ops;

import java.util.ArrayList;
import java.util.List;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.KernelSource;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * Constant padding of a tensor of any rank (up to 8 padded-or-not dimension groups) and layout:
 * {@code y[i + begin] = x[i]}, every other element of {@code y} is the pad value
 * ({@code kernels/layout/pad.cl}). {@code y} has shape {@code x.dim(k) + begin[k] + end[k]}.
 *
 * <p>Variants:
 * <ul>
 *   <li>{@code GENERAL}: one element per work-item, every dimension decomposed; rank at most 8.</li>
 *   <li>{@code ROWS}: neighbouring dimensions without padding are merged and the trailing unpadded
 *       ones form contiguous runs (NHWC spatial padding copies whole rows of channels), copied
 *       {@link KernelConfig#vectorWidth()} floats per work-item.</li>
 * </ul>
 *
 * <pre>{@code
 * Pad pad = Pad.configure(cl, PadParams.nhwc(1, 1, 1, 1), x.shape());   // (N, H, W, C) -> (N, H+2, W+2, C)
 * pad.run(x, y);
 * }</pre>
 */
public final class Pad extends KernelOp<PadParams> {
    private static final String OP = "Pad";

    public enum Variant { GENERAL, ROWS }

    private static final int MAX_DIMS = 8;

    private final KernelConfig<Variant> config;
    /** Row dimensions (output, input, begin), outermost first, padded to MAX_DIMS; and the run length. */
    private final int[] od = new int[MAX_DIMS];
    private final int[] id = new int[MAX_DIMS];
    private final int[] bd = new int[MAX_DIMS];
    private final int inner;
    private final int rows;
    private final int vw;

    private Pad(ClContext cl, PadParams params, Shape input, KernelConfig<Variant> config, List<int[]> groups,
                int inner) {
        super(OP, cl, params, input, params.outputShape(input), config);
        this.config = config;
        OpSupport.elements(OP, outputShape());
        this.inner = inner;
        int lead = MAX_DIMS - groups.size();
        int r = 1;
        for (int k = 0; k < MAX_DIMS; k++) {
            int[] g = k < lead ? new int[] {1, 1, 0, 0} : groups.get(k - lead);
            od[k] = g[0] + g[2] + g[3];
            id[k] = g[1];
            bd[k] = g[2];
            r *= od[k];
        }
        this.rows = r;
        this.vw = config.variant() == Variant.ROWS ? config.vectorWidth() : 1;
        KernelSource source = KernelSource.load("layout/pad.cl").withHeader("common/vector.cl");
        build(source, BuildOptions.none().define("VW", vw), "pad");
    }

    /**
     * Configures {@code params} for inputs of {@code input} shape with the device's tuned variant.
     *
     * @throws IllegalArgumentException when the pads do not match the input's rank
     */
    public static Pad configure(ClContext cl, PadParams params, Shape input) {
        return configure(cl, params, input, KernelConfig.tuned("pad", cl.device(), Variant.class));
    }

    /**
     * Configures with an explicit variant (tests, tuning).
     *
     * @throws IllegalArgumentException when the pads do not match the input's rank, or the
     *                                  dimensions do not fit the kernel's eight
     */
    public static Pad configure(ClContext cl, PadParams params, Shape input, KernelConfig<Variant> config) {
        if (params == null || input == null) {
            throw new IllegalArgumentException(OP + ": params and input shape are required");
        }
        if (params.rank() != input.rank()) {
            throw new IllegalArgumentException(OP + " " + params + ": " + params.rank()
                    + " pads for input shape " + input + " of rank " + input.rank());
        }
        List<int[]> groups = groups(params, input, config.variant() == Variant.ROWS);
        int inner = 1;
        int[] last = groups.isEmpty() ? null : groups.get(groups.size() - 1);
        if (config.variant() == Variant.ROWS && last != null && last[2] == 0 && last[3] == 0) {
            inner = last[0];        // the trailing unpadded dimensions: contiguous runs in x and y
            groups.remove(groups.size() - 1);
        }
        if (groups.size() > MAX_DIMS) {
            throw new IllegalArgumentException(OP + " " + params + ": input shape " + input + " needs " + groups.size()
                    + " dimensions after merging; the kernel takes " + MAX_DIMS);
        }
        return new Pad(cl, params, input, config, groups, inner);
    }

    /** {size in, size in, begin, end} per dimension; with {@code merge}, neighbours without padding merged. */
    private static List<int[]> groups(PadParams params, Shape input, boolean merge) {
        List<int[]> groups = new ArrayList<>();
        for (int k = 0; k < input.rank(); k++) {
            int b = params.begin()[k];
            int e = params.end()[k];
            int[] last = groups.isEmpty() ? null : groups.get(groups.size() - 1);
            if (merge && b == 0 && e == 0 && last != null && last[2] == 0 && last[3] == 0) {
                last[0] *= input.dim(k);
                last[1] *= input.dim(k);
            } else {
                groups.add(new int[] {input.dim(k), input.dim(k), b, e});
            }
        }
        return groups;
    }

    public KernelConfig<Variant> config() { return config; }

    /**
     * Enqueues the padding of {@code x} into {@code y}: {@code x} is read, every element of
     * {@code y} written. They must be different tensors.
     *
     * @throws IllegalArgumentException when a shape differs from the configured ones, they share a
     *                                  buffer, or a tensor lives in another context
     * @throws IllegalStateException    when a tensor was closed
     */
    public void run(Tensor x, Tensor y) {
        if (!checkCopy(x, y)) {
            return;
        }
        List<Object> args = new ArrayList<>(List.of(rows, inner, params().value()));
        for (int[] dims : new int[][] {od, id, bd}) {
            for (int v : dims) {
                args.add(v);
            }
        }
        args.add(x.buffer());
        args.add(y.buffer());
        kernel().args(args.toArray());
        launch((long) rows * OpSupport.ceilDiv(inner, vw));
    }
}
