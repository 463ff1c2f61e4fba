package dev.clnn.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Graph;
import dev.clnn.graph.Node;
import dev.clnn.graph.Op;
import dev.clnn.graph.Passes;
import dev.clnn.ops.Activation;

/**
 * SiLU (x * sigmoid(x), as EfficientNet and MobileViT export it) and GELU in the epilogue of the
 * convolution or GEMM before them, and the same patterns left unfused where they cannot be: against
 * ONNX Runtime on every device, and the optimised graph's shape checked.
 */
class OnnxActivationFusionTest {

    static List<ModelProto> models() {
        List<ModelProto> list = new ArrayList<>();
        list.add(OnnxImportTest.model("silu_of_conv", 13, 3, 6, 5, b -> x -> {
            String c = b.conv(x, 3, 8, 3, 1, 1, 1, true);
            return b.node("Mul", new String[] {c, b.node("Sigmoid", c)});
        }));
        list.add(OnnxImportTest.model("silu_sigmoid_first_of_gemm", 13, 2, 3, 4, b -> x -> {
            String g = b.node("Gemm", new String[] {b.node("Flatten", x), b.random(24, 7), b.random(7)});
            return b.node("Mul", new String[] {b.node("Sigmoid", g), g});
        }));
        list.add(OnnxImportTest.model("silu_of_depthwise_then_pointwise", 13, 4, 7, 7, b -> x -> {
            String d = b.conv(x, 4, 4, 3, 2, 1, 4, true);
            String s = b.node("Mul", new String[] {d, b.node("Sigmoid", d)});
            String p = b.conv(s, 4, 6, 1, 1, 0, 1, false);
            return b.node("Mul", new String[] {p, b.node("Sigmoid", p)});
        }));
        // the sigmoid is read twice: it stays, and the product is an element-wise Mul
        list.add(OnnxImportTest.model("silu_unfused_sigmoid_read_twice", 13, 3, 4, 5, b -> x -> {
            String c = b.conv(x, 3, 4, 1, 1, 0, 1, true);
            String s = b.node("Sigmoid", c);
            return b.node("Add", new String[] {b.node("Mul", new String[] {c, s}), s});
        }));
        list.add(OnnxImportTest.model("silu_of_input", 13, 3, 4, 5, b -> x -> b.node("Mul", new String[] {x,
            b.node("Sigmoid", x)})));
        list.add(OnnxImportTest.model("gelu_of_linear_rank3", 20, 2, 6, 5, b -> x -> {
            String t = b.node("Reshape", new String[] {x, b.ints(0, 12, 5)});
            String h = b.node("Add", new String[] {b.node("MatMul", new String[] {t, b.random(5, 9)}), b.random(9)});
            return b.node("Gelu", h);
        }));
        return list;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void fusedAndUnfusedActivationsMatchOnnxRuntime(ClDevice device) throws Exception {
        for (ModelProto m : models()) {
            OnnxImportTest.compare(device, m, 2, 41);
        }
    }

    private static Graph optimized(int model) {
        ModelProto m = models().get(model);
        return Passes.optimize(OnnxImport.load(m.toByteArray(), null, m.getGraph().getName()).graph());
    }

    private static long count(Graph g, Predicate<Op> p) {
        return g.nodes().stream().map(Node::op).filter(p).count();
    }

    @Test
    void siluJoinsTheConvolutionAndGemmEpilogues() {
        Graph conv = optimized(0);
        assertEquals(1, count(conv, op -> op instanceof Op.Conv c && c.params().activation().equals(Activation.SILU)),
                conv.nodes().toString());
        assertEquals(0, count(conv, op -> op instanceof Op.Act || op instanceof Op.Binary), conv.nodes().toString());
        Graph gemm = optimized(1);
        assertEquals(1, count(gemm, op -> op instanceof Op.Dense d && d.activation().equals(Activation.SILU)),
                gemm.nodes().toString());
        Graph both = optimized(2);
        assertEquals(2, count(both, op -> op instanceof Op.Conv c && c.params().activation().equals(Activation.SILU)),
                both.nodes().toString());
        Graph gelu = optimized(5);
        assertEquals(1, count(gelu, op -> op instanceof Op.Dense d && d.activation().equals(Activation.GELU)
                && d.bias() != null), gelu.nodes().toString());
        assertEquals(0, count(gelu, op -> op instanceof Op.Unary || op instanceof Op.BinaryConst), gelu.nodes().toString());
    }

    @Test
    void aSigmoidReadTwiceIsNotFused() {
        Graph g = optimized(3);
        assertEquals(1, count(g, op -> op instanceof Op.Act a && a.activation().equals(Activation.SIGMOID)),
                g.nodes().toString());
        assertEquals(0, count(g, op -> op instanceof Op.Conv c && c.params().activation().equals(Activation.SILU)));
        Graph standalone = optimized(4);
        assertEquals(1, count(standalone, op -> op instanceof Op.Act a && a.activation().equals(Activation.SILU)));
    }

    /** Exported again by {@link GraphExport}, fused or not: ONNX Runtime computes what clnn's reference does. */
    @Test
    void fusedGraphsExportToOnnx() throws Exception {
        for (ModelProto m : models()) {
            GraphExportTest.assertExportRunsInOnnxRuntime(m, 2);
        }
    }
}
