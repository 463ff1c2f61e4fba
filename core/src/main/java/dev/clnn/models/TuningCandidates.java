package dev.clnn.models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Node;
import dev.clnn.graph.Op;
import dev.clnn.ops.Pool2dParams;
import dev.clnn.ops.Tuning;

/**
 * What {@link Tuner} tries: for each tuning family the configurations worth timing on a kind of
 * device, and which family each node of a graph takes its kernel configuration from.
 */
final class TuningCandidates {
    /** The ops whose one kernel reads one family, by op class. */
    private static final Map<Class<? extends Op>, String> SIMPLE = Map.ofEntries(
            Map.entry(Op.Act.class, "activation"), Map.entry(Op.Unary.class, "activation"),
            Map.entry(Op.Binary.class, "eltwise"), Map.entry(Op.BinaryConst.class, "eltwise"),
            Map.entry(Op.Softmax.class, "softmax"), Map.entry(Op.BatchNorm.class, "batchnorm"),
            Map.entry(Op.LayerNorm.class, "layernorm"), Map.entry(Op.Pad.class, "pad"),
            Map.entry(Op.Transpose.class, "transpose"), Map.entry(Op.Concat.class, "concat"),
            Map.entry(Op.Slice.class, "slice"), Map.entry(Op.Widen.class, "concat"));

    private TuningCandidates() {
    }

    /** The families a node's kernels read from the tuning table (empty for nodes without kernels). */
    static List<String> families(Node node, ClDevice device) {
        String gemm = device.isCpu() ? "gemm_cpu" : "gemm_tiled";
        Op op = node.op();
        if (op instanceof Op.ConvInto into) {
            op = into.conv();       // a convolution written into channels of a wider tensor: its own families
        } else if (op instanceof Op.Widen w && w.conv() != null) {
            op = w.conv();
        }
        if (op instanceof Op.Conv c) {
            int groups = c.params().groups();
            boolean pointwise = c.weightShape().dim(0) == 1 && c.weightShape().dim(1) == 1
                    && c.params().strideH() == 1 && c.params().strideW() == 1 && groups == 1
                    && c.params().padTop() + c.params().padLeft() + c.params().padBottom() + c.params().padRight() == 0;
            if (pointwise) {
                return List.of(gemm, "gemm_splitk");
            }
            return groups > 1 ? List.of("depthwise") : List.of("conv2d", gemm);
        }
        if (op instanceof Op.Separable || op instanceof Op.Scaled || op instanceof Op.Normalized) {
            return List.of(gemm);       // a block joined into one product of the GEMM's form
        }
        if (op instanceof Op.Dense || op instanceof Op.MatMul) {
            return List.of(gemm, "gemm_splitk");
        }
        if (op instanceof Op.Pool p) {
            return List.of(p.params().mode() == Pool2dParams.Mode.GLOBAL_AVERAGE ? "globalpool" : "pool2d");
        }
        String family = SIMPLE.get(op.getClass());
        return family == null ? List.of() : List.of(family);
    }

