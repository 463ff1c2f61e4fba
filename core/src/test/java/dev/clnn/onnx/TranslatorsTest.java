package dev.clnn.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.clnn.graph.ReferenceExecutor;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.testing.TestData;

/**
 * The importer's one list of operators ({@link Translators#ALL}, with the folded ones): what the
 * README promises, what the unsupported-operator check accepts, and what a one-node model of each
 * translates to (run by the reference executor against ONNX Runtime).
 */
class TranslatorsTest {
    /** The operators in the README's "Running ONNX models" section, and the opsets it names. */
    private static Object[] readme() throws Exception {
        // tests run in the core module's directory
        String text = Files.readString(Path.of("../README.md"));
        int section = text.indexOf("## Running ONNX models");
        assertTrue(section >= 0, "the README has a 'Running ONNX models' section");
        Matcher m = Pattern.compile("\\(opsets (\\d+) to (\\d+): ([^;]*);").matcher(text);
        assertTrue(m.find(section), "the section lists operators as '(opsets A to B: Op, Op, ...;'");
        Set<String> ops = new TreeSet<>();
        Matcher op = Pattern.compile("\\b[A-Z][A-Za-z0-9]*\\b").matcher(m.group(3));
        while (op.find()) {
            ops.add(op.group());
        }
        return new Object[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), ops};
    }

    @Test
    void theReadmeListsEveryTranslatedOperator() throws Exception {
        Object[] r = readme();
        assertEquals(OnnxImport.MIN_OPSET, r[0], "README's lowest opset");
        assertEquals(OnnxImport.MAX_OPSET, r[1], "README's highest opset");
        Set<String> translated = new TreeSet<>(Translators.ALL.keySet());
        assertEquals(translated, r[2], "the README's operators vs the importer's translators");
    }

    @Test
    void everySupportedOperatorPassesTheCheckAndOthersAreNamed() {
        for (String op : Translators.operators()) {
            OnnxBuilder b = new OnnxBuilder("check_" + op, 1, 13);
            String x = b.input("x", -1, 2, 3, 3);
            b.node(op, x);
            ModelProto m = b.build(b.node("Relu", x));
            try {
                OnnxImport.load(m.toByteArray(), null, op);
            } catch (OnnxFormatException e) {
                assertTrue(!e.getMessage().contains("unsupported operators"), e.getMessage());
            }
        }
        for (String op : List.of("Einsum", "LRN", "RoiAlign", "relu")) {
            OnnxBuilder b = new OnnxBuilder("check_" + op, 1, 13);
            String x = b.input("x", -1, 2, 3, 3);
            ModelProto m = b.build(b.node(op, x));
            OnnxFormatException e = assertThrows(OnnxFormatException.class,
                    () -> OnnxImport.load(m.toByteArray(), null, op));
            assertTrue(e.getMessage().contains("unsupported operators: " + op + " (node"), e.getMessage());
        }
    }

    /** A one-node model per translated operator: input (N, 2, 4, 4) or (N, 4), the node's output. */
    private static Map<String, ModelProto> oneNodeModels() {
        Map<String, Function<OnnxBuilder, Function<String, String>>> image = new LinkedHashMap<>();
        image.put("Conv", b -> x -> b.node("Conv", new String[] {x, b.random(3, 2, 3, 3), b.random(3)}));
        image.put("BatchNormalization", b -> x -> b.batchNorm(x, 2));
        image.put("MaxPool", b -> x -> b.node("MaxPool", x, "kernel_shape", new int[] {2, 2}));
        image.put("AveragePool", b -> x -> b.node("AveragePool", x, "kernel_shape", new int[] {3, 3}, "pads",
                new int[] {1, 1, 1, 1}));
        image.put("GlobalAveragePool", b -> x -> b.node("GlobalAveragePool", x));
        image.put("ReduceMean", b -> x -> b.node("ReduceMean", x, "axes", new int[] {2, 3}));
        image.put("ReduceSum", b -> x -> b.node("ReduceSum", new String[] {x, b.ints(1, -1)}, "keepdims", 0));
        image.put("ReduceL2", b -> x -> b.node("ReduceL2", x, "axes", new int[] {2, 3}));
        for (String op : List.of("Add", "Sub", "Mul", "Div")) {
            image.put(op, b -> x -> b.node(op, new String[] {x, b.random(0.5f, 1.5f, 2, 1, 1)}));
        }
        for (String op : List.of("Relu", "Sigmoid", "Tanh", "HardSwish", "HardSigmoid", "LeakyRelu", "Identity",
                "Dropout")) {
            image.put(op, b -> x -> b.node(op, x));
        }
        for (String op : List.of("Erf", "Exp", "Neg", "Abs", "Reciprocal")) {
            image.put(op, b -> x -> b.node(op, x));
        }
        for (String op : List.of("Sqrt", "Log")) {
            image.put(op, b -> x -> b.node(op, b.node("Abs", x)));
        }
        image.put("Pow", b -> x -> b.node("Pow", new String[] {x, b.scalar(3f)}));
        image.put("Gelu", b -> x -> b.node("Gelu", x));
        image.put("LayerNormalization", b -> x -> b.node("LayerNormalization", new String[] {x, b.random(0.5f, 1.5f, 4),
            b.random(4)}, "epsilon", 1e-3f));
        image.put("Equal", b -> x -> b.node("Cast", b.node("Equal", new String[] {b.node("Relu", x), x}), "to", 1));
        image.put("Where", b -> x -> b.node("Where", new String[] {b.node("Equal", new String[] {b.node("Relu", x), x}),
            x, b.scalar(-3f)}));
        image.put("Expand", b -> x -> b.node("Expand", new String[] {b.node("GlobalAveragePool", x),
            b.ints(1, 2, 3, 4)}));
        image.put("Tile", b -> x -> b.node("Tile", new String[] {x, b.ints(1, 2, 1, 3)}));
        image.put("Clip", b -> x -> b.node("Clip", new String[] {x, b.scalar(-0.2f), b.scalar(0.3f)}));
        image.put("Cast", b -> x -> b.node("Cast", x, "to", 1));
        image.put("Shape", b -> x -> b.node("Reshape", new String[] {x, b.node("Shape", x)}));
        image.put("Flatten", b -> x -> b.node("Flatten", x));
        image.put("Reshape", b -> x -> b.node("Reshape", new String[] {x, b.ints(0, 4, 8)}));
        image.put("Squeeze", b -> x -> b.node("Squeeze", new String[] {b.node("GlobalAveragePool", x), b.ints(3)}));
        image.put("Unsqueeze", b -> x -> b.node("Unsqueeze", new String[] {b.node("Flatten", x), b.ints(1)}));
        image.put("Transpose", b -> x -> b.node("Transpose", x, "perm", new int[] {0, 3, 1, 2}));
        image.put("Softmax", b -> x -> b.node("Softmax", x, "axis", 1));
        image.put("LogSoftmax", b -> x -> b.node("LogSoftmax", x, "axis", 2));
        image.put("Pad", b -> x -> b.node("Pad", new String[] {x, b.ints(0, 1, 1, 0, 0, 0, 2, 1), b.scalar(0.5f)}));
        image.put("Concat", b -> x -> b.node("Concat", new String[] {x, x}, "axis", 1));
        image.put("Slice", b -> x -> b.node("Slice", new String[] {x, b.ints(1, -1), b.ints(2, 100), b.ints(1, 3),
            b.ints(1, 2)}));
        image.put("Resize", b -> x -> b.node("Resize", new String[] {x, "", b.init(new float[] {1f, 1f, 2f, 1.5f}, 4)},
                "mode", "linear"));
        image.put("InstanceNormalization", b -> x -> b.node("InstanceNormalization", new String[] {x,
            b.random(0.5f, 1.5f, 2), b.random(2)}));
        image.put("GroupNormalization", b -> x -> b.node("GroupNormalization", new String[] {x, b.random(0.5f, 1.5f, 1),
            b.random(1)}, "num_groups", 1));
        image.put("Gather", b -> x -> b.node("Gather", new String[] {x, b.scalarLong(2)}, "axis", 3));
        image.put("Split", b -> x -> {
            String[] parts = b.nodes("Split", new String[] {x, b.ints(1, 1)}, 2, "axis", 1);
            return b.node("Concat", new String[] {parts[1], parts[0]}, "axis", 1);
        });
        Map<String, ModelProto> models = new LinkedHashMap<>();
        image.forEach((op, body) -> {
            OnnxBuilder b = new OnnxBuilder("one_" + op, op.hashCode(), op.equals("Gelu") ? 20 : op.equals("LayerNormalization") ? 17
                    : op.equals("GroupNormalization") ? 18 : 14);
            models.put(op, b.build(body.apply(b).apply(b.input("x", -1, 2, 4, 4))));
        });
        for (String op : List.of("Gemm", "MatMul")) {
            OnnxBuilder b = new OnnxBuilder("one_" + op, op.hashCode(), 14);
            models.put(op, b.build(b.node(op, new String[] {b.input("x", -1, 4), b.random(4, 3)})));
        }
        return models;
    }

    @Test
    void everyTranslatorRunsAOneNodeModelLikeOnnxRuntime() throws Exception {
        Map<String, ModelProto> models = oneNodeModels();
        assertEquals(new TreeSet<>(Translators.ALL.keySet()), new TreeSet<>(models.keySet()),
                "a one-node model for each translator");
        List<String> failed = new ArrayList<>();
        for (Map.Entry<String, ModelProto> e : models.entrySet()) {
            byte[] bytes = e.getValue().toByteArray();
            OnnxModel model = OnnxImport.load(bytes, null, e.getKey());
            Shape in = model.inputShape(2);
            float[] x = TestData.uniform(in.sizeAsInt(), 3);
            Object[] ort = OnnxImportTest.ort(bytes, model.inputName(), x, in);
            assertArrayEquals((int[]) ort[0], model.outputShape(2).dims(), e.getKey() + ": output shape");
            float[] actual = ReferenceExecutor.run(model.graph(), x, 2);
            Comparison c = Comparison.of(actual, (float[]) ort[1], Tolerances.BENCH_RTOL, 2e-5f);
            if (!c.passed()) {
                failed.add(e.getKey() + ": " + c.describe(actual, (float[]) ort[1]));
            }
        }
        assertTrue(failed.isEmpty(), "vs ONNX Runtime: " + failed);
    }
}
