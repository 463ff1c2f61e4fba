package dev.clnn.ops;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClDevice;

/**
 * Which GEMM kernel runs and with which parameters: an immutable record rendered into the
 * kernel's {@code -D} defines.
 *
 * <ul>
 *   <li>{@code GENERAL}: one work-item per element of C; always correct, any device.</li>
 *   <li>{@code CPU}: packed panels, an {@code mr x (nv*vw)} register block per work-item, explicit
 *       vectors of {@code vw} floats, no local memory ({@code gemm_cpu.cl}).</li>
 *   <li>{@code TILED}: packed operands, a {@code tm x tn} tile per work-group staged {@code tk} deep in
 *       local memory, a {@code wm x wn} register tile per work-item ({@code gemm_tiled.cl}).</li>
 *   <li>{@code SPLITK}: K is cut into slices of {@code ks} computed in parallel, then a second kernel
 *       sums the slices. For pointwise convolutions and {@link Dense} ({@code conv/pointwise_splitk.cl},
 *       with the fused epilogue) it takes results of at most {@link #SPLITK_MAX_ROWS} rows, a dense
 *       layer at a small batch; {@link Gemm} ({@code gemm/gemm_splitk.cl}) takes any shape and chooses
 *       it for deep products whose result gives a GPU too few tiles.</li>
 * </ul>
 */
public record GemmConfig(Variant variant, int mr, int vw, int nv, int tm, int tn, int tk, int wm, int wn, int ks) {

    public enum Variant { GENERAL, CPU, TILED, SPLITK }

    /** The most rows of the result the split-K variant computes (its accumulators are registers). */
    public static final int SPLITK_MAX_ROWS = 8;

    public GemmConfig {
        switch (variant) {
            case CPU:
                require(mr >= 1 && mr <= 32, "MR must be in 1..32");
                require(vw == 4 || vw == 8 || vw == 16, "VW must be 4, 8 or 16");
                require(nv >= 1 && nv <= 8, "NV must be in 1..8");
                break;
            case TILED:
                require(wm % 4 == 0 && wn % 4 == 0 && wm > 0 && wn > 0, "WM and WN must be positive multiples of 4");
                require(tm % wm == 0 && tn % wn == 0, "TM and TN must be multiples of WM and WN");
                int threads = (tm / wm) * (tn / wn);
                require(tk > 0 && (tk * tm / 4) % threads == 0 && (tk * tn / 4) % threads == 0,
                        "TK*TM/4 and TK*TN/4 must be multiples of the work-group size " + threads);
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
        return new GemmConfig(Variant.GENERAL, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    public static GemmConfig cpu(int mr, int vw, int nv) {
        return new GemmConfig(Variant.CPU, mr, vw, nv, 0, 0, 0, 0, 0, 0);
    }

    public static GemmConfig tiled(int tm, int tn, int tk, int wm, int wn) {
        return new GemmConfig(Variant.TILED, 0, 0, 0, tm, tn, tk, wm, wn, 0);
    }

    /** Split-K with slices of {@code ks} along K (results of at most {@link #SPLITK_MAX_ROWS} rows). */
    public static GemmConfig splitk(int ks) {
        return new GemmConfig(Variant.SPLITK, 0, 0, 0, 0, 0, 0, 0, 0, ks);
    }

    /** The configuration the tuning table gives {@code device}. */
    public static GemmConfig forDevice(ClDevice device) {
        return fromMap(Tuning.lookup("gemm", device));
    }

    /**
     * The tuned configuration of {@code family} for an {@code m x n} result on {@code device}. A
     * result of at most {@link #SPLITK_MAX_ROWS} rows takes the family's {@code <family>_thin} entry
     * when the table has one for the device (split-K for GPUs: a tile would leave them idle). When
     * the tuned tile leaves most compute units idle (fewer work-groups than units, as for MobileNet's
     * 7x7 pointwise layers), the family's {@code <family>_small} entry is used instead if the table
     * has one. Falls back to the general kernel when a tiled variant does not fit the device.
     */
    public static GemmConfig tuned(String family, ClDevice device, long m, long n) {
        Map<String, String> thin = m <= SPLITK_MAX_ROWS ? Tuning.find(family + "_thin", device) : null;
        if (thin != null) {
            return fromMap(thin);
        }
        GemmConfig config = fromMap(Tuning.lookup(family, device));
        if (config.variant == Variant.TILED) {
            Map<String, String> small = Tuning.find(family + "_small", device);
            if (config.tiles(m, n) < device.computeUnits() && small != null) {
                config = fromMap(small);
            }
        }
        return config.localBytes() <= device.localMemBytes() && config.workGroupSize() <= device.maxWorkGroupSize()
                ? config : general();
    }

    /** Parses {@code variant=...} plus the variant's defines, as in the tuning table. */
    public static GemmConfig fromMap(Map<String, String> p) {
        Variant v = Variant.valueOf(p.get("variant").toUpperCase(Locale.ROOT));
        switch (v) {
            case CPU:
                return cpu(num(p, "MR"), num(p, "VW"), num(p, "NV"));
            case TILED:
                return tiled(num(p, "TM"), num(p, "TN"), num(p, "TK"), num(p, "WM"), num(p, "WN"));
            case SPLITK:
                return splitk(num(p, "KS"));
            default:
                return general();
        }
    }

    private static int num(Map<String, String> p, String key) {
        String s = p.get(key);
        if (s == null) {
            throw new IllegalArgumentException("GEMM tuning entry " + p + " lacks " + key);
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
        return variant == Variant.CPU ? mr : tm;
    }

    /** Columns of C per work-group (TILED) or work-item (CPU). */
    int blockN() {
        return variant == Variant.CPU ? nv * vw : tn;
    }

    /** Work-group bytes of local memory the variant needs. */
    long localBytes() {
        return variant == Variant.TILED ? 4L * tk * (tm + tn) : 0;
    }

    /** Work-items per work-group the variant needs (0: any). */
    long workGroupSize() {
        return variant == Variant.TILED ? (long) (tm / wm) * (tn / wn) : 0;
    }

    BuildOptions defines() {
        Map<String, Object> d = new LinkedHashMap<>();
        if (variant == Variant.CPU) {
            d.put("MR", mr);
            d.put("VW", vw);
            d.put("NV", nv);
        } else if (variant == Variant.SPLITK) {
            d.put("KS", ks);
        } else if (variant == Variant.TILED) {
            d.put("TM", tm);
            d.put("TN", tn);
            d.put("TK", tk);
            d.put("WM", wm);
            d.put("WN", wn);
        }
        return BuildOptions.none().defineAll(d);
    }

    @Override
    public String toString() {
        switch (variant) {
            case CPU: return "cpu(MR=" + mr + " VW=" + vw + " NV=" + nv + ")";
            case TILED: return "tiled(TM=" + tm + " TN=" + tn + " TK=" + tk + " WM=" + wm + " WN=" + wn + ")";
            case SPLITK: return "splitk(KS=" + ks + ")";
            default: return "general";
        }
    }
}
