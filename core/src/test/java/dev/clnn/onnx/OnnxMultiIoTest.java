package dev.clnn.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.clnn.cl.ClDevice;
import dev.clnn.graph.ReferenceExecutor;
import dev.clnn.models.Model;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestData;

/**
 * Models of several inputs and outputs, built with the protobuf classes, imported by clnn and run
 * on every OpenCL device (and by the reference executor) against ONNX Runtime running the same
 * bytes, output by output; and the errors of inputs and outputs clnn cannot take.
 */
class OnnxMultiIoTest {
    private static final Contexts CONTEXTS = new Contexts();
    private static final float ATOL = 2e-5f;

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    /**
     * Two images, {@code left} (N, 3, 8, 8) and {@code right} (N, 2, 8, 8), through a convolution
     * each (the left one with BatchNorm and ReLU), added; two heads: {@code logits} (N, 5) through
     * global pooling and Gemm, and {@code mask} (N, 1, 8, 8) through a pointwise convolution and a
     * sigmoid.
     */
    static ModelProto twoImagesTwoHeads() {
        OnnxBuilder b = new OnnxBuilder("two_images_two_heads", 21);
        String left = b.input("left", -1, 3, 8, 8);
        String right = b.input("right", -1, 2, 8, 8);
        String l = b.node("Relu", b.batchNorm(b.conv(left, 3, 4, 3, 1, 1, 1, false), 4));
        String r = b.conv(right, 2, 4, 1, 1, 0, 1, true);
        String sum = b.node("Add", new String[] {l, r});
        String pooled = b.node("Flatten", b.node("GlobalAveragePool", sum), "axis", 1);
        String logits = b.node("Gemm", new String[] {pooled, b.random(5, 4), b.random(5)}, "transB", 1);
        String mask = b.node("Sigmoid", b.conv(sum, 4, 1, 1, 1, 0, 1, true));
        return renamed(b.build(logits, mask), Map.of(logits, "logits", mask, "mask"));
    }

    /**
     * An image {@code x} (N, 3, 6, 6) and a vector {@code shift} (N, 4): the pooled convolution plus
     * the shift is one output; the convolution itself (NHWC inside clnn, also read by the pooling),
     * the shift passed through, and the same value listed under a second name are the others.
     */
    static ModelProto imageAndVector() {
        OnnxBuilder b = new OnnxBuilder("image_and_vector", 22);
        String x = b.input("x", -1, 3, 6, 6);
        String shift = b.input("shift", -1, 4);
        String features = b.conv(x, 3, 4, 3, 1, 1, 1, true);
        String pooled = b.node("Flatten", b.node("GlobalAveragePool", features), "axis", 1);
        String shifted = b.node("Add", new String[] {pooled, shift});
        String same = b.node("Identity", shifted);
        return b.build(shifted, features, shift, same);
    }

