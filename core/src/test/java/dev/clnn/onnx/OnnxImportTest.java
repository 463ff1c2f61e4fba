package dev.clnn.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Op;
import dev.clnn.graph.ReferenceExecutor;
import dev.clnn.models.Model;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestData;

/**
 * ONNX models built with the protobuf classes, imported by clnn and run on every OpenCL device,
 * against ONNX Runtime running the same bytes: one small model per operator and attribute
 * combination, then reduced MobileNet v1 / v2 and the MNIST CNN.
 */
class OnnxImportTest {
    private static final Contexts CONTEXTS = new Contexts();
    private static final float ATOL = 2e-5f;

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    /** ONNX Runtime's output for {@code x}: its dimensions, then its data. */
    static Object[] ort(byte[] bytes, String input, float[] x, Shape shape) throws Exception {
        long[] dims = Arrays.stream(shape.dims()).asLongStream().toArray();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(bytes, options);
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), dims);
             OrtSession.Result result = session.run(Map.of(input, in))) {
            OnnxTensor out = (OnnxTensor) result.get(0);
            FloatBuffer fb = out.getFloatBuffer();
            float[] data = new float[fb.remaining()];
            fb.get(data);
            return new Object[] {Arrays.stream(out.getInfo().getShape()).mapToInt(l -> (int) l).toArray(), data};
        }
    }

    /** {@link #compare} for each of {@code models}; a failure names the model. */
    static void compareEach(ClDevice device, List<ModelProto> models, int batch, long seed) throws Exception {
        for (ModelProto m : models) {
            try {
                compare(device, m, batch, seed);
            } catch (Exception e) {
                throw new AssertionError(m.getGraph().getName() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Imports {@code m}, runs it on {@code device} (and the reference executor), compares with ONNX Runtime. */
    static OnnxModel compare(ClDevice device, ModelProto m, int batch, long seed) throws Exception {
        byte[] bytes = m.toByteArray();
        OnnxModel model = OnnxImport.load(bytes, null, m.getGraph().getName());
        Shape in = model.inputShape(batch);
        float[] x = TestData.uniform(in.sizeAsInt(), seed);
        Object[] ort = ort(bytes, model.inputName(), x, in);
        int[] ortShape = (int[]) ort[0];
        float[] expected = (float[]) ort[1];
        assertArrayEquals(ortShape, model.outputShape(batch).dims(), m.getGraph().getName() + ": output shape");
        float[] reference = ReferenceExecutor.run(model.graph(), x, batch);
        Comparison rc = Comparison.of(reference, expected, Tolerances.BENCH_RTOL, ATOL);
        assertTrue(rc.passed(), () -> m.getGraph().getName() + ", reference executor vs ONNX Runtime: "
                + rc.describe(reference, expected));
        ClContext cl = CONTEXTS.on(device);
        try (Model compiled = Model.compile(model.graph(), cl, batch)) {
            float[] actual = compiled.predict(x);
            Comparison cmp = Comparison.of(actual, expected, Tolerances.BENCH_RTOL, ATOL);
            assertTrue(cmp.passed(), () -> m.getGraph().getName() + " on " + device.name() + " vs ONNX Runtime: "
                    + cmp.describe(actual, expected));
        }
        return model;
    }

    /** A model: input (N, c, h, w), {@code body} applied, its result the output. */
    static ModelProto model(String name, int c, int h, int w, Function<OnnxBuilder, Function<String, String>> body) {
        return model(name, 13, c, h, w, body);
    }

    static ModelProto model(String name, int opset, int c, int h, int w,
                            Function<OnnxBuilder, Function<String, String>> body) {
        OnnxBuilder b = new OnnxBuilder(name, name.hashCode(), opset);
        String x = b.input("x", -1, c, h, w);
        return b.build(body.apply(b).apply(x));
    }

    static List<ModelProto> convolutions() {
        List<ModelProto> list = new ArrayList<>();
        list.add(model("conv_plain", 3, 7, 6, b -> x -> b.conv(x, 3, 5, 3, 1, 0, 1, true)));
        list.add(model("conv_pads_stride", 3, 9, 8, b -> x -> b.node("Conv", new String[] {x, b.random(4, 3, 3, 2)},
                "pads", new int[] {1, 0, 2, 1}, "strides", new int[] {2, 1})));
        list.add(model("conv_dilation", 2, 9, 9, b -> x -> b.node("Conv", new String[] {x, b.random(3, 2, 3, 3),
            b.random(3)}, "dilations", new int[] {2, 2}, "pads", new int[] {2, 2, 2, 2})));
        for (String auto : List.of("SAME_UPPER", "SAME_LOWER", "VALID")) {
            list.add(model("conv_" + auto, 3, 8, 7, b -> x -> b.node("Conv", new String[] {x, b.random(4, 3, 2, 3),
                b.random(4)}, "auto_pad", auto, "strides", new int[] {2, 2})));
        }
        list.add(model("conv_depthwise", 6, 7, 7, b -> x -> b.conv(x, 6, 6, 3, 2, 1, 6, true)));
        list.add(model("conv_depthwise_multiplier", 3, 6, 6, b -> x -> b.conv(x, 3, 6, 3, 1, 1, 3, false)));
        list.add(model("conv_grouped", 4, 5, 5, b -> x -> b.conv(x, 4, 6, 3, 1, 1, 2, true)));
        list.add(model("conv_bn_relu", 3, 6, 6, b -> x -> b.node("Relu", b.batchNorm(b.conv(x, 3, 4, 3, 1, 1, 1, false), 4))));
        return list;
    }

    static List<ModelProto> elementwise() {
        List<ModelProto> list = new ArrayList<>();
        list.add(model("relu6_clip_inputs", 2, 4, 4, b -> x -> b.relu6(b.node("Mul", new String[] {x, b.scalar(8f)}))));
        list.add(model("clip_min_only", 2, 4, 4, b -> x -> b.node("Clip", new String[] {x, b.scalar(-0.25f)})));
        list.add(model("leaky_relu", 2, 3, 4, b -> x -> b.node("LeakyRelu", x, "alpha", 0.2f)));
        list.add(model("sigmoid", 2, 3, 4, b -> x -> b.node("Sigmoid", x)));
        list.add(model("tanh", 2, 3, 4, b -> x -> b.node("Tanh", x)));
        list.add(model("hardswish", 14, 2, 3, 4, b -> x -> b.node("HardSwish", b.node("Mul", new String[] {x, b.scalar(5f)}))));
        list.add(model("hardsigmoid", 2, 3, 4, b -> x -> b.node("HardSigmoid", x, "alpha", 0.3f, "beta", 0.4f)));
        list.add(model("add_channel_bias", 3, 4, 5, b -> x -> b.node("Add", new String[] {b.conv(x, 3, 4, 1, 1, 0, 1, false),
            b.random(1, 4, 1, 1)})));
        list.add(model("mul_channel_const_first", 3, 4, 5, b -> x -> b.node("Mul", new String[] {b.random(4, 1, 1),
            b.conv(x, 3, 4, 1, 1, 0, 1, false)})));
        list.add(model("sub_const_first", 3, 4, 5, b -> x -> b.node("Sub", new String[] {b.random(1, 3, 1, 5), x})));
        list.add(model("div_scalar", 3, 4, 5, b -> x -> b.node("Div", new String[] {x, b.scalar(3f)})));
        list.add(model("residual_add", 4, 5, 5, b -> x -> b.node("Add", new String[] {b.conv(x, 4, 4, 3, 1, 1, 1, true), x})));
        list.add(model("mul_two_values", 4, 5, 5, b -> x -> b.node("Mul", new String[] {b.conv(x, 4, 4, 1, 1, 0, 1, true),
            b.node("GlobalAveragePool", x)})));
        list.add(model("batchnorm_after_add", 3, 4, 4, b -> x -> b.batchNorm(b.node("Add", new String[] {x, x}), 3)));
        return list;
    }

    static List<ModelProto> pooling() {
        List<ModelProto> list = new ArrayList<>();
        list.add(model("maxpool_3x3_s2_p1", 3, 9, 8, b -> x -> b.node("MaxPool", x, "kernel_shape", new int[] {3, 3},
                "strides", new int[] {2, 2}, "pads", new int[] {1, 1, 1, 1})));
        list.add(model("avgpool_exclude_pad", 3, 7, 7, b -> x -> b.node("AveragePool", x, "kernel_shape",
                new int[] {3, 3}, "pads", new int[] {1, 1, 1, 1})));
        list.add(model("avgpool_include_pad", 3, 7, 6, b -> x -> b.node("AveragePool", x, "kernel_shape",
                new int[] {2, 3}, "strides", new int[] {2, 1}, "pads", new int[] {1, 1, 1, 1}, "count_include_pad", 1)));
        list.add(model("maxpool_same_upper", 2, 7, 7, b -> x -> b.node("MaxPool", x, "kernel_shape", new int[] {2, 2},
                "strides", new int[] {2, 2}, "auto_pad", "SAME_UPPER")));
        list.add(model("global_average_pool", 5, 4, 3, b -> x -> b.node("GlobalAveragePool", x)));
        list.add(model("reduce_mean_keepdims", 5, 4, 3, b -> x -> b.node("ReduceMean", x, "axes", new int[] {2, 3})));
        list.add(model("reduce_mean_squeezed", 5, 4, 3, b -> x -> b.node("ReduceMean", x, "axes", new int[] {-1, -2},
                "keepdims", 0)));
        list.add(model("reduce_mean_opset18", 18, 5, 4, 3, b -> x -> b.node("ReduceMean", new String[] {x, b.ints(2, 3)},
                "keepdims", 0)));
        return list;
    }

    static List<ModelProto> shapes() {
        List<ModelProto> list = new ArrayList<>();
        list.add(model("flatten_gemm_transb", 3, 4, 5, b -> x -> b.node("Gemm", new String[] {b.node("Flatten",
            b.conv(x, 3, 4, 3, 1, 1, 1, true)), b.random(7, 80), b.random(7)}, "transB", 1)));
        list.add(model("gemm_alpha_beta", 2, 3, 3, b -> x -> b.node("Gemm", new String[] {b.node("Flatten", x),
            b.random(18, 5), b.random(1, 5)}, "alpha", 0.5f, "beta", 2f)));
        list.add(model("matmul", 2, 3, 3, b -> x -> b.node("MatMul", new String[] {b.node("Flatten", x), b.random(18, 4)})));
        list.add(model("exporter_flatten", 3, 4, 5, b -> x -> b.node("Gemm", new String[] {
            b.exporterFlatten(b.conv(x, 3, 2, 1, 1, 0, 1, true)), b.random(6, 40), b.random(6)}, "transB", 1)));
        list.add(model("reshape_static", 2, 4, 6, b -> x -> b.node("Reshape", new String[] {
            b.conv(x, 2, 3, 1, 1, 0, 1, true), b.ints(0, 12, -1)})));
        list.add(model("reshape_4d_then_conv", 2, 4, 6, b -> x -> b.conv(b.node("Reshape", new String[] {
            b.conv(x, 2, 4, 1, 1, 0, 1, true), b.ints(0, 2, 8, 6)}), 2, 3, 3, 1, 1, 1, true)));
        list.add(model("squeeze_unsqueeze", 4, 3, 3, b -> x -> b.node("Unsqueeze", new String[] {
            b.node("Squeeze", new String[] {b.node("GlobalAveragePool", x), b.ints(2, 3)}), b.ints(1)})));
        list.add(model("transpose_to_nhwc", 3, 4, 5, b -> x -> b.node("Transpose", b.conv(x, 3, 2, 1, 1, 0, 1, true),
                "perm", new int[] {0, 2, 3, 1})));
        list.add(model("transpose_other", 3, 4, 5, b -> x -> b.node("Transpose", x, "perm", new int[] {0, 3, 1, 2})));
        list.add(model("softmax_2d", 3, 2, 2, b -> x -> b.node("Softmax", b.node("Flatten", x))));
        list.add(model("softmax_channels", 4, 3, 2, b -> x -> b.node("Softmax", x, "axis", 1)));
        list.add(model("log_softmax", 3, 2, 2, b -> x -> b.node("LogSoftmax", b.node("Flatten", x), "axis", -1)));
        list.add(model("softmax_opset11", 11, 3, 2, 2, b -> x -> b.node("Softmax", b.node("Flatten", x), "axis", 1)));
        list.add(model("pad_constant", 3, 4, 5, b -> x -> b.node("Pad", new String[] {x, b.ints(0, 0, 1, 2, 0, 0, 2, 1),
            b.scalar(0.5f)})));
        list.add(model("pad_channels", 3, 4, 5, b -> x -> b.node("Pad", new String[] {x, b.ints(0, 1, 0, 0, 0, 2, 0, 0)})));
        list.add(model("torch_pad_pattern", 3, 4, 5, b -> x -> {
            String zeros = b.node("ConstantOfShape", new String[] {b.ints(4)}, "value",
                    OnnxBuilder.longs("z", new long[] {0}, 1));
            String pads = b.node("Concat", new String[] {b.ints(0, 1, 2, 1), zeros}, "axis", 0);
            String rows = b.node("Reshape", new String[] {pads, b.ints(-1, 2)});
            String rev = b.node("Slice", new String[] {rows, b.ints(-1), b.ints(Long.MIN_VALUE), b.ints(0), b.ints(-1)});
            String flat = b.node("Reshape", new String[] {b.node("Transpose", rev, "perm", new int[] {1, 0}), b.ints(-1)});
            return b.node("Pad", new String[] {x, b.node("Cast", flat, "to", 7), b.scalar(0f)});
        }));
        list.add(model("concat_channels", 3, 5, 4, b -> x -> b.node("Concat", new String[] {
            b.conv(x, 3, 2, 1, 1, 0, 1, true), x, b.conv(x, 3, 4, 3, 1, 1, 1, false)}, "axis", 1)));
        list.add(model("concat_height", 3, 5, 4, b -> x -> b.node("Concat", new String[] {x, x}, "axis", -2)));
        list.add(model("identity_dropout_cast", 3, 3, 3, b -> x -> b.node("Cast", b.node("Dropout", b.node("Identity", x)),
                "to", 1)));
        list.add(model("constant_folding", 3, 3, 3, b -> x -> {
            String two = b.node("Constant", new String[0], "value_float", 2f);
            String range = b.node("Cast", b.node("Range", new String[] {b.scalarLong(0), b.scalarLong(3), b.scalarLong(1)}),
                    "to", 1);
            String ch = b.node("Reshape", new String[] {b.node("Mul", new String[] {range, two}), b.ints(1, 3, 1, 1)});
            String ones = b.node("ConstantOfShape", new String[] {b.ints(1, 1, 3, 3)}, "value",
                    OnnxBuilder.floats("v", new float[] {0.25f}, 1));
            String sl = b.node("Slice", new String[] {b.node("Shape", x), b.ints(1), b.ints(4)});
            String t = b.node("Transpose", b.node("Reshape", new String[] {b.node("Add", new String[] {ones, ch}), sl}),
                    "perm", new int[] {2, 1, 0});
            return b.node("Add", new String[] {x, b.node("Unsqueeze", new String[] {t, b.ints(0)})});
        }));
        list.add(model("tf_same_padding", 3, 7, 7, b -> x -> {
            // timm's TF "same" padding of a 3x3 stride-2 convolution, computed from the input's shape:
            // pad = clip((ceil(h / 2) - 1) * 2 + 3 - h, 0), split as pad // 2 before and the rest after
            String h = b.node("Cast", b.node("Gather", new String[] {b.node("Shape", x), b.scalarLong(2)}), "to", 1);
            String out = b.node("Ceil", b.node("Div", new String[] {h, b.scalar(2f)}));
            String need = b.node("Sub", new String[] {b.node("Add", new String[] {b.node("Mul", new String[] {
                b.node("Sub", new String[] {out, b.scalar(1f)}), b.scalar(2f)}), b.scalar(3f)}), h});
            String pad = b.node("Cast", b.node("Clip", new String[] {need, b.scalar(0f)}), "to", 7);
            String before = b.node("Div", new String[] {pad, b.scalarLong(2)});
            String after = b.node("Max", new String[] {b.node("Sub", new String[] {pad, before}), b.scalarLong(0)});
            String zero = b.node("Floor", b.scalar(0.5f));
            String pads = b.node("Concat", new String[] {b.ints(0, 0), b.node("Unsqueeze", new String[] {before,
                b.ints(0)}), b.node("Unsqueeze", new String[] {before, b.ints(0)}), b.ints(0, 0),
                b.node("Unsqueeze", new String[] {after, b.ints(0)}), b.node("Unsqueeze", new String[] {after,
                b.ints(0)})}, "axis", 0);
            return b.node("Add", new String[] {b.node("Pad", new String[] {x, pads}), zero});
        }));
        return list;
    }

    static List<ClDevice> devices() {
        return dev.clnn.testing.TestDevices.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void convolutionsMatchOnnxRuntime(ClDevice device) throws Exception {
        for (ModelProto m : convolutions()) {
            compare(device, m, 2, 1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void elementwiseOpsMatchOnnxRuntime(ClDevice device) throws Exception {
        for (ModelProto m : elementwise()) {
            compare(device, m, 3, 2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void poolingMatchesOnnxRuntime(ClDevice device) throws Exception {
        for (ModelProto m : pooling()) {
            compare(device, m, 2, 3);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void shapeOpsMatchOnnxRuntime(ClDevice device) throws Exception {
        for (ModelProto m : shapes()) {
            compare(device, m, 2, 4);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void mobileNetV1MatchesOnnxRuntime(ClDevice device) throws Exception {
        OnnxModel m = compare(device, OnnxNetworks.mobileNetV1(0.25f, 64, 10), 2, 5);
        assertEquals(Shape.of(2, 3, 64, 64), m.inputShape(2));
        assertEquals(Shape.of(2, 10), m.outputShape(2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void mobileNetV2MatchesOnnxRuntime(ClDevice device) throws Exception {
        compare(device, OnnxNetworks.mobileNetV2(0.25f, 64, 10), 2, 6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void mnistCnnMatchesOnnxRuntime(ClDevice device) throws Exception {
        compare(device, OnnxNetworks.mnistCnn(), 3, 7);
    }

    @Test
    void importFoldsBatchNormAndKeepsOneInputTranspose() {
        ModelProto m = OnnxNetworks.mobileNetV1(0.25f, 64, 10);
        OnnxModel model = OnnxImport.load(m.toByteArray(), null, "v1");
        var optimized = dev.clnn.graph.Passes.optimize(model.graph());
        long transposes = optimized.nodes().stream().filter(n -> n.op() instanceof Op.Transpose).count();
        long norms = optimized.nodes().stream().filter(n -> n.op() instanceof Op.BatchNorm).count();
        assertEquals(1, transposes, "only the input is transposed");
        assertEquals(0, norms, "every BatchNorm folds into its convolution");
        assertEquals(0, model.fixedBatch());
    }

    @Test
    void clipAttributeFormIsRead() {
        OnnxBuilder b = new OnnxBuilder("clip_attrs", 1, 13);
        String x = b.input("x", -1, 4);
        ModelProto m = b.build(b.node("Clip", x, "min", -0.5f, "max", 0.5f));
        OnnxModel model = OnnxImport.load(m.toByteArray(), null, "clip");
        float[] y = ReferenceExecutor.run(model.graph(), new float[] {-2f, -0.1f, 0.3f, 9f}, 1);
        assertArrayEquals(new float[] {-0.5f, -0.1f, 0.3f, 0.5f}, y);
    }

    @Test
    void unsupportedOperatorsAreAllNamed() {
        OnnxBuilder b = new OnnxBuilder("unsupported", 1, 13);
        String x = b.input("x", -1, 3, 4, 4);
        String y = b.node("Relu", b.node("Einsum", b.node("LRN", x, "size", 3)));
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxImport.load(b.build(y).toByteArray(), null, "unsupported"));
        assertTrue(e.getMessage().contains("LRN") && e.getMessage().contains("Einsum")
                && e.getMessage().contains("opset 13") && e.getMessage().contains("node 'LRN_"), e.getMessage());
    }
}
