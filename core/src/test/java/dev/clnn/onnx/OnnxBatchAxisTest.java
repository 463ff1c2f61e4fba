package dev.clnn.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.clnn.cl.ClDevice;

/**
 * Reshapes that merge the batch with the next axes and transposes that move it, as vision
 * transformers export them: LeViT's BatchNorm1d on {@code (N * T, C)}, MobileViT's patch unfolding
 * with its shape computed from the input's, and attention's {@code permute(2, 0, 3, 1, 4)} followed by
 * q, k and v taken apart (TorchScript's Gather, the dynamo exporter's Slice and Squeeze). Each
 * against ONNX Runtime at batch 3, so a merged batch is not mistaken for batch 1.
 */
class OnnxBatchAxisTest {

    /** (N, C, H, W) as (N, C * H, W) tokens. */
    private static String tokens(OnnxBuilder b, String x, int tokens, int features) {
        return b.node("Reshape", new String[] {x, b.ints(0, tokens, features)});
    }

    /** The input's batch size as a 1-D tensor, computed as exporters do. */
    private static String batchOf(OnnxBuilder b, String x) {
        return b.node("Unsqueeze", new String[] {b.node("Gather", new String[] {b.node("Shape", x), b.scalarLong(0)},
                "axis", 0), b.ints(0)});
    }

    /**
     * Self-attention over {@code t} (N, T, heads * d): qkv projection, reshape to (N, T, 3, heads,
     * d), the batch-moving permute, then q, k, v by {@code unbind}.
     */
    private static String attention(OnnxBuilder b, String t, int tokens, int heads, int d, boolean slices) {
        int f = heads * d;
        String qkv = b.node("MatMul", new String[] {t, b.random(f, 3 * f)});
        String r = b.node("Reshape", new String[] {qkv, b.ints(0, tokens, 3, heads, d)});
        String p = b.node("Transpose", r, "perm", new int[] {2, 0, 3, 1, 4});
        String[] qkvParts = new String[3];
        for (int i = 0; i < 3; i++) {
            if (slices) {
                String s = b.node("Slice", new String[] {p, b.ints(i), b.ints(i + 1), b.ints(0)});
                qkvParts[i] = b.node("Squeeze", new String[] {s, b.ints(0)});
            } else {
                qkvParts[i] = b.node("Gather", new String[] {p, b.scalarLong(i)}, "axis", 0);
            }
        }
        String kt = b.node("Transpose", qkvParts[1], "perm", new int[] {0, 1, 3, 2});
        String a = b.node("Softmax", b.node("MatMul", new String[] {qkvParts[0], kt}), "axis", -1);
        String o = b.node("Transpose", b.node("MatMul", new String[] {a, qkvParts[2]}), "perm", new int[] {0, 2, 1, 3});
        return b.node("Reshape", new String[] {o, b.ints(0, tokens, f)});
    }

    static List<ModelProto> models() {
        List<ModelProto> list = new ArrayList<>();
        // LeViT: a linear layer, BatchNorm1d over (N * T, C) through Flatten at axis 2, back by Shape
        list.add(OnnxImportTest.model("flatten_tokens_batchnorm", 13, 4, 3, 5, b -> x -> {
            String lin = b.node("MatMul", new String[] {tokens(b, x, 12, 5), b.random(5, 6)});
            String flat = b.node("Flatten", lin, "axis", 2);
            String bn = b.node("BatchNormalization", new String[] {flat, b.random(0.5f, 1.5f, 6), b.random(6),
                b.random(6), b.random(0.5f, 1.5f, 6)});
            return b.node("Relu", b.node("Reshape", new String[] {bn, b.node("Shape", lin)}));
        }));
        // MobileViT: (N, C, H, W) unfolded to (N * C * H/2, 2, W/2, 2) with the first entry
        // computed as N * C * (H/2), patches transposed, folded back to (N, C, H, W)
        list.add(OnnxImportTest.model("patch_unfold_computed", 13, 4, 6, 6, b -> x -> {
            String c = b.conv(x, 4, 4, 3, 1, 1, 1, true);
            String rows = b.node("Mul", new String[] {b.node("Mul", new String[] {batchOf(b, c), b.ints(4)}),
                b.ints(3)});
            String target = b.node("Concat", new String[] {rows, b.ints(2, 3, 2)}, "axis", 0);
            String unfolded = b.node("Transpose", b.node("Reshape", new String[] {c, target}),
                    "perm", new int[] {0, 2, 1, 3});
            String attended = b.node("Softmax", unfolded, "axis", -1);
            String back = b.node("Transpose", attended, "perm", new int[] {0, 2, 1, 3});
            return b.node("Reshape", new String[] {back, b.node("Shape", c)});
        }));
        // a merge with -1 first, then LayerNorm-free math on the merged rows, unmerged with 0s
        list.add(OnnxImportTest.model("merge_minus_one_first", 13, 2, 4, 6, b -> x -> {
            String m = b.node("Reshape", new String[] {b.node("Relu", x), b.ints(-1, 3)});
            String s = b.node("Softmax", b.node("Mul", new String[] {m, b.random(3)}), "axis", 1);
            return b.node("Reshape", new String[] {s, b.node("Concat", new String[] {batchOf(b, x), b.ints(8, 6)},
                    "axis", 0)});
        }));
        list.add(OnnxImportTest.model("attention_unbind_gather", 13, 4, 3, 6, b -> x -> attention(b,
                tokens(b, x, 12, 6), 12, 2, 3, false)));
        list.add(OnnxImportTest.model("attention_unbind_slice_squeeze", 13, 4, 3, 6, b -> x -> attention(b,
                tokens(b, x, 12, 6), 12, 2, 3, true)));
        return list;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void mergedAndMovedBatchAxesMatchOnnxRuntime(ClDevice device) throws Exception {
        OnnxImportTest.compareEach(device, models(), 3, 41);
    }

    @Test
    void aTransposeThatMovesTheBatchIntoOtherOperatorsIsRefusedNamingIt() {
        ModelProto m = OnnxImportTest.model("moved_batch_relu", 13, 2, 3, 4, b -> x -> b.node("Relu",
                b.node("Transpose", x, "perm", new int[] {1, 0, 2, 3})));
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxImport.load(m.toByteArray(), null, "moved_batch_relu"));
        assertTrue(e.getMessage().contains("Relu") && e.getMessage().contains("moves the batch axis"), e.getMessage());
    }

    @Test
    void aReshapeThatSplitsASymbolicBatchIsRefusedWithTheTarget() {
        ModelProto m = OnnxImportTest.model("split_batch", 13, 2, 3, 4, b -> x -> b.node("Reshape",
                new String[] {x, b.ints(2, -1)}));
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxImport.load(m.toByteArray(), null, "split_batch"));
        assertTrue(e.getMessage().contains("[2, -1]") && e.getMessage().contains("batch"), e.getMessage());
    }

    @Test
    void anOutputWithTheBatchMergedIsRefused() {
        ModelProto m = OnnxImportTest.model("merged_output", 13, 2, 3, 4, b -> x -> b.node("Reshape",
                new String[] {b.node("Relu", x), b.ints(-1, 4)}));
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxImport.load(m.toByteArray(), null, "merged_output"));
        assertTrue(e.getMessage().contains("batch as its first axis"), e.getMessage());
    }

    /** Imported, exported again by {@link GraphExport}: ONNX Runtime computes what clnn's reference does. */
    @Test
    void exportedGraphsRunInOnnxRuntimeWithTheSameResults() throws Exception {
        for (ModelProto m : models()) {
            GraphExportTest.assertExportRunsInOnnxRuntime(m, 3);
        }
    }
}
