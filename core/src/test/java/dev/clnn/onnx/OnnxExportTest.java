package dev.clnn.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.models.MnistCnn;
import dev.clnn.nn.Conv2d;
import dev.clnn.nn.Dense;
import dev.clnn.nn.Flatten;
import dev.clnn.nn.Padding;
import dev.clnn.nn.Parameter;
import dev.clnn.nn.Relu;
import dev.clnn.nn.Sequential;
import dev.clnn.ops.Activation;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestData;

/** Models exported to ONNX and run by ONNX Runtime on the CPU give clnn's predictions. */
class OnnxExportTest {
    private static final Contexts CONTEXTS = new Contexts();

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    /** Random biases too, so that their export is checked (a fresh model's are zero). */
    private static void randomiseBiases(Sequential model) {
        long seed = 100;
        for (Parameter p : model.parameters()) {
            if (p.name().endsWith("bias")) {
                p.write(TestData.uniform(p.size(), seed++));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void quickstartCnnRunsInOnnxRuntime(ClDevice device, @TempDir Path dir) throws Exception {
        ClContext cl = CONTEXTS.on(device);
        try (Sequential model = MnistCnn.create(cl, 3)) {
            randomiseBiases(model);
            Path file = dir.resolve("cnn.onnx");
            OnnxExport.write(model, file);
            ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(file));
            assertEquals(OnnxExport.OPSET, proto.getOpsetImport(0).getVersion());
            assertEquals(OnnxExport.INPUT, proto.getGraph().getInput(0).getName());
            var inputShape = proto.getGraph().getInput(0).getType().getTensorType().getShape();
            assertEquals("N", inputShape.getDim(0).getDimParam());
            assertEquals(28, inputShape.getDim(1).getDimValue());
            assertEquals(1, inputShape.getDim(3).getDimValue(), "NHWC");
            assertEquals(OnnxExport.OUTPUT, proto.getGraph().getOutput(0).getName());
            compare(model, Files.readAllBytes(file), 5, Shape.of(28, 28, 1), 1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void stridesPaddingChainedConvolutionsAndActivationsExport(ClDevice device) throws Exception {
        ClContext cl = CONTEXTS.on(device);
        Shape input = Shape.of(9, 7, 3);
        try (Sequential model = new Sequential(cl, input,
                new Conv2d(4, 3, 3, 2, Padding.SAME, Activation.RELU6),
                new Conv2d(5, 2, 1, 1, Padding.VALID, Activation.TANH),
                new Relu(), new Flatten(),
                new Dense(6, Activation.SIGMOID), new Dense(6, Activation.leakyRelu(0.1f)), new Dense(3))) {
            model.initialize(4);
            randomiseBiases(model);
            compare(model, OnnxExport.toModel(model).toByteArray(), 7, input, 2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void convolutionLastKeepsTheNhwcOutput(ClDevice device) throws Exception {
        ClContext cl = CONTEXTS.on(device);
        Shape input = Shape.of(5, 6, 2);
        try (Sequential model = new Sequential(cl, input, new Conv2d(3, 2, Activation.NONE))) {
            model.initialize(6);
            randomiseBiases(model);
            compare(model, OnnxExport.toModel(model).toByteArray(), 2, input, 3);
        }
    }

    private static void compare(Sequential model, byte[] onnx, int n, Shape example, long seed) throws OrtException {
        float[] x = TestData.uniform(n * example.sizeAsInt(), seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.abs(x[i]);
        }
        float[] expected = model.predict(x);
        long[] dims = new long[example.rank() + 1];
        dims[0] = n;
        for (int i = 0; i < example.rank(); i++) {
            dims[i + 1] = example.dim(i);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(onnx, options);
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), dims);
             OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, in))) {
            OnnxTensor out = (OnnxTensor) result.get(OnnxExport.OUTPUT).orElseThrow();
            long[] shape = out.getInfo().getShape();
            assertEquals(n, shape[0]);
            FloatBuffer fb = out.getFloatBuffer();
            float[] actual = new float[fb.remaining()];
            fb.get(actual);
            Comparison cmp = Comparison.of(actual, expected, Tolerances.ONNX_RTOL, Tolerances.ONNX_ATOL);
            assertTrue(cmp.passed(), () -> "ONNX Runtime vs clnn: " + cmp.describe(actual, expected));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void unsupportedActivationsAreRejectedByName(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        try (Sequential model = new Sequential(cl, Shape.of(4), new Dense(2, Activation.leakyRelu(0.2f)))) {
            assertTrue(OnnxExport.toModel(model).getGraph().getNodeList().stream()
                    .anyMatch(node -> node.getOpType().equals("LeakyRelu")));
        }
        assertThrows(IllegalArgumentException.class, () -> new Dense(2, Activation.HARD_SWISH),
                "not trainable, hence never exported");
    }
}
