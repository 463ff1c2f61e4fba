package dev.clnn.ops;

import dev.clnn.cl.ClDevice;

/**
 * Where a {@link Gemm}'s operands live and how its kernels are launched, fixed at configure time:
 * which operands are packed and the padded extents of their panels, the split-K slicing, and the
 * global and work-group sizes of each kernel (as each {@code kernels/gemm} file documents them).
 */
final class GemmLayout {
    /** Work-group width of the split-K kernels of a thin product: columns of a row of B read together. */
    private static final int SPLITK_GROUP = 64;

    /** The form reads packed panels (cpu, tiled). */
    final boolean panels;
    /** A is packed on each run; else the kernel reads it strided, in place. */
    final boolean packA;
    /**
     * The tiled form reads a layer's A, a plain fp32 matrix (not transposed; lda and K multiples of 4), in
     * float4s along k ({@code A_VEC4}) rather than element by element; {@code -Dclnn.gemm.vectorA=off} turns
     * it off.
     */
    final boolean vectorA;
    /**
     * B is packed (on each run, or once when constant); else the kernel reads it strided, in place (the
     * tiled form: a B that changes on every run and that no tile reaches past).
     */
    final boolean packB;
    /** Padded extents of the panels: rows of A, columns of B, depth. */
    final int mPad;
    final int nPad;
    final int kPad;
    /** The panels are packed by gemm_pack_rows (a k-row of a panel per work-item), else by gemm_pack. */
    final boolean packRows;
    /** Panel widths gemm_pack.cl writes: MR and NR for the cpu form, the whole padded side for the tiled one. */
    final int panelA;
    final int panelB;
    /** Split-K: slices of K, and rows of C per work-item of the partial sums. */
    final int slices;
    final int rowsPerItem;
    final long[] global;
    final long[] local;
    final long[] reduceGlobal;
    final long[] reduceLocal;

    private GemmLayout(boolean packA, boolean packB, int mPad, int nPad, int kPad, int panelA, int panelB, int slices,
                       int rowsPerItem, long[][] ranges) {
        this(packA, false, packB, false, mPad, nPad, kPad, panelA, panelB, slices, rowsPerItem, ranges);
    }

    private GemmLayout(boolean packA, boolean vectorA, boolean packB, boolean packRows, int mPad, int nPad, int kPad,
                       int panelA, int panelB, int slices, int rowsPerItem, long[][] ranges) {
        this.vectorA = vectorA;
        this.panels = panelB > 0;       // the panel forms: their panel of B, packed or read in place
        this.packRows = packRows;
        this.packA = packA;
        this.packB = packB;
        this.mPad = mPad;
        this.nPad = nPad;
        this.kPad = kPad;
        this.panelA = panelA;
        this.panelB = panelB;
        this.slices = slices;
        this.rowsPerItem = rowsPerItem;
        this.global = ranges[0];
        this.local = ranges[1];
        this.reduceGlobal = ranges.length > 2 ? ranges[2] : null;
        this.reduceLocal = ranges.length > 2 ? ranges[3] : null;
    }

    static GemmLayout of(GemmConfig c, GemmShape s, Gemm.Seams seams, ClDevice device) {
        return of(c, s, seams, device, 1);
    }