    /** The configurations to time for {@code family} on {@code device}; the table's entry comes first. */
    static List<Map<String, String>> of(String family, ClDevice device) {
        boolean cpu = device.isCpu();
        int[] widths = cpu ? new int[] {4, 8, 16} : new int[] {1, 2, 4};
        List<Map<String, String>> out = new ArrayList<>();
        Map<String, String> table = Tuning.fromTable(family, device);
        out.add(table == null ? entry("general") : table);
        switch (family) {
            case "activation", "pool2d", "concat", "slice", "layernorm" -> vectors(out, "vector", widths);
            case "eltwise" -> vectors(out, "same", widths);
            case "pad" -> vectors(out, "rows", widths);
            case "batchnorm" -> vectors(out, "channels_last", widths);
            case "softmax" -> {
                vectors(out, "rows", widths);
                groups(out, "rows_local", device);
            }
            case "globalpool" -> {
                vectors(out, "vector", widths);
                groups(out, "local", device);
            }
            case "transpose" -> {
                vectors(out, "rows", widths);
                out.add(entry("blocked", "VW", cpu ? "16" : "4"));
                groups(out, "tiled", device);
            }
            case "conv2d" -> {
                for (int vw : widths) {
                    for (int wb : new int[] {1, 2, 4}) {
                        out.add(entry("direct", "VW", vw, "WB", wb));
                    }
                }
                out.add(entry("implicit_gemm"));
                // Winograd for the 3x3 stride-1 layers, the others as implicit GEMM (the H200: ResNet-18 at
                // batch 64 1.76x with F(4x4, 3x3))
                for (int tile : new int[] {2, 4}) {
                    out.add(entry("implicit_gemm", "WINOGRAD", tile));
                }
            }
            case "depthwise" -> {
                for (int vw : widths) {
                    for (int wb : new int[] {2, 4}) {
                        for (int hb : new int[] {1, 2}) {
                            out.add(withTableKeys(entry("vector", "VW", vw, "WB", wb, "HB", hb), table, "WG", "MAX_KS"));
                        }
                    }
                }
            }
            case "gemm_cpu" -> {
                String vw = table == null ? "8" : table.getOrDefault("VW", "8");      // the SIMD width the table knows
                for (int mr : new int[] {4, 6, 8}) {
                    for (int nv : new int[] {2, 4}) {
                        for (int tk : new int[] {128, 256}) {
                            out.add(entry("cpu", "MR", mr, "VW", vw, "NV", nv, "TM", 16 * mr, "TK", tk));
                        }
                    }
                }
            }
            case "gemm_tiled" -> {
                int[][] tiles = {{32, 32, 16, 4, 4}, {64, 64, 16, 4, 4}, {64, 64, 8, 4, 4}, {128, 64, 8, 8, 4},
                    {64, 128, 8, 4, 8}, {128, 128, 8, 8, 8}, {128, 128, 16, 8, 8}};
                for (int[] t : tiles) {
                    out.add(withTableRules(
                            entry("tiled", "TM", t[0], "TN", t[1], "TK", t[2], "WM", t[3], "WN", t[4]), table));
                }
                for (int tk : new int[] {8, 16}) {
                    // the large tile with double-buffered slices (one barrier per step)
                    out.add(withTableRules(entry("tiled", "TM", 128, "TN", 128, "TK", tk, "WM", 8, "WN", 8, "DB", 1), table));
                }
                if (table != null && "tiled".equals(table.get("variant")) && !table.containsKey("K_GROUPS")) {
                    // the table's entry with K groups for the few-tile products (MobileNet's pointwise layers at
                    // batch 1 on the H200: 1.8x)
                    Map<String, String> grouped = new LinkedHashMap<>(table);
                    grouped.put("K_GROUPS", "4");
                    out.add(grouped);
                }
            }
            case "gemm_splitk" -> {
                for (int ks : new int[] {64, 128, 256, 512}) {
                    out.add(entry("splitk", "KS", ks, "THIN_KS", Math.max(32, ks / 4)));
                }
            }
            default -> {
                // no candidates beyond the table's
            }
        }
        return distinct(out);
    }

    /**
     * A candidate for the main tile of the tiled form, with what the table's entry says about every
     * other shape kept: the NARROW_, MID_ and SMALL_ tiles (and their STRIDED_ forms), SPLIT_STEPS and K_GROUPS.
     * A tuning run on one network (MobileNet, say) must not drop the rules the others need (ResNet's
     * deep layers take K slices through SPLIT_STEPS, 3-5x faster on the H200).
     */
    static Map<String, String> withTableRules(Map<String, String> candidate, Map<String, String> table) {
        if (table != null) {
            table.forEach((k, v) -> {
                String tier = k.startsWith("STRIDED_") ? k.substring("STRIDED_".length()) : k;
                if (tier.startsWith("SMALL_") || tier.startsWith("MID_") || tier.startsWith("NARROW_")
                        || k.equals("SPLIT_STEPS") || tier.equals("K_GROUPS")) {
                    candidate.put(k, v);
                }
            });
        }
        return candidate;
    }

    /**
     * A candidate with the table entry's {@code keys} kept where the entry has them: a depthwise
     * candidate keeps the entry's work-group size (one compiled shape on CPUs) and the largest kernel it
     * gives the blocked form, which tuning on one network must not drop for the others.
     */
    static Map<String, String> withTableKeys(Map<String, String> candidate, Map<String, String> table, String... keys) {
        if (table != null) {
            for (String k : keys) {
                if (table.containsKey(k)) {
                    candidate.put(k, table.get(k));
                }
            }
        }
        return candidate;
    }

    private static void vectors(List<Map<String, String>> out, String variant, int[] widths) {
        out.add(entry("general"));
        for (int vw : widths) {
            out.add(entry(variant, "VW", vw));
        }
    }

    private static void groups(List<Map<String, String>> out, String variant, ClDevice device) {
        for (int wg : new int[] {64, 128, 256}) {
            if (wg <= device.maxWorkGroupSize()) {
                out.add(entry(variant, "WG", wg));
            }
        }
    }

    private static Map<String, String> entry(String variant, Object... keyValues) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("variant", variant);
        for (int i = 0; i < keyValues.length; i += 2) {
            e.put(keyValues[i].toString(), keyValues[i + 1].toString());
        }
        return e;
    }

    private static List<Map<String, String>> distinct(List<Map<String, String>> in) {
        List<Map<String, String>> out = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (Map<String, String> e : in) {
            String key = Tuning.format(e);
            if (!seen.contains(key)) {
                seen.add(key);
                out.add(e);
            }
        }
        return out;
    }
}
