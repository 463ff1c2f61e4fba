package dev.clnn.ops;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClDevice;

/**
 * Which form of the GEMM kernel family runs and with which parameters: an immutable record rendered
 * into the kernel's {@code -D} defines. The operand loading and the epilogue, the family's other two
 * choices, belong to the {@link Gemm} that runs it.
 *
 * <ul>
 *   <li>{@code GENERAL}: one work-item per element of C; always correct, any device ({@code gemm_general.cl}).</li>
 *   <li>{@code CPU}: a strip of {@code tm} rows by {@code nv*vw} columns per work-item, computed in
 *       {@code mr x (nv*vw)} register blocks of explicit vectors of {@code vw} floats, K walked in slices
 *       of {@code tk} (0: whole) so that a slice of the B panel is reused from L1 by every block of the
 *       strip; no local memory ({@code gemm_cpu.cl}).</li>
 *   <li>{@code TILED}: a {@code tm x tn} tile per work-group staged {@code tk} deep in local memory, a
 *       {@code wm x wn} register tile per work-item ({@code gemm_tiled.cl}); with {@code ks > 0}, K is
 *       cut into slices of {@code ks} taken by separate work-groups, whose sums a second kernel adds
 *       (split K, for results with too few tiles to fill the device); with {@code kg > 1}, a work-group
 *       is {@code kg} groups of work-items sharing its tile, each taking every {@code kg}-th slice of
 *       {@code tk}, their sums added in local memory at the end (K groups: one launch, for results with
 *       too few tiles whose work-groups' time is their steps' latency); with {@code db = 1} (no K groups),
 *       two pairs of local slices, the next stored while the current is read: one barrier per step.</li>
 *   <li>{@code SPLITK}: K is cut into slices of {@code ks} computed in parallel, then a second kernel sums
 *       the slices ({@code gemm_splitk.cl}); for products whose result gives a GPU too few tiles. A work-item
 *       computes every row of a result of at most {@link #SPLITK_MAX_ROWS} rows, one row otherwise.</li>
 * </ul>
 *
 * <p>{@link #select} is the one rule that picks a configuration for a product from the tuning table's
 * {@code gemm_cpu}, {@code gemm_tiled} and {@code gemm_splitk} families (see {@code tuning.properties}).
 */
