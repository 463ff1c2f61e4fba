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
        this(packA, packB, false, mPad, nPad, kPad, panelA, panelB, slices, rowsPerItem, ranges);
    }

    private GemmLayout(boolean packA, boolean packB, boolean packRows, int mPad, int nPad, int kPad, int panelA,
                       int panelB, int slices, int rowsPerItem, long[][] ranges) {
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
                return new GemmLayout(packA, true, true, mPad, nPad, k, c.mr(), nr, 0, 0,
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
                boolean packB = seams.constantB() || s.transB() || count > 1 || n % c.tn() != 0 || k % c.tk() != 0;
                long[] local = {c.tn() / c.wn(), c.tm() / c.wm()};
                if (c.ks() == 0) {
                    // K groups: a third dimension of work-items within each work-group; a batch: of work-groups
                    long[][] range = c.kg() == 1 && count == 1 ? new long[][] {global, local}
                            : new long[][] {{global[0], global[1], (long) c.kg() * count}, {local[0], local[1], c.kg()}};
                    return new GemmLayout(seams.packA(), packB, mPad, nPad, kPad, mPad, nPad, 0, 0, range);
                }
                // split K: a third dimension of work-groups, one per slice, then the sum of the slices
                int slices = (kPad + c.ks() - 1) / c.ks();
                return new GemmLayout(seams.packA(), packB, mPad, nPad, kPad, mPad, nPad, slices, 0, new long[][] {
                    {global[0], global[1], slices}, {local[0], local[1], 1},
                    {Gemm.roundUp(n, side), Gemm.roundUp(m, side)}, {side, side}});
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

    /**
     * The packing kernel's work-groups: one work-item each for the CPU's row packer (a run of at least
     * {@link #PACK_RUN} floats is a task in itself; left to the driver, PoCL shaped them by the range and
     * compiled the kernel once per shape: 15 shapes for MobileNet v2), the driver's choice otherwise.
     */
    long[] packLocal() {
        return packRows ? new long[] {1, 1} : null;
    }
}
