package dev.clnn.ops;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClKernel;
import dev.clnn.tensor.Shape;

/**
 * The Winograd variant of {@link Conv2d} ({@code kernels/conv/winograd.cl}): a 3x3, stride-1 convolution
 * as {@code (MT + 2)^2} matrix products of the GEMM family between a transformed input and transformed
 * weights, for output tiles of {@code MT x MT} ({@link Conv2dConfig#wb()}: 2 or 4). F(4x4, 3x3) takes 2.25
 * multiplies per output and input channel where the implicit GEMM takes 9.
 *
 * <p>Configure: builds the three transform kernels and the products (B constant: the transformed weights,
 * packed by {@link #reloadWeights}): with the tiled form, one {@link Gemm} that computes all of them in one
 * launch ({@link Gemm.Batch}: each product alone would leave most of a GPU idle; ResNet-18's 14x14x256
 * layers at batch 64 ran 36 products of 1024 x 256 x 256 at 4.6 TFLOPS one by one on the H200), else one
 * per position; and reserves the transformed input and the products in the {@link Workspace}. Run: the
 * input transform, the products, and the output transform with the layer's epilogue (bias, activation,
 * residual), all enqueued.
 */
final class WinogradConv extends DeviceOp {
    private static final String FILE = "conv/winograd.cl";

    private final Workspace workspace;
    private final int tile;
    private final int positions;        // (MT + 2)^2
    private final int tiles;            // P: N * TH * TW
    private final int cin;
    private final int cout;
    private final long inputFloats;     // of the transformed input in the workspace, before the products
    private final ClKernel transformWeights;
    private final ClKernel transformInput;
    private final ClKernel transformOutput;
    private final int groupSize;
    private final ClBuffer transformed;
    private final Gemm[] products;

    WinogradConv(ClContext cl, Conv2dParams params, Conv2dConfig config, Shape input, Shape output, boolean hasBias,
                 Workspace workspace) {
        this.workspace = workspace;
        this.tile = config.wb();
        int alpha = tile + 2;
        this.positions = alpha * alpha;
        this.cin = input.dim(3);
        this.cout = output.dim(3);
        int th = ConvKernels.ceilDiv(output.dim(1), tile);
        int tw = ConvKernels.ceilDiv(output.dim(2), tile);
        long p = (long) output.dim(0) * th * tw;
        if (!indexable(positions, p, cin, cout)) {
            throw new IllegalArgumentException("Conv2d: the Winograd variant's transformed input and products for"
                    + " input " + input + " (" + positions + " x " + p + " tiles x " + (cin + cout) + " channels)"
                    + " have 2^31 elements or more; use the implicit GEMM for this shape");
        }
        this.tiles = (int) p;
        this.inputFloats = (long) positions * tiles * cin;
        this.groupSize = (int) Math.min(256, cl.device().maxWorkGroupSize());
        BuildOptions options = ConvKernels.storage(BuildOptions.none().define("MT", tile), params.storage());
        // kernel objects before the buffers they may hold as arguments (DeviceOp closes in this order)
        transformWeights = own(ConvKernels.build(cl, FILE, "winograd_weights", options, params.activation(), hasBias,
                params.residual()));
        transformInput = own(ConvKernels.build(cl, FILE, "winograd_input", options, params.activation(), hasBias,
                params.residual()));
        transformOutput = own(ConvKernels.build(cl, FILE, "winograd_output", options, params.activation(), hasBias,
                params.residual()));
        GemmShape shape = GemmShape.of(tiles, cout, cin);
        Gemm.Seams seams = new Gemm.Seams(false, true, null);
        if (Gemm.takesBatch(config.gemm())) {
            products = new Gemm[] {own(Gemm.configureBatch(cl, shape, config.gemm(), seams, new Gemm.Batch(positions,
                    (long) tiles * cin, (long) cin * cout, (long) tiles * cout)))};
        } else {
            products = new Gemm[positions];
            for (int xi = 0; xi < positions; xi++) {
                products[xi] = own(Gemm.configure(cl, shape, config.gemm(), seams));
            }
        }
        transformed = own(cl.buffer((long) positions * cin * cout));
        int[] in = {input.dim(1), input.dim(2), cin, th, tw, tiles, params.padTop(), params.padLeft()};
        for (int i = 0; i < in.length; i++) {
            transformInput.arg(2 + i, in[i]);
        }
        // the products follow the transformed input in the workspace
        transformOutput.arg(2, inputFloats);
        int[] out = {output.dim(1), output.dim(2), cout, th, tw, tiles};
        for (int i = 0; i < out.length; i++) {
            transformOutput.arg(3 + i, out[i]);
        }
        workspace.reserve(inputFloats + (long) positions * tiles * cout);
    }

    /** Whether the transformed input and products (the GEMMs' A and C, by int offsets) are indexable. */
    static boolean indexable(int positions, long tiles, int cin, int cout) {
        return positions * tiles * (cin + cout) < Integer.MAX_VALUE;
    }

    /** Transforms the HWIO weights {@code (3, 3, cin, cout)} and packs each position's B; enqueued. */
    void reloadWeights(ClBuffer weights) {
        transformWeights.args(weights, transformed, cin, cout);
        transformWeights.launch(range((long) cin * cout), new long[] {groupSize});
        long size = (long) cin * cout;
        for (int xi = 0; xi < products.length; xi++) {
            products[xi].repack(transformed, xi * size);
        }
    }

    /** Enqueues the convolution: {@code bias} and {@code residual} as the epilogue takes them (else null). */
    void run(ClBuffer x, ClBuffer bias, ClBuffer residual, ClBuffer y) {
        ClBuffer scratch = workspace.buffer();
        transformInput.arg(0, x).arg(1, scratch);
        transformInput.launch(range((long) tiles * cin), new long[] {groupSize});
        long inStride = (long) tiles * cin;
        long outStride = (long) tiles * cout;
        long size = (long) cin * cout;
        // one batched product (positions spaced as these strides are), or one product per position
        for (int xi = 0; xi < products.length; xi++) {
            products[xi].run(1f, scratch, xi * inStride, transformed, xi * size, 0f, scratch,
                    inputFloats + xi * outStride);
        }
        ClKernel k = transformOutput;
        k.arg(0, scratch).arg(1, y);
        int next = 9;       // after m, y, the products' offset and the six geometry arguments
        if (bias != null) {
            k.arg(next++, bias);
        }
        if (residual != null) {
            k.arg(next, residual);
        }
        k.launch(range((long) tiles * cout), new long[] {groupSize});
    }

    private long[] range(long items) {
        return new long[] {(items + groupSize - 1) / groupSize * groupSize};
    }

    @Override
    protected String describe() {
        return "Winograd F(" + tile + "x" + tile + ", 3x3) of " + tiles + " tiles, " + cin + " -> " + cout
                + " channels";
    }
}