public record GemmConfig(Variant variant, int mr, int vw, int nv, int tm, int tn, int tk, int wm, int wn, int ks,
                         int kg, int db) {

    public enum Variant { GENERAL, CPU, TILED, SPLITK }

    /** The most rows of a result whose split-K work-items compute all its rows (a dense layer at a small batch). */
    public static final int SPLITK_MAX_ROWS = 8;
    /** Below this many multiply-adds the general kernel wins over packing A and B on every run. */
    static final long SMALL = 48L * 48 * 48;
    /** K at least this many times the larger side of C makes a product with few tiles deep (split-K). */
    static final int DEEP = 4;
    /** Work-items per compute unit the CPU form's strips are cut to give, where the result has enough rows. */
    static final int ITEMS_PER_CORE = 4;
    /**
     * A CPU-form panel of B larger than this (K x NR floats, in bytes) is deep: every extra strip
     * streams it again from memory or the last-level cache, so strips are cut only to one work-item
     * per compute unit, not {@link #ITEMS_PER_CORE}.
     */
    static final long DEEP_PANEL_BYTES = 1L << 20;

    public GemmConfig {
        require(kg >= 1 && kg <= 64, "KG must be in 1..64");
        require(kg == 1 || variant == Variant.TILED && ks == 0, "K groups (KG > 1) are for the tiled form without K slices");
        require(db == 0 || db == 1, "DB must be 0 or 1");
        require(db == 0 || variant == Variant.TILED && kg == 1, "double-buffered slices (DB=1) are for the tiled form without K groups");
        switch (variant) {
            case CPU:
                require(mr >= 1 && mr <= 32, "MR must be in 1..32");
                require(vw == 4 || vw == 8 || vw == 16, "VW must be 4, 8 or 16");
                require(nv >= 1 && nv <= 8, "NV must be in 1..8");
                require(tm >= mr && tm % mr == 0, "TM must be a positive multiple of MR");
                // the strip's sums between K slices live on the work-item's stack
                require((long) tm * nv * vw <= 16384, "TM * NV * VW must be at most 16384 floats");
                require(tk >= 0, "TK must be 0 (all of K) or positive");
                break;
            case TILED:
                require(wm % 4 == 0 && wn % 4 == 0 && wm > 0 && wn > 0, "WM and WN must be positive multiples of 4");
                require(tm % wm == 0 && tn % wn == 0, "TM and TN must be multiples of WM and WN");
                int threads = (tm / wm) * (tn / wn);
                require(tk > 0 && (tk * tm / 4) % threads == 0 && (tk * tn / 4) % threads == 0,
                        "TK*TM/4 and TK*TN/4 must be multiples of the work-group size " + threads);
                require(ks >= 0 && ks % tk == 0, "KS must be 0 (all of K) or a positive multiple of TK");
                break;
            case SPLITK:
                require(ks >= 1 && ks <= 65536, "KS must be in 1..65536");
                break;
            default:
                break;
        }
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("Invalid GEMM parameters: " + what);
        }
    }

    public static GemmConfig general() {
        return new GemmConfig(Variant.GENERAL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0);
    }

    /** The CPU form with one register block per work-item and K unsliced. */
    public static GemmConfig cpu(int mr, int vw, int nv) {
        return cpu(mr, vw, nv, mr, 0);
    }

    /** The CPU form with strips of {@code tm} rows per work-item and K slices of {@code tk} (0: all of K). */
    public static GemmConfig cpu(int mr, int vw, int nv, int tm, int tk) {
        return new GemmConfig(Variant.CPU, mr, vw, nv, tm, 0, tk, 0, 0, 0, 1, 0);
    }

    public static GemmConfig tiled(int tm, int tn, int tk, int wm, int wn) {
        return tiled(tm, tn, tk, wm, wn, 0);
    }

    /** The tiled form with K cut into slices of {@code ks} (a multiple of {@code tk}; 0: all of K). */
    public static GemmConfig tiled(int tm, int tn, int tk, int wm, int wn, int ks) {
        return tiled(tm, tn, tk, wm, wn, ks, 1);
    }

    /**
     * The tiled form with K cut into slices of {@code ks} (0: all of K) or, with {@code kg > 1} (and no
     * slices), its work-groups made of {@code kg} groups of work-items that share the tile along K.
     */
    public static GemmConfig tiled(int tm, int tn, int tk, int wm, int wn, int ks, int kg) {
        return new GemmConfig(Variant.TILED, 0, 0, 0, tm, tn, tk, wm, wn, ks, kg, 0);
    }

    /**
     * This form with {@code db} (0 or 1): with 1, the tiled form holds two pairs of local slices and
     * stores the next while the current is read, one barrier per step (not with K groups).
     */
    GemmConfig withDoubleBuffer(int db) {
        return new GemmConfig(variant, mr, vw, nv, tm, tn, tk, wm, wn, ks, kg, db);
    }

    /** This tiled form with K cut into slices of {@code ks} (0: all of K, keeping its K groups). */
    GemmConfig withSlices(int ks) {
        return tiled(tm, tn, tk, wm, wn, ks, ks > 0 ? 1 : kg).withDoubleBuffer(db);
    }

    /** Whether the form cuts K into slices summed by a second kernel. */
    boolean splitsK() {
        return variant == Variant.SPLITK || (variant == Variant.TILED && ks > 0);
    }

    /** Split-K with slices of {@code ks} along K. */
    public static GemmConfig splitk(int ks) {
        return new GemmConfig(Variant.SPLITK, 0, 0, 0, 0, 0, 0, 0, 0, ks, 1, 0);
    }

    /**
     * The configuration of an {@code m x k} by {@code k x n} product on {@code device}: the one rule,
     * documented with the table in {@code tuning.properties}.
     * <ol>
     *   <li>Small products whose operands would be packed on every run: the general kernel.</li>
     *   <li>Thin products ({@code m <= SPLITK_MAX_ROWS}), and deep ones ({@code k >= DEEP * max(m, n)}
     *       with fewer tuned tiles than compute units) unless the tiled entry gives {@code SPLIT_STEPS}:
     *       split-K, where the table has a {@code gemm_splitk} entry for the device.</li>
     *   <li>Otherwise the device's form ({@code gemm_cpu} for CPUs, {@code gemm_tiled} otherwise). The
     *       CPU form's block and strip are {@link #fitted} to the result. The tiled form takes its
     *       {@code NARROW_} tile for a result at most half as wide as the tuned tile; then, while compute
     *       units have no tile, its {@code MID_} and {@code SMALL_} tiles, except for a product with K
     *       at least as long as either side whose tile already reaches half the compute units; then K
     *       slices ({@link #slicedToFill}) for deep and such long products where the entry gives
     *       {@code SPLIT_STEPS}, or split-K for a product packed on each run that still leaves compute
     *       units idle, or else K groups ({@link #groupedToFill}) where the entry gives {@code K_GROUPS}
     *       and compute units are still idle.</li>
     *   <li>The general kernel when nothing is tuned or the tile does not fit the device.</li>
     * </ol>
     *
     * @param stridedA A is read in place rather than packed on each run (pointwise convolutions,
     *                 {@link Dense}); selects the table's {@code STRIDED_} values
     */
    static GemmConfig select(ClDevice device, long m, long n, long k, boolean stridedA) {
        if (!stridedA && m * n * k < SMALL) {
            return general();
        }
        Map<String, String> entry = Tuning.find(device.isCpu() ? "gemm_cpu" : "gemm_tiled", device);
        String prefix = stridedA ? "STRIDED_" : "";
        GemmConfig tuned = entry == null ? general() : fromMap(entry, prefix);
        Map<String, String> split = Tuning.find("gemm_splitk", device);
        int splitSteps = tuned.variant == Variant.TILED ? num(entry, prefix, "SPLIT_STEPS", 0) : 0;
        boolean thin = m <= SPLITK_MAX_ROWS;
        boolean deep = k >= DEEP * Math.max(m, n) && tuned.variant == Variant.TILED
                && tuned.tiles(m, n) < device.computeUnits();
        if (split != null && (thin || (deep && splitSteps == 0))) {
            tuned = fromMap(split, thin ? "THIN_" : "");
        } else if (tuned.variant == Variant.CPU) {
            tuned = tuned.fitted(m, n, k, device.computeUnits());
        } else if (tuned.variant == Variant.TILED) {
            if (2L * n <= tuned.tn && entry.containsKey("NARROW_TM")) {
                // a result at most half as wide as the tile: the narrow tile, not columns of padding
                tuned = fromMap(entry, "NARROW_");
            }
            // A product with a long K (at least either side) whose tile nearly fills the device (a tile for
            // at least half the compute units) keeps its tile and takes K slices where the entry allows
            // them: ResNet's last 3x3 layers at batch 64, 3136 x 512 by K = 4608, ran at 13 TFLOPS on the
            // 64x64 tier.
            boolean longK = splitSteps > 0 && k >= Math.max(m, n) && 2 * tuned.tiles(m, n) >= device.computeUnits();
            // smaller tiers until every compute unit has a tile: MID_ (when tuned), then SMALL_
            for (String tier : new String[] {"MID_", "SMALL_"}) {
                if (longK || tuned.tiles(m, n) >= device.computeUnits()) {
                    break;
                }
                String key = stridedA && (tier.equals("MID_") || entry.containsKey("STRIDED_" + tier + "TM"))
                        ? "STRIDED_" + tier : tier;
                if (entry.containsKey(key + "TM")) {
                    tuned = fromMap(entry, key);
                }
            }
            if ((deep || longK) && splitSteps > 0) {
                tuned = tuned.slicedToFill(m, n, k, splitSteps, device.computeUnits());
            } else if (!stridedA && split != null && tuned.tiles(m, n) < device.computeUnits()) {
                // a product packed on each run that not even the smallest tile spreads over the device
                // (SGEMM n=256 on the H200: 0.44 TFLOPS in 32x32 tiles, 1.8 with split-K)
                tuned = fromMap(split, "");
            } else if (tuned.tiles(m, n) < device.computeUnits()) {
                // few tiles, each a long walk along K: K groups shorten the walk in the same launch
                tuned = tuned.groupedToFill(k, num(entry, prefix, "K_GROUPS", 1), device.maxWorkGroupSize());
            }
        }
        return Gemm.fits(tuned, device) ? tuned : general();
    }

    /**
     * The CPU form for an {@code m x k} by {@code k x n} product read in place on {@code device},
     * {@link #fitted} to the result as {@link #select} fits it, or null when the table gives the device
     * no CPU form. The products only that form computes (a depthwise A) take it whatever the rule
     * would pick for a plain product of the shape (split-K for a thin one, say).
     */
    static GemmConfig cpuForm(ClDevice device, long m, long n, long k) {
        GemmConfig tuned = cpuEntry(device);
        return tuned == null ? null : tuned.fitted(m, n, k, device.computeUnits());
    }

    /** The table's CPU form for a product read in place on {@code device}, before fitting; null when none. */
    private static GemmConfig cpuEntry(ClDevice device) {
        Map<String, String> entry = device.isCpu() ? Tuning.find("gemm_cpu", device) : null;
        if (entry == null) {
            return null;
        }
        GemmConfig tuned = fromMap(entry, "STRIDED_");
        return tuned.variant == Variant.CPU ? tuned : null;
    }

    /**
     * The form for a separable product ({@code SeparableConv}: A computed from a depthwise convolution,
     * read in place) of {@code m x k} by {@code k x n} on {@code device}: the CPU form {@link #cpuForm}
     * on CPUs; elsewhere the tiled form the rule picks for the shape, without K slices, or the table's
     * main tiled form where the rule picks another; null when the table gives the device neither.
     */
    static GemmConfig separableForm(ClDevice device, long m, long n, long k) {
        if (device.isCpu()) {
            return cpuForm(device, m, n, k);
        }
        Map<String, String> entry = Tuning.find("gemm_tiled", device);
        if (entry == null) {
            return null;
        }
        GemmConfig picked = select(device, m, n, k, true);
        GemmConfig tiled = picked.variant == Variant.TILED ? picked.withSlices(0) : fromMap(entry, "STRIDED_");
        return tiled.variant == Variant.TILED && Gemm.fits(tiled, device) ? tiled : null;
    }

    /**
     * Columns of C one work-item of the device's CPU form computes at most (NV * VW of its table entry),
     * or 0 when the table gives the device no CPU form.
     */
    static int cpuPanelWidth(ClDevice device) {
        GemmConfig c = cpuEntry(device);
        return c == null ? 0 : c.nv * c.vw;
    }

    /**
     * This tiled form with K cut into as many slices as bring its work-groups up to one per compute
     * unit, each slice at least {@code minSteps} steps of TK deep; unchanged when that allows fewer
     * than two slices.
     */
    GemmConfig slicedToFill(long m, long n, long k, int minSteps, int computeUnits) {
        long tiles = tiles(m, n);
        long kPad = (k + tk - 1) / tk * tk;
        long slices = Math.min((computeUnits + tiles - 1) / tiles, kPad / ((long) tk * minSteps));
        if (slices < 2) {
            return this;
        }
        long steps = (kPad / tk + slices - 1) / slices;
        return withSlices((int) (steps * tk));
    }

    /** Steps of TK a K group takes at least ({@link #groupedToFill}). */
    static final int GROUP_STEPS = 2;

    /**
     * This tiled form with its work-groups made of the most K groups, a power of two, up to
     * {@code maxGroups}, that the device's work-group size allows and that leave each group at least
     * {@link #GROUP_STEPS} slices of TK; unchanged when that is one group.
     */
    GemmConfig groupedToFill(long k, int maxGroups, long maxWorkGroupSize) {
        long slices = (k + tk - 1) / tk;
        long threads = (long) (tm / wm) * (tn / wn);
        int groups = 1;
        while (2L * groups <= maxGroups && 2L * groups * threads <= maxWorkGroupSize
                && slices >= 2L * groups * GROUP_STEPS) {
            groups *= 2;
        }
        return groups == 1 ? this : tiled(tm, tn, tk, wm, wn, 0, groups);     // K groups take no double buffer
    }

    /**
     * The CPU form fitted to an {@code m x n} result: the fewest vectors per block row that cover
     * {@code n} in as many column panels as the tuned block needs (n = 96 at 64 columns a block: two
     * panels of 48, not 64 + 32 with 32 columns of padding computed), and strips cut shorter, in whole
     * register blocks, until there are {@link #ITEMS_PER_CORE} work-items per compute unit where the
     * result allows: one per compute unit when the panels of B are deep ({@link #DEEP_PANEL_BYTES}),
     * as a thin, deep product's would be re-read by every strip (a dense layer's forward pass on a
     * large input in training: 32 x 128 by K = 21,632 ran 2.2x slower cut to 12 strips on 2 cores).
     * The strips then share the rows evenly (in whole blocks), so no core is left the short one.
     * A single row (a classifier at batch 1) takes blocks of one row: the MR - 1 rows a taller block
     * would compute past it are wasted work.
     */
    GemmConfig fitted(long m, long n, long k, int computeUnits) {
        if (m == 1 && mr > 1) {
            return cpu(1, vw, nv, 1, tk).fitted(m, n, k, computeUnits);
        }
        long columns = (n + (long) nv * vw - 1) / ((long) nv * vw);
        int v = (int) Math.max(1, Math.min(nv, ((n + columns - 1) / columns + vw - 1) / vw));
        boolean deep = 4L * k * v * vw > DEEP_PANEL_BYTES;
        long want = (long) (deep ? 1 : ITEMS_PER_CORE) * Math.max(1, computeUnits);
        int rows = tm;
        while (rows > mr && columns * ((m + rows - 1) / rows) < want) {
            rows -= mr;
        }
        // strips of one height (in whole blocks) rather than full ones and a stub: PoCL hands each core a
        // run of work-items, and MobileNet's 14x14 layers (M = 196) cut as 96 + 96 + 4 left one core two
        // full strips' items to the other's one: 196 x 512 by 512 took 0.339-0.341 ms (best of 300) in
        // strips of 96 against 0.254-0.267 in strips of 66 (bench gemm --layer, 2 cores, alternated)
        long strips = (m + rows - 1) / rows;
        rows = (int) Math.min(rows, ((m + strips - 1) / strips + mr - 1) / mr * mr);
        return cpu(mr, vw, v, rows, tk);
    }

    /** Parses {@code variant=...} plus the variant's defines, as in the tuning table. */
    public static GemmConfig fromMap(Map<String, String> p) {
        return fromMap(p, "");
    }

    /**
     * Parses a tuning entry, taking each parameter from {@code prefix + NAME} where the entry has that
     * key and from {@code NAME} otherwise.
     */
    private static GemmConfig fromMap(Map<String, String> p, String prefix) {
        Variant v;
        try {
            v = Variant.valueOf(p.get("variant").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("GEMM tuning entry " + p + " names an unknown variant; the forms are "
                    + java.util.Arrays.toString(Variant.values()).toLowerCase(Locale.ROOT));
        }
        switch (v) {
            case CPU: {
                int mr = num(p, prefix, "MR");
                return cpu(mr, num(p, prefix, "VW"), num(p, prefix, "NV"), num(p, prefix, "TM", mr),
                        num(p, prefix, "TK", 0));
            }
            case TILED:
                return tiled(num(p, prefix, "TM"), num(p, prefix, "TN"), num(p, prefix, "TK"), num(p, prefix, "WM"),
                        num(p, prefix, "WN"), num(p, prefix, "KS", 0), num(p, prefix, "KG", 1))
                        .withDoubleBuffer(num(p, prefix, "DB", 0));
            case SPLITK:
                return splitk(num(p, prefix, "KS"));
            default:
                return general();
        }
    }

    private static int num(Map<String, String> p, String prefix, String name) {
        return num(p, prefix, name, null);
    }

    /** {@code fallback} when the entry lacks the parameter; null makes it required. */
    private static int num(Map<String, String> p, String prefix, String name, Integer fallback) {
        String key = p.containsKey(prefix + name) ? prefix + name : name;
        String s = p.get(key);
        if (s == null && fallback != null) {
            return fallback;
        }
        if (s == null) {
            throw new IllegalArgumentException("GEMM tuning entry " + p + " lacks " + name);
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("GEMM tuning entry " + p + ": " + key + " is not a number: " + s);
        }
    }

    /** Work-groups (tiles of C) the TILED variant launches for an {@code m x n} result. */
    long tiles(long m, long n) {
        return ((m + tm - 1) / tm) * ((n + tn - 1) / tn);
    }

    /** Rows of C per work-group (TILED) or work-item (CPU). */
    int blockM() {
        return tm;
    }

    /** Columns of C per work-group (TILED) or work-item (CPU). */
    int blockN() {
        return variant == Variant.CPU ? nv * vw : tn;
    }

    /**
     * Work-group bytes of local memory the variant needs: the tiled form's A and B slices (one pair
     * per K group, two when double-buffered), or with K groups the sums of all but the first as they
     * meet, whichever is larger. An A slice of floats (A not packed) has {@link #A_SLICE_PAD} more
     * floats per row; counted for every A.
     */
    long localBytes() {
        return variant == Variant.TILED
                ? 4L * Math.max((long) kg * (1 + db) * tk * (tm + A_SLICE_PAD + tn), (long) (kg - 1) * tm * tn) : 0;
    }

    /** Floats of padding per row of the tiled form's local A slice of floats ({@code A_PAD}, gemm_tiled.cl). */
    static final int A_SLICE_PAD = 4;

    /** Work-items per work-group the variant needs (0: any). */
    long workGroupSize() {
        return variant == Variant.TILED ? (long) (tm / wm) * (tn / wn) * kg : 0;
    }

    BuildOptions defines() {
        Map<String, Object> d = new LinkedHashMap<>();
        if (variant == Variant.CPU) {
            d.put("MR", mr);
            d.put("VW", vw);
            d.put("NV", nv);
            d.put("TM", tm);
            d.put("TK", tk);
        } else if (variant == Variant.SPLITK) {
            d.put("KS", ks);
        } else if (variant == Variant.TILED) {
            d.put("TM", tm);
            d.put("TN", tn);
            d.put("TK", tk);
            d.put("WM", wm);
            d.put("WN", wn);
            d.put("KS", ks);
            d.put("A_PAD", A_SLICE_PAD);
            if (kg > 1) {
                d.put("KG", kg);
            }
            if (db > 0) {
                d.put("DB", db);
            }
        }
        return BuildOptions.none().defineAll(d);
    }

    @Override
    public String toString() {
        switch (variant) {
            case CPU: return "cpu(MR=" + mr + " VW=" + vw + " NV=" + nv + " TM=" + tm + " TK=" + tk + ")";
            case TILED: return "tiled(TM=" + tm + " TN=" + tn + " TK=" + tk + " WM=" + wm + " WN=" + wn
                    + (ks > 0 ? " KS=" + ks : "") + (kg > 1 ? " KG=" + kg : "") + (db > 0 ? " DB=" + db : "") + ")";
            case SPLITK: return "splitk(KS=" + ks + ")";
            default: return "general";
        }
    }
}