    /** {@code m} with graph values renamed ({@code from -> to}) wherever they appear. */
    private static ModelProto renamed(ModelProto m, Map<String, String> names) {
        ModelProto.Builder b = m.toBuilder();
        var g = b.getGraphBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            var n = g.getNodeBuilder(i);
            for (int k = 0; k < n.getInputCount(); k++) {
                n.setInput(k, names.getOrDefault(n.getInput(k), n.getInput(k)));
            }
            for (int k = 0; k < n.getOutputCount(); k++) {
                n.setOutput(k, names.getOrDefault(n.getOutput(k), n.getOutput(k)));
            }
        }
        for (int k = 0; k < g.getOutputCount(); k++) {
            g.getOutputBuilder(k).setName(names.getOrDefault(g.getOutput(k).getName(), g.getOutput(k).getName()));
        }
        return b.build();
    }

    /** ONNX Runtime's outputs for {@code inputs} (by name), each as its dimensions and data. */
    static Map<String, Object[]> ort(byte[] bytes, Map<String, float[]> inputs, Map<String, Shape> shapes)
            throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> feed = new HashMap<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(bytes, options)) {
            for (Map.Entry<String, float[]> e : inputs.entrySet()) {
                long[] dims = Arrays.stream(shapes.get(e.getKey()).dims()).asLongStream().toArray();
                feed.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue()), dims));
            }
            try (OrtSession.Result result = session.run(feed)) {
                Map<String, Object[]> out = new LinkedHashMap<>();
                for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : result) {
                    OnnxTensor t = (OnnxTensor) e.getValue();
                    FloatBuffer fb = t.getFloatBuffer();
                    float[] data = new float[fb.remaining()];
                    fb.get(data);
                    out.put(e.getKey(), new Object[] {Arrays.stream(t.getInfo().getShape()).mapToInt(l -> (int) l)
                        .toArray(), data});
                }
                return out;
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * Imports {@code m}; runs it on {@code device} by name and by position, and in the reference
     * executor; compares every output with ONNX Runtime's.
     */
    static OnnxModel compare(ClDevice device, ModelProto m, int batch, long seed) throws Exception {
        String name = m.getGraph().getName();
        byte[] bytes = m.toByteArray();
        OnnxModel model = OnnxImport.load(bytes, null, name);
        Map<String, float[]> x = new LinkedHashMap<>();
        Map<String, Shape> shapes = new HashMap<>();
        for (int k = 0; k < model.inputNames().size(); k++) {
            Shape s = model.inputShapes(batch).get(k);
            shapes.put(model.inputNames().get(k), s);
            x.put(model.inputNames().get(k), TestData.uniform(s.sizeAsInt(), seed + k));
        }
        Map<String, Object[]> expected = ort(bytes, x, shapes);
        assertEquals(model.outputNames(), List.copyOf(expected.keySet()), name + ": outputs in the model's order");
        float[][] inputs = x.values().toArray(new float[0][]);
        float[][] reference = ReferenceExecutor.runAll(model.graph(), inputs, batch);
        Map<String, float[]> actual;
        float[][] positional;
        try (Model compiled = Model.compile(model.graph(), CONTEXTS.on(device), batch)
                .names(model.inputNames(), model.outputNames())) {
            actual = compiled.predict(x);
            positional = compiled.predictAll(inputs);
        }
        for (int i = 0; i < model.outputNames().size(); i++) {
            int k = i;
            String out = model.outputNames().get(k);
            assertArrayEquals((int[]) expected.get(out)[0], model.outputShapes(batch).get(k).dims(), name + ", " + out);
            float[] want = (float[]) expected.get(out)[1];
            Comparison rc = Comparison.of(reference[k], want, Tolerances.BENCH_RTOL, ATOL);
            assertTrue(rc.passed(), () -> name + ", " + out + ", reference vs ONNX Runtime: "
                    + rc.describe(reference[k], want));
            Comparison dc = Comparison.of(actual.get(out), want, Tolerances.BENCH_RTOL, ATOL);
            assertTrue(dc.passed(), () -> name + ", " + out + " on " + device.name() + " vs ONNX Runtime: "
                    + dc.describe(actual.get(out), want));
            assertArrayEquals(actual.get(out), positional[k], name + ", " + out + ": by name and by position");
        }
        return model;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void twoImagesThroughTwoHeadsMatchOnnxRuntime(ClDevice device) throws Exception {
        OnnxModel m = compare(device, twoImagesTwoHeads(), 2, 1);
        assertEquals(List.of("left", "right"), m.inputNames());
        assertEquals(List.of("logits", "mask"), m.outputNames());
        assertEquals(List.of(Shape.of(3, 8, 8), Shape.of(2, 8, 8)), m.exampleShapes());
        assertEquals(List.of(Shape.of(2, 5), Shape.of(2, 1, 8, 8)), m.outputShapes(2));
        assertEquals("left", m.inputName());
        assertEquals("logits", m.outputName());
        assertTrue(m.toString().contains("inputs 'left' (N, 3, 8, 8), 'right' (N, 2, 8, 8), outputs 'logits', 'mask'"),
                m.toString());
        compare(device, twoImagesTwoHeads(), 1, 2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void anIntermediateAnInputAndARepeatedValueAreOutputsToo(ClDevice device) throws Exception {
        OnnxModel m = compare(device, imageAndVector(), 3, 3);
        assertEquals(4, m.graph().outputs().size());
        assertEquals(4, m.graph().outputs().stream().distinct().count(), "each output a value of its own");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void compileNamesTheModelsInputsAndOutputsAsTheFileDoes(ClDevice device) {
        OnnxModel m = OnnxImport.load(twoImagesTwoHeads().toByteArray(), null, "two");
        float[] left = TestData.uniform(m.inputShapes(1).get(0).sizeAsInt(), 7);
        float[] right = TestData.uniform(m.inputShapes(1).get(1).sizeAsInt(), 8);
        try (Model model = m.compile(device, 1)) {
            assertEquals(List.of("left", "right"), model.inputNames());
            assertEquals(List.of("logits", "mask"), model.outputNames());
            Map<String, float[]> y = model.predict(Map.of("left", left, "right", right));
            assertEquals(5, y.get("logits").length);
            assertEquals(64, y.get("mask").length);
            IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> model.predict(left));
            assertTrue(one.getMessage().contains("2 inputs") && one.getMessage().contains("use runAll"),
                    one.getMessage());
            IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                    () -> model.predictAll(left));
            assertTrue(count.getMessage().contains("takes 2 inputs"), count.getMessage());
            IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                    () -> model.predictAll(left, left));
            assertTrue(length.getMessage().contains("input right of (1, 2, 8, 8) = 128 floats per batch of 1, got 192"),
                    length.getMessage());
        }
    }

    @Test
    void inputsAndOutputsClnnCannotTakeAreNamed() {
        OnnxBuilder ints = new OnnxBuilder("int_input", 1);
        String x = ints.input("x", -1, 3, 4, 4);
        ints.graph().addInput(OnnxBuilder.valueInfo("ids", -1, 4).toBuilder().setType(
                ai.onnx.proto.OnnxMl.TypeProto.newBuilder().setTensorType(ai.onnx.proto.OnnxMl.TypeProto.Tensor
                        .newBuilder().setElemType(TensorProto.DataType.INT64_VALUE))));
        assertMessage(ints.build(ints.node("Relu", x)), "input 'ids' is not a float32 tensor");

        OnnxBuilder batches = new OnnxBuilder("batches", 1);
        String a = batches.input("a", 2, 4);
        String c = batches.input("c", 3, 4);
        assertMessage(batches.build(batches.node("Add", new String[] {a, c})),
                "input 'c' declares batch size 3 and an earlier input 2");

        OnnxBuilder constant = new OnnxBuilder("const_output", 1);
        String y = constant.input("y", -1, 4);
        String k = constant.random(4);
        assertMessage(constant.build(constant.node("Relu", y), k), "the output '" + k + "' is a constant");

        OnnxBuilder twice = new OnnxBuilder("twice", 1);
        String z = twice.node("Relu", twice.input("z", -1, 4));
        assertMessage(twice.build(z, z), "the output '" + z + "' is listed twice");

        OnnxBuilder fixed = new OnnxBuilder("fixed", 1);
        String p = fixed.input("p", 2, 4);
        String q = fixed.input("q", -1, 4);
        OnnxModel m = OnnxImport.load(fixed.build(fixed.node("Add", new String[] {p, q})).toByteArray(), null, "f");
        assertEquals(2, m.fixedBatch(), "a symbolic batch takes the other input's fixed one");
    }

    private static void assertMessage(ModelProto m, String expected) {
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxImport.load(m.toByteArray(), null, m.getGraph().getName()));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void exportedGraphsOfSeveralInputsAndOutputsRunInOnnxRuntime() throws Exception {
        OnnxModel m = OnnxImport.load(twoImagesTwoHeads().toByteArray(), null, "two");
        dev.clnn.graph.Graph optimized = dev.clnn.graph.Passes.optimize(m.graph());
        List<float[]> x = new ArrayList<>();
        Map<String, float[]> feed = new LinkedHashMap<>();
        Map<String, Shape> shapes = new HashMap<>();
        for (int k = 0; k < 2; k++) {
            Shape s = optimized.inputs().get(k).shape(2);
            x.add(TestData.uniform(s.sizeAsInt(), 30 + k));
            feed.put(optimized.inputs().get(k).name(), x.get(k));
            shapes.put(optimized.inputs().get(k).name(), s);
        }
        float[][] expected = ReferenceExecutor.runAll(optimized, x.toArray(new float[0][]), 2);
        Map<String, Object[]> got = ort(GraphExport.toBytes(optimized), feed, shapes);
        assertEquals(optimized.outputs(), List.copyOf(got.keySet()), "several outputs keep their value names");
        int k = 0;
        for (Object[] o : got.values()) {
            float[] data = (float[]) o[1];
            Comparison c = Comparison.of(data, expected[k], Tolerances.BENCH_RTOL, ATOL);
            assertTrue(c.passed(), c.describe(data, expected[k]));
            k++;
        }
    }
}
