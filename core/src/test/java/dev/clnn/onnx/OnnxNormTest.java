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

/**
 * InstanceNormalization and GroupNormalization (opset 18), and GroupNorm as PyTorch exports it
 * before that (Reshape to (N, G, -1), InstanceNormalization, Reshape back, Mul, Add): against ONNX
 * Runtime on every device.
 */
class OnnxNormTest {

    /** PyTorch's GroupNorm of {@code c} channels in {@code g} groups, decomposed. */
    private static String decomposedGroupNorm(OnnxBuilder b, String x, int c, int g) {
        String r = b.node("Reshape", new String[] {x, b.ints(0, g, -1)});
        float[] ones = new float[g];
        java.util.Arrays.fill(ones, 1f);
        String n = b.node("InstanceNormalization", new String[] {r, b.init(ones, g), b.init(new float[g], g)},
                "epsilon", 1e-5f);
        String back = b.node("Reshape", new String[] {n, b.node("Shape", x)});
        String scaled = b.node("Mul", new String[] {back, b.random(0.5f, 1.5f, c, 1, 1)});
        return b.node("Add", new String[] {scaled, b.random(c, 1, 1)});
    }

    static List<ModelProto> models() {
        List<ModelProto> list = new ArrayList<>();
        list.add(OnnxImportTest.model("instancenorm_of_conv", 13, 3, 6, 5, b -> x -> b.node("Relu",
                b.node("InstanceNormalization", new String[] {b.conv(x, 3, 6, 3, 1, 1, 1, true),
                    b.random(0.5f, 1.5f, 6), b.random(6)}, "epsilon", 1e-3f))));
        list.add(OnnxImportTest.model("instancenorm_of_input", 13, 4, 5, 3, b -> x -> b.node(
                "InstanceNormalization", new String[] {x, b.random(0.5f, 1.5f, 4), b.random(4)})));
        list.add(OnnxImportTest.model("instancenorm_rank3", 13, 3, 4, 5, b -> x -> b.node("InstanceNormalization",
                new String[] {b.node("Reshape", new String[] {x, b.ints(0, 6, 10)}), b.random(6), b.random(6)})));
        list.add(OnnxImportTest.model("groupnorm_pytorch_decomposed", 13, 3, 6, 6, b -> x -> b.node("Relu",
                decomposedGroupNorm(b, b.conv(x, 3, 8, 3, 1, 1, 1, true), 8, 4))));
        list.add(OnnxImportTest.model("groupnorm_opset18_of_conv", 18, 3, 5, 6, b -> x -> b.node(
                "GroupNormalization", new String[] {b.conv(x, 3, 8, 3, 1, 1, 1, true), b.random(0.5f, 1.5f, 2),
                    b.random(2)}, "num_groups", 2, "epsilon", 1e-4f)));
        list.add(OnnxImportTest.model("groupnorm_opset18_instance", 18, 4, 3, 5, b -> x -> b.node(
                "GroupNormalization", new String[] {x, b.random(0.5f, 1.5f, 4), b.random(4)}, "num_groups", 4)));
        return list;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void normalisationsMatchOnnxRuntime(ClDevice device) throws Exception {
        OnnxImportTest.compareEach(device, models(), 2, 61);
    }

    /** A convolution's NHWC output is normalised as it is, with no transpose. */
    @Test
    void groupsOfAnNhwcValueStayNhwc() {
        ModelProto m = models().get(4);
        Graph g = OnnxImport.load(m.toByteArray(), null, "gn").graph();
        assertEquals(1, g.nodes().stream().filter(n -> n.op() instanceof Op.GroupNorm gn && gn.channelsLast()
                && gn.groups() == 2).count(), g.nodes().toString());
        assertEquals(2, g.nodes().stream().filter(n -> n.op() instanceof Op.Transpose).count(),
                "only the model's edges: " + g.nodes());
    }

    @Test
    void groupsThatDoNotDivideTheChannelsAreRejectedNamingTheNode() {
        ModelProto m = OnnxImportTest.model("gn_bad", 18, 6, 3, 3, b -> x -> b.node("GroupNormalization",
                new String[] {x, b.random(4), b.random(4)}, "num_groups", 4));
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxImport.load(m.toByteArray(), null, "gn_bad"));
        assertTrue(e.getMessage().contains("GroupNormalization_") && e.getMessage().contains("num_groups"),
                e.getMessage());
    }

    /** Imported, exported again by {@link GraphExport}: ONNX Runtime computes what clnn's reference does. */
    @Test
    void exportedGraphsRunInOnnxRuntimeWithTheSameResults() throws Exception {
        for (ModelProto m : models()) {
            GraphExportTest.assertExportRunsInOnnxRuntime(m, 2);
        }
    }
}
