package dev.clnn.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.clnn.cl.DeviceType;
import dev.clnn.cl.FakeDevices;
import dev.clnn.graph.Node;
import dev.clnn.graph.Op;
import dev.clnn.ops.Conv2dParams;
import dev.clnn.tensor.Shape;

class TuningCandidatesTest {
    private static Map<String, String> parse(String entry) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : entry.trim().split("\\s+")) {
            String[] p = kv.split("=", 2);
            m.put(p[0], p[1]);
        }
        return m;
    }

    /**
     * A candidate main tile keeps the table's other tiles, its K-slice rule and its K groups, and nothing
     * else of the table's.
     */
    @Test
    void aTiledCandidateKeepsTheTablesTiersAndSplitRule() {
        Map<String, String> table = parse("variant=tiled TM=128 TN=128 TK=8 WM=8 WN=8 STRIDED_TK=16 SPLIT_STEPS=4"
                + " K_GROUPS=8 NARROW_TM=128 NARROW_TN=64 MID_TM=64 SMALL_TM=32 STRIDED_SMALL_TM=32 STRIDED_MID_TK=16");
        Map<String, String> candidate = parse("variant=tiled TM=64 TN=64 TK=16 WM=4 WN=4");
        Map<String, String> expected = parse("variant=tiled TM=64 TN=64 TK=16 WM=4 WN=4 SPLIT_STEPS=4 K_GROUPS=8"
                + " NARROW_TM=128 NARROW_TN=64 MID_TM=64 SMALL_TM=32 STRIDED_SMALL_TM=32 STRIDED_MID_TK=16");
        assertEquals(expected, TuningCandidates.withTableRules(candidate, table),
                "the candidate's own tile stays; STRIDED_TK, a setting of the table's main tile, is not carried over");
        Map<String, String> alone = parse("variant=tiled TM=32 TN=32 TK=16 WM=4 WN=4");
        assertEquals(parse("variant=tiled TM=32 TN=32 TK=16 WM=4 WN=4"),
                TuningCandidates.withTableRules(alone, null), "no table entry: the candidate as it is");
    }

    /** A joined depthwise + pointwise block is timed as the product it is. */
    @Test
    void aSeparableBlockReadsTheGemmFamily() {
        Op.Conv dw = new Op.Conv(Conv2dParams.defaults().withGroups(4).withPadding(1), Shape.of(3, 3, 1, 4),
                new float[36], null);
        Op.Conv pw = new Op.Conv(Conv2dParams.defaults(), Shape.of(1, 1, 4, 8), new float[32], null);
        Node block = new Node("block", new Op.Separable(dw, pw), List.of("x"), "y");
        assertEquals(List.of("gemm_cpu"), TuningCandidates.families(block,
                FakeDevices.of(0, "Intel", "cpu", DeviceType.CPU, true, 2)));
        assertEquals(List.of("gemm_tiled"), TuningCandidates.families(block, FakeDevices.h200()));
    }

    /** Convolutions: the table's entry first, then the direct kernels, the implicit GEMM, and Winograd's two tiles. */
    @Test
    void convolutionCandidatesIncludeWinograd() {
        List<Map<String, String>> h200 = TuningCandidates.of("conv2d", FakeDevices.h200());
        assertEquals(parse("variant=implicit_gemm WINOGRAD=4"), h200.get(0), "the H200's table entry");
        assertEquals(1, h200.stream().filter(parse("variant=implicit_gemm WINOGRAD=4")::equals).count(), h200.toString());
        assertEquals(1, h200.stream().filter(parse("variant=implicit_gemm WINOGRAD=2")::equals).count(), h200.toString());
        assertEquals(1, h200.stream().filter(parse("variant=implicit_gemm")::equals).count(), h200.toString());
        assertEquals(1, h200.stream().filter(parse("variant=direct VW=4 WB=2")::equals).count(), h200.toString());
    }

    /** A depthwise candidate keeps the table's work-group size and its largest blocked kernel. */
    @Test
    void aDepthwiseCandidateKeepsTheTablesGroupsAndKernelSizes() {
        Map<String, String> table = parse("variant=vector VW=16 WB=4 HB=4 WG=32 MAX_KS=5");
        Map<String, String> candidate = parse("variant=vector VW=8 WB=2 HB=1");
        assertEquals(parse("variant=vector VW=8 WB=2 HB=1 WG=32 MAX_KS=5"),
                TuningCandidates.withTableKeys(candidate, table, "WG", "MAX_KS"));
        assertEquals(parse("variant=vector VW=8 WB=2 HB=1"),
                TuningCandidates.withTableKeys(parse("variant=vector VW=8 WB=2 HB=1"), parse("variant=vector VW=4"),
                        "WG", "MAX_KS"), "keys the table does not have stay absent");
    }
}
