package dev.clnn.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Graph;
import dev.clnn.graph.Op;
import dev.clnn.graph.Passes;

/**
 * What a vision transformer (ViT, DeiT, MobileViT) needs beyond attention: linear layers on
 * {@code (N, tokens, features)} (MatMul by a constant, plus a bias), the class token concatenated
 * before the patches and gathered back, and Gather by constant indices; against ONNX Runtime.
 */
class OnnxTransformerOpsTest {

    /** ViT's patch tokens: (N, C, H, W) read as (N, C * H, W) tokens of W features. */
    private static String tokens(OnnxBuilder b, String x, int tokens, int features) {
        return b.node("Reshape", new String[] {x, b.ints(0, tokens, features)});
    }

    /** A linear layer as PyTorch exports it on rank 3: MatMul by the transposed weight, then Add. */
    private static String linear(OnnxBuilder b, String x, int in, int out) {
        return b.node("Add", new String[] {b.node("MatMul", new String[] {x, b.random(in, out)}), b.random(out)});
    }

    static List<ModelProto> linearLayers() {
        List<ModelProto> list = new ArrayList<>();
        list.add(OnnxImportTest.model("linear_rank3", 13, 3, 4, 6, b -> x -> linear(b, tokens(b, x, 12, 6), 6, 8)));
        list.add(OnnxImportTest.model("matmul_rank3_no_bias", 13, 2, 5, 7, b -> x -> b.node("MatMul",
                new String[] {b.node("Relu", tokens(b, x, 10, 7)), b.random(7, 3)})));
        // a convolution's NHWC output read back in ONNX's order, its width the features
        list.add(OnnxImportTest.model("matmul_rank4_of_conv", 13, 3, 5, 6, b -> x -> b.node("MatMul",
                new String[] {b.conv(x, 3, 4, 3, 1, 1, 1, true), b.random(6, 5)})));
        list.add(OnnxImportTest.model("linear_gelu_mlp", 20, 2, 6, 5, b -> x -> linear(b,
                b.node("Gelu", linear(b, tokens(b, x, 12, 5), 5, 9)), 9, 5)));
        return list;
    }

    /** The class token joins the patches, goes through a layer, and is gathered back for the head. */
    static List<ModelProto> classToken() {
        List<ModelProto> list = new ArrayList<>();
        list.add(OnnxImportTest.model("vit_class_token_static", 13, 3, 4, 6, b -> x -> {
            String t = b.node("Concat", new String[] {b.random(1, 1, 6), tokens(b, x, 12, 6)}, "axis", 1);
            String h = linear(b, b.node("Add", new String[] {t, b.random(1, 13, 6)}), 6, 6);
            String cls = b.node("Gather", new String[] {h, b.scalarLong(0)}, "axis", 1);
            return b.node("Gemm", new String[] {cls, b.random(4, 6), b.random(4)}, "transB", 1);
        }));
        // the batch taken from the input's shape, as exporters write cls_token.expand(N, -1, -1)
        list.add(OnnxImportTest.model("vit_class_token_expanded", 13, 3, 4, 6, b -> x -> {
            String n = b.node("Unsqueeze", new String[] {b.node("Gather", new String[] {b.node("Shape", x),
                b.scalarLong(0)}, "axis", 0), b.ints(0)});
            String target = b.node("Concat", new String[] {n, b.ints(1, 6)}, "axis", 0);
            String cls = b.node("Expand", new String[] {b.random(1, 1, 6), target});
            String t = b.node("Concat", new String[] {cls, tokens(b, x, 12, 6)}, "axis", 1);
            return b.node("Gather", new String[] {linear(b, t, 6, 5), b.scalarLong(-13)}, "axis", 1);
        }));
        return list;
    }

    static List<ModelProto> gathers() {
        List<ModelProto> list = new ArrayList<>();
        list.add(OnnxImportTest.model("gather_scalar_channel_of_conv", 13, 3, 4, 5, b -> x -> b.node("Gather",
                new String[] {b.conv(x, 3, 4, 3, 1, 1, 1, true), b.scalarLong(2)}, "axis", 1)));
        list.add(OnnxImportTest.model("gather_scalar_last_axis", 13, 3, 4, 5, b -> x -> b.node("Gather",
                new String[] {b.node("Relu", x), b.scalarLong(-1)}, "axis", -1)));
        list.add(OnnxImportTest.model("gather_even_channels_of_conv", 13, 3, 4, 5, b -> x -> b.node("Gather",
                new String[] {b.conv(x, 3, 7, 1, 1, 0, 1, true), b.ints(1, 3, 5)}, "axis", 1)));
        list.add(OnnxImportTest.model("gather_reversed_rows", 13, 3, 6, 5, b -> x -> b.node("Gather",
                new String[] {b.node("Relu", x), b.ints(5, 3, 1)}, "axis", 2)));
        list.add(OnnxImportTest.model("gather_scattered_of_conv", 13, 3, 4, 5, b -> x -> b.node("Gather",
                new String[] {b.conv(x, 3, 6, 1, 1, 0, 1, true), b.ints(4, 0, -1, 0)}, "axis", 1)));
        return list;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void linearLayersOnTokensMatchOnnxRuntime(ClDevice device) throws Exception {
        for (ModelProto m : linearLayers()) {
            OnnxImportTest.compare(device, m, 2, 31);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void classTokenAndGatherMatchOnnxRuntime(ClDevice device) throws Exception {
        // a constant class token of batch 1 concatenates as ONNX defines it at batch 1 only
        OnnxImportTest.compare(device, classToken().get(0), 1, 32);
        OnnxImportTest.compare(device, classToken().get(1), 3, 32);
        for (ModelProto m : gathers()) {
            OnnxImportTest.compare(device, m, 2, 33);
        }
    }

    /** MatMul then Add of a row becomes one dense op with a bias: one GEMM with its epilogue. */
    @Test
    void theBiasAddJoinsTheProduct() {
        ModelProto m = linearLayers().get(0);
        Graph g = Passes.optimize(OnnxImport.load(m.toByteArray(), null, "linear").graph());
        long dense = g.nodes().stream().filter(n -> n.op() instanceof Op.Dense d && d.bias() != null).count();
        long adds = g.nodes().stream().filter(n -> n.op() instanceof Op.BinaryConst).count();
        assertEquals(1, dense, g.nodes().toString());
        assertEquals(0, adds, g.nodes().toString());
    }

    @Test
    void gatherOfTheBatchAxisIsRejectedNamingTheNode() {
        ModelProto m = OnnxImportTest.model("gather_batch", 13, 2, 3, 3, b -> x -> b.node("Gather", new String[] {
            b.node("Relu", x), b.scalarLong(0)}, "axis", 0));
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxImport.load(m.toByteArray(), null, "gather_batch"));
        assertTrue(e.getMessage().contains("batch axis") && e.getMessage().contains("Gather_"), e.getMessage());
    }

    /** Imported, exported again by {@link GraphExport}: ONNX Runtime computes what clnn's reference does. */
    @Test
    void exportedGraphsRunInOnnxRuntimeWithTheSameResults() throws Exception {
        List<ModelProto> all = new ArrayList<>(linearLayers());
        all.addAll(classToken());
        all.addAll(gathers());
        for (ModelProto m : all) {
            GraphExportTest.assertExportRunsInOnnxRuntime(m, m.getGraph().getName().endsWith("_static") ? 1 : 2);
        }
    }
}