    /** The layout of {@code count} products of the shape in one launch ({@link Gemm.Batch}; the tiled form only). */
    static GemmLayout of(GemmConfig c, GemmShape s, Gemm.Seams seams, ClDevice device, int count) {
        int m = s.m();
        int n = s.n();
        int k = s.k();
        // the general kernels' square work-groups: 256 items where the device allows
        int side = device.maxWorkGroupSize() >= 256 ? 16 : 8;
        switch (c.variant()) {
            case CPU: {
                int mPad = Gemm.roundUp(m, c.mr());
                int nr = c.blockN();
                int nPad = Gemm.roundUp(n, nr);
                long strips = (m + c.blockM() - 1) / c.blockM();
                // NOTE: A is packed only where that pays: stored transposed, a block's MR values per k are
                // one short run lda apart, a new cache line (and page, for lda >= 1024) per k; as stored,
                // its MR rows are unit-stride streams as good as a panel, and packing would cost a pass.
                boolean packA = seams.packA() && s.transA();
                // NOTE: work-groups of one work-item (a register block's strip is a task in itself). Left
                // to the driver, PoCL shapes them by the range (1x1, 2x1, 2x3, 4x1 for MobileNet's layers) and
                // compiles the kernel once per shape on first launch, seconds each on a cold cache.
                return new GemmLayout(packA, false, true, true, mPad, nPad, k, c.mr(), nr, 0, 0,
                        new long[][] {{nPad / nr, strips}, {1, 1}});
            }
            case TILED: {
                int mPad = Gemm.roundUp(m, c.tm());
                int nPad = Gemm.roundUp(n, c.tn());
                int kPad = Gemm.roundUp(k, c.tk());
                long[] global = {nPad / c.wn(), mPad / c.wm()};
                // NOTE: a B packed on every run is copied as it is (the tiled form reads op(B) rows of n): where
                // no tile reaches past it, the kernel reads it in place instead, a pass over B fewer (SGEMM
                // n=2048 on the H200: the two packing passes were 0.063 of 0.448 ms a call)
                // (in 16-byte loads: its rows must start on 16-byte boundaries, ldb a multiple of 4; Gemm copies a B
                // at an offset that is not to an aligned scratch first)
                boolean packB = seams.constantB() || s.transB() || count > 1 || n % c.tn() != 0 || k % c.tk() != 0
                        || s.ldb() % 4 != 0;
                // NOTE: a plain product still packs A (gemm_pack_transpose): read in place in float4s along k, its
                // transposed stores into local memory made SGEMM on the H200 slower (n=2048: 0.455 ms a call
                // against 0.398 packed). A layer's A, read in place anyway, takes them (H200, bench --resident,
                // alternated: MobileNet v1 at batch 64 16,430-16,456 -> 19,332-19,390 img/s, ResNet-50 3,321-3,323
                // -> 3,797-3,799).
                boolean vectorA = !seams.packA() && OpSupport.switchedOn(VECTOR_PROPERTY) && vectorA(s, seams, count);
                long[] local = {c.tn() / c.wn(), c.tm() / c.wm()};
                if (c.ks() == 0) {
                    // K groups: a third dimension of work-items within each work-group; a batch: of work-groups
                    long[][] range = c.kg() == 1 && count == 1 ? new long[][] {global, local}
                            : new long[][] {{global[0], global[1], (long) c.kg() * count}, {local[0], local[1], c.kg()}};
                    return new GemmLayout(seams.packA(), vectorA, packB, false, mPad, nPad, kPad, mPad, nPad, 0, 0,
                            range);
                }
                // split K: a third dimension of work-groups, one per slice, then the sum of the slices
                int slices = (kPad + c.ks() - 1) / c.ks();
                long[][] ranges = {{global[0], global[1], slices}, {local[0], local[1], 1},
                    {Gemm.roundUp(n, side), Gemm.roundUp(m, side)}, {side, side}};
                return new GemmLayout(seams.packA(), vectorA, packB, false, mPad, nPad, kPad, mPad, nPad, slices, 0,
                        ranges);
            }
            case SPLITK: {
                int slices = (k + c.ks() - 1) / c.ks();
                if (m <= GemmConfig.SPLITK_MAX_ROWS) {
                    // a thin product: a work-item sums its slice for every row of one column
                    int w = (int) Math.min(SPLITK_GROUP, device.maxWorkGroupSize());
                    long columns = Gemm.roundUp(n, w);
                    return new GemmLayout(false, false, m, n, k, 0, 0, slices, m, new long[][] {
                        {columns, 1, slices}, {w, 1, 1}, {columns, m}, {w, 1}});
                }
                long columns = Gemm.roundUp(n, side);
                long rows = Gemm.roundUp(m, side);
                return new GemmLayout(false, false, m, n, k, 0, 0, slices, 1, new long[][] {
                    {columns, rows, slices}, {side, side, 1}, {columns, rows}, {side, side}});
            }
            default:
                return new GemmLayout(false, false, m, n, k, 0, 0, 0, 0, new long[][] {
                    {Gemm.roundUp(n, side), Gemm.roundUp(m, side)}, {side, side}});
        }
    }

    /** {@code -Dclnn.gemm.vectorA=on|off}: whether the tiled form reads a layer's plain A in float4s (default on). */
    static final String VECTOR_PROPERTY = "clnn.gemm.vectorA";

    /** Whether the tiled form can read A in float4s along k in place (not whether it should). */
    private static boolean vectorA(GemmShape s, Gemm.Seams seams, int count) {
        return count == 1 && !s.transA() && s.lda() % 4 == 0 && s.k() % 4 == 0
                && seams.im2col() == null && seams.depthwise() == null && seams.scalePixels() == 0
                && seams.norm() == null && (seams.epilogue() == null || !seams.epilogue().half());
    }

    /** Floats a work-item of gemm_pack_rows copies at least: runs long enough to amortise the item. */
    private static final int PACK_RUN = 256;

    /** Panels per work-item of gemm_pack_rows for panels of {@code panel}. */
    static int packCount(int panel) {
        return Math.max(1, PACK_RUN / panel);
    }

    /** The global size of the packing kernel for an operand of {@code padded} rows in panels of {@code panel}. */
    long[] packRange(int padded, int panel) {
        int count = packCount(panel);
        return packRows ? new long[] {kPad, (padded / panel + count - 1) / count} : new long[] {padded, kPad};
    }

    /** Block side and work-item rows of gemm_pack_transpose (gemm_pack.cl). */
    static final int TRANSPOSE_BLOCK = 32;
    static final int TRANSPOSE_ROWS = 8;

    /**
     * The global size of gemm_pack_transpose for an operand of {@code padded} rows: a work-group of
     * {@link #TRANSPOSE_BLOCK} x {@link #TRANSPOSE_ROWS} work-items per block of the depth and the rows.
     */
    long[] transposeRange(int padded) {
        return new long[] {Gemm.roundUp(kPad, TRANSPOSE_BLOCK),
            (long) Gemm.roundUp(padded, TRANSPOSE_BLOCK) / TRANSPOSE_BLOCK * TRANSPOSE_ROWS};
    }

    static final long[] TRANSPOSE_LOCAL = {TRANSPOSE_BLOCK, TRANSPOSE_ROWS};

    /**
     * The packing kernel's work-groups: one work-item each for the CPU's row packer (a run of at least
     * {@link #PACK_RUN} floats is a task in itself; left to the driver, PoCL shaped them by the range and
     * compiled the kernel once per shape: 15 shapes for MobileNet v2), the driver's choice otherwise.
     */
    long[] packLocal() {
        return packRows ? new long[] {1, 1} : null;
    }
}
