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
 * The operators that the networks people bring need beyond MobileNet (GoogLeNet's ceil-mode
 * pooling, ShuffleNet v2's channel split, ConvNeXt's GELU and LayerNormalization): one small model per operator and attribute combination, imported by clnn, run on
 * every OpenCL device and by the reference executor, against ONNX Runtime.
 */
class OnnxOperatorsTest {

    static List<ModelProto> ceilModePooling() {
        List<ModelProto> list = new ArrayList<>();
        list.add(OnnxImportTest.model("maxpool_ceil", 3, 14, 13, b -> x -> b.node("MaxPool", x, "kernel_shape",
                new int[] {3, 3}, "strides", new int[] {2, 2}, "ceil_mode", 1)));
        list.add(OnnxImportTest.model("maxpool_ceil_pads", 2, 10, 6, b -> x -> b.node("MaxPool", x, "kernel_shape",
                new int[] {3, 3}, "strides", new int[] {2, 1}, "pads", new int[] {1, 0, 1, 2}, "ceil_mode", 1)));
        // NOTE: not a case whose last window would start in the end padding: ONNX (and PyTorch) drop
        // that window, ONNX Runtime 1.20 keeps it; Pool2dTest checks the rule
        list.add(OnnxImportTest.model("avgpool_ceil_exclude_pad", 3, 10, 11, b -> x -> b.node("AveragePool", x,
                "kernel_shape", new int[] {3, 3}, "strides", new int[] {2, 2}, "pads", new int[] {1, 1, 1, 1},
                "ceil_mode", 1)));
        // NOTE: count_include_pad with a window running past the end padding divides by the window
        // clipped to the padded input in ONNX's reference and PyTorch, by the whole window in ONNX
        // Runtime 1.20; clnn follows the former (Pool2dTest checks it against the reference)
        list.add(OnnxImportTest.model("avgpool_ceil_include_pad_tiled", 2, 5, 8, b -> x -> b.node("AveragePool", x,
                "kernel_shape", new int[] {2, 3}, "strides", new int[] {2, 2}, "pads", new int[] {0, 1, 1, 0},
                "ceil_mode", 1, "count_include_pad", 1)));
        list.add(OnnxImportTest.model("avgpool_ceil_no_pads", 2, 7, 7, b -> x -> b.node("AveragePool", x,
                "kernel_shape", new int[] {3, 2}, "strides", new int[] {2, 3}, "ceil_mode", 1)));
        return list;
    }

    /** ShuffleNet v2's unit: split the channels, convolve one half, concatenate, shuffle the channels. */
    private static String shuffleUnit(OnnxBuilder b, String x, int c, String[] halves) {
        String branch = b.node("Relu", b.conv(halves[1], c / 2, c / 2, 1, 1, 0, 1, true));
        String cat = b.node("Concat", new String[] {halves[0], branch}, "axis", 1);
        String r = b.node("Reshape", new String[] {cat, b.ints(0, 2, c / 2, 5, 6)});
        String t = b.node("Transpose", r, "perm", new int[] {0, 2, 1, 3, 4});
        return b.node("Reshape", new String[] {t, b.ints(0, c, 5, 6)});
    }

    static List<ModelProto> slicing() {
        List<ModelProto> list = new ArrayList<>();
        list.add(OnnxImportTest.model("split_channels_input", 13, 8, 5, 6, b -> x -> shuffleUnit(b, x, 8,
                b.nodes("Split", new String[] {b.conv(x, 8, 8, 1, 1, 0, 1, true), b.ints(4, 4)}, 2, "axis", 1))));
        list.add(OnnxImportTest.model("split_channels_attribute", 11, 8, 5, 6, b -> x -> shuffleUnit(b, x, 8,
                b.nodes("Split", new String[] {b.conv(x, 8, 8, 1, 1, 0, 1, true)}, 2, "axis", 1, "split",
                        new int[] {4, 4}))));
        list.add(OnnxImportTest.model("split_equal", 13, 6, 5, 6, b -> x -> {
            String[] p = b.nodes("Split", new String[] {b.node("Relu", x)}, 3, "axis", -3);
            return b.node("Concat", new String[] {p[2], p[0], p[1]}, "axis", 1);
        }));
        list.add(OnnxImportTest.model("split_num_outputs_uneven", 18, 3, 7, 5, b -> x -> {
            String[] p = b.nodes("Split", new String[] {b.node("Relu", x)}, 3, "axis", 2, "num_outputs", 3);
            return b.node("Concat", new String[] {p[2], p[1], p[0]}, "axis", 2);
        }));
        list.add(OnnxImportTest.model("split_unequal_width", 13, 3, 4, 9, b -> x -> {
            String[] p = b.nodes("Split", new String[] {b.node("Sigmoid", x), b.ints(2, 0, 7)}, 3, "axis", 3);
            return b.node("Concat", new String[] {p[2], p[1], p[0]}, "axis", 3);
        }));
        list.add(OnnxImportTest.model("slice_channels_of_conv", 13, 3, 5, 6, b -> x -> b.node("Slice", new String[] {
            b.conv(x, 3, 11, 3, 1, 1, 1, true), b.ints(3), b.ints(10), b.ints(1)})));
        list.add(OnnxImportTest.model("slice_negative_clamped", 13, 5, 9, 7, b -> x -> b.node("Slice", new String[] {
            b.node("Relu", x), b.ints(-4, -100, 1), b.ints(Long.MAX_VALUE, -2, 100), b.ints(1, -2, 3)})));
        list.add(OnnxImportTest.model("slice_steps", 13, 4, 9, 8, b -> x -> b.node("Slice", new String[] {
            b.node("Relu", x), b.ints(1, 0, -1), b.ints(100, 9, -100), b.ints(2, 3, 1), b.ints(3, 2, -2)})));
        list.add(OnnxImportTest.model("slice_whole_batch", 13, 4, 3, 3, b -> x -> b.node("Slice", new String[] {
            b.node("Relu", x), b.ints(0, 1), b.ints(Long.MAX_VALUE, 3), b.ints(0, 1)})));
        list.add(OnnxImportTest.model("slice_flattened", 13, 3, 2, 2, b -> x -> b.node("Slice", new String[] {
            b.node("Flatten", x), b.ints(-7), b.ints(-1), b.ints(1)})));
        return list;
    }

    @Test
    void sliceOfTheBatchAxisIsRejected() {
        ModelProto m = OnnxImportTest.model("slice_batch", 13, 2, 3, 3, b -> x -> b.node("Slice", new String[] {
            b.node("Relu", x), b.ints(0), b.ints(1), b.ints(0)}));
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxImport.load(m.toByteArray(), null, "slice_batch"));
        assertTrue(e.getMessage().contains("batch axis"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void sliceAndSplitMatchOnnxRuntime(ClDevice device) throws Exception {
        for (ModelProto m : slicing()) {
            OnnxImportTest.compare(device, m, 2, 12);
        }
    }

    static List<ModelProto> unaryMath() {
        List<ModelProto> list = new ArrayList<>();
        // ConvNeXt's GELU as the PyTorch exporter writes it before opset 20: x * 0.5 * (1 + erf(x / sqrt 2))
        list.add(OnnxImportTest.model("gelu_decomposed", 13, 4, 5, 6, b -> x -> {
            String c = b.conv(x, 4, 6, 1, 1, 0, 1, true);
            String erf = b.node("Erf", b.node("Div", new String[] {c, b.scalar(1.4142135f)}));
            String one = b.node("Add", new String[] {erf, b.scalar(1f)});
            return b.node("Mul", new String[] {b.node("Mul", new String[] {c, one}), b.scalar(0.5f)});
        }));
        list.add(OnnxImportTest.model("gelu_opset20", 20, 3, 5, 4, b -> x -> b.node("Gelu",
                b.node("Mul", new String[] {x, b.scalar(4f)}))));
        list.add(OnnxImportTest.model("gelu_tanh_opset20", 20, 3, 5, 4, b -> x -> b.node("Gelu",
                b.node("Mul", new String[] {x, b.scalar(4f)}), "approximate", "tanh")));
        list.add(OnnxImportTest.model("sqrt_log_of_abs", 13, 3, 4, 5, b -> x -> b.node("Add", new String[] {
            b.node("Sqrt", b.node("Abs", x)), b.node("Log", b.node("Abs", x))})));
        list.add(OnnxImportTest.model("exp_neg_reciprocal", 13, 3, 4, 5, b -> x -> b.node("Reciprocal",
                b.node("Add", new String[] {b.node("Exp", b.node("Neg", x)), b.scalar(0.5f)}))));
        for (float e : new float[] {2f, 3f, 0.5f, -1.5f}) {
            list.add(OnnxImportTest.model("pow_" + e, 13, 3, 4, 5, b -> x -> b.node("Pow", new String[] {
                e == (int) e ? x : b.node("Abs", x), b.scalar(e)})));
        }
        return list;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void unaryMathMatchesOnnxRuntime(ClDevice device) throws Exception {
        for (ModelProto m : unaryMath()) {
            OnnxImportTest.compare(device, m, 2, 13);
        }
    }

    @Test
    void powByAComputedExponentIsRejected() {
        ModelProto m = OnnxImportTest.model("pow_computed", 13, 2, 3, 3, b -> x -> b.node("Pow", new String[] {
            b.node("Relu", x), x}));
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxImport.load(m.toByteArray(), null, "pow_computed"));
        assertTrue(e.getMessage().contains("computed exponent"), e.getMessage());
    }

    static List<ModelProto> layerNorms() {
        List<ModelProto> list = new ArrayList<>();
        // ConvNeXt: permute to channels-last, normalise the channels, permute back
        list.add(OnnxImportTest.model("layernorm_convnext", 17, 3, 5, 6, b -> x -> {
            String c = b.conv(x, 3, 24, 3, 1, 1, 1, true);
            String t = b.node("Transpose", c, "perm", new int[] {0, 2, 3, 1});
            String n = b.node("LayerNormalization", new String[] {t, b.random(0.5f, 1.5f, 24), b.random(24)},
                    "epsilon", 1e-6f);
            return b.node("Transpose", n, "perm", new int[] {0, 3, 1, 2});
        }));
        list.add(OnnxImportTest.model("layernorm_width_of_nchw", 17, 3, 4, 7, b -> x -> b.node("LayerNormalization",
                new String[] {b.node("Relu", x), b.random(0.5f, 1.5f, 7), b.random(7)})));
        list.add(OnnxImportTest.model("layernorm_chw", 17, 5, 3, 4, b -> x -> b.node("LayerNormalization",
                new String[] {b.node("Relu", x), b.random(0.5f, 1.5f, 5, 3, 4), b.random(5, 3, 4)}, "axis", 1)));
        list.add(OnnxImportTest.model("layernorm_hw_no_bias", 17, 2, 3, 5, b -> x -> b.node("LayerNormalization",
                new String[] {b.node("Relu", x), b.random(0.5f, 1.5f, 3, 5)}, "axis", -2)));
        list.add(OnnxImportTest.model("layernorm_flattened", 17, 3, 3, 3, b -> x -> b.node("LayerNormalization",
                new String[] {b.node("Flatten", x), b.random(0.5f, 1.5f, 27), b.random(27)})));
        return list;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void layerNormalizationMatchesOnnxRuntime(ClDevice device) throws Exception {
        for (ModelProto m : layerNorms()) {
            OnnxImportTest.compare(device, m, 2, 14);
        }
    }

    /** Attention's products of two computed values: the input (N, C, H, W) read as (N, heads, tokens, dims). */
    static List<ModelProto> products() {
        List<ModelProto> list = new ArrayList<>();
        list.add(OnnxImportTest.model("matmul_q_kt", 13, 3, 7, 5, b -> x -> b.node("MatMul", new String[] {
            b.node("Relu", x), b.node("Transpose", x, "perm", new int[] {0, 1, 3, 2})})));
        list.add(OnnxImportTest.model("attention", 13, 2, 9, 4, b -> x -> {
            String scores = b.node("MatMul", new String[] {x, b.node("Transpose", x, "perm", new int[] {0, 1, 3, 2})});
            String p = b.node("Softmax", b.node("Mul", new String[] {scores, b.scalar(0.5f)}), "axis", -1);
            return b.node("MatMul", new String[] {p, b.node("Sigmoid", x)});
        }));
        list.add(OnnxImportTest.model("matmul_broadcast_heads", 13, 4, 5, 6, b -> x -> b.node("MatMul", new String[] {
            x, b.node("Transpose", b.node("Slice", new String[] {x, b.ints(1), b.ints(2), b.ints(1)}), "perm",
                new int[] {0, 1, 3, 2})})));
        list.add(OnnxImportTest.model("matmul_rank3", 13, 2, 3, 5, b -> x -> {
            String r = b.node("Reshape", new String[] {x, b.ints(0, 6, 5)});
            return b.node("MatMul", new String[] {b.node("Transpose", r, "perm", new int[] {0, 2, 1}), r});
        }));
        // a convolution's output is NHWC inside clnn: the product reads it back in ONNX's order
        list.add(OnnxImportTest.model("matmul_of_conv", 13, 3, 6, 6, b -> x -> {
            String c = b.conv(x, 3, 4, 3, 1, 1, 1, true);
            return b.node("MatMul", new String[] {c, b.node("Transpose", c, "perm", new int[] {0, 1, 3, 2})});
        }));
        return list;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void productsOfComputedValuesMatchOnnxRuntime(ClDevice device) throws Exception {
        for (ModelProto m : products()) {
            OnnxImportTest.compare(device, m, 2, 15);
        }
    }

    @Test
    void productsOfValuesOfDifferentRanksAreRejected() {
        ModelProto m = OnnxImportTest.model("matmul_ranks", 13, 2, 3, 3, b -> x -> b.node("MatMul", new String[] {
            x, b.node("Reshape", new String[] {x, b.ints(0, 6, 3)})}));
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxImport.load(m.toByteArray(), null, "matmul_ranks"));
        assertTrue(e.getMessage().contains("same rank"), e.getMessage());
    }

    /** ReduceMean, ReduceSum and ReduceL2 on any axes, and Softmax on any axis, including opset 11's flattening one. */
    static List<ModelProto> reductions() {
        List<ModelProto> list = new ArrayList<>();
        list.add(OnnxImportTest.model("reducemean_last_keep", 13, 3, 4, 7, b -> x -> b.node("ReduceMean", x, "axes",
                new int[] {-1})));
        list.add(OnnxImportTest.model("reducemean_channels_of_conv", 13, 3, 5, 6, b -> x -> b.node("ReduceMean",
                b.conv(x, 3, 6, 3, 1, 1, 1, true), "axes", new int[] {1})));
        list.add(OnnxImportTest.model("reducemean_axes_input_drop", 18, 3, 5, 6, b -> x -> b.node("ReduceMean",
                new String[] {b.node("Relu", x), b.ints(1, 3)}, "keepdims", 0)));
        list.add(OnnxImportTest.model("reducesum_of_conv_drop", 13, 3, 4, 5, b -> x -> b.node("ReduceSum",
                new String[] {b.conv(x, 3, 4, 1, 1, 0, 1, false), b.ints(2)}, "keepdims", 0)));
        list.add(OnnxImportTest.model("reducesum_attribute_opset11", 11, 2, 3, 4, b -> x -> b.node("ReduceSum", x,
                "axes", new int[] {1, 2})));
        list.add(OnnxImportTest.model("reducesum_noop", 13, 2, 3, 4, b -> x -> b.node("ReduceSum",
                new String[] {x, b.ints()}, "noop_with_empty_axes", 1)));
        // ConvNeXt v2's global response norm: the L2 norm over H and W of a convolution's output
        list.add(OnnxImportTest.model("reducel2_spatial_of_conv", 13, 3, 5, 6, b -> x -> b.node("ReduceL2",
                b.conv(x, 3, 4, 3, 1, 1, 1, true), "axes", new int[] {2, 3})));
        list.add(OnnxImportTest.model("reducel2_axes_input_drop", 18, 3, 5, 6, b -> x -> b.node("ReduceL2",
                new String[] {x, b.ints(-1)}, "keepdims", 0)));
        list.add(OnnxImportTest.model("softmax_channels_of_conv", 13, 3, 4, 5, b -> x -> b.node("Softmax",
                b.conv(x, 3, 6, 1, 1, 0, 1, true), "axis", 1)));
        list.add(OnnxImportTest.model("softmax_opset11_flattening", 11, 3, 4, 5, b -> x -> b.node("Softmax", x,
                "axis", 2)));
        list.add(OnnxImportTest.model("logsoftmax_opset11_axis1", 11, 3, 4, 5, b -> x -> b.node("LogSoftmax",
                b.conv(x, 3, 3, 1, 1, 0, 1, false))));
        return list;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void reductionsAndSoftmaxMatchOnnxRuntime(ClDevice device) throws Exception {
        for (ModelProto m : reductions()) {
            OnnxImportTest.compare(device, m, 2, 16);
        }
    }

    @Test
    void reductionsOfTheBatchAxisAreRejected() {
        for (ModelProto m : List.of(
                OnnxImportTest.model("reduce_batch", 13, 2, 3, 3, b -> x -> b.node("ReduceSum", new String[] {x,
                    b.ints(0, 1)})),
                OnnxImportTest.model("reduce_all", 13, 2, 3, 3, b -> x -> b.node("ReduceMean", x)))) {
            OnnxFormatException e = assertThrows(OnnxFormatException.class,
                    () -> OnnxImport.load(m.toByteArray(), null, m.getGraph().getName()));
            assertTrue(e.getMessage().contains("batch axis"), e.getMessage());
        }
    }

    /** Masks and repetitions: Equal, Where (with a constant or computed operands), Expand and Tile. */
    static List<ModelProto> masking() {
        List<ModelProto> list = new ArrayList<>();
        list.add(OnnxImportTest.model("equal_constant", 13, 2, 3, 5, b -> x -> b.node("Cast", b.node("Equal",
                new String[] {b.node("Relu", x), b.scalar(0f)}), "to", 1)));
        list.add(OnnxImportTest.model("where_minus_inf", 13, 2, 3, 5, b -> x -> b.node("Where", new String[] {
            b.node("Equal", new String[] {b.node("Relu", x), x}), x, b.scalar(Float.NEGATIVE_INFINITY)})));
        list.add(OnnxImportTest.model("attention_mask_softmax", 13, 2, 6, 4, b -> x -> {
            String scores = b.node("MatMul", new String[] {x, b.node("Transpose", x, "perm", new int[] {0, 1, 3, 2})});
            String keep = b.node("Equal", new String[] {b.node("Relu", scores), scores});
            return b.node("Softmax", b.node("Where", new String[] {keep, scores, b.scalar(-1e9f)}), "axis", -1);
        }));
        list.add(OnnxImportTest.model("where_computed_of_conv", 13, 3, 4, 5, b -> x -> {
            String c = b.conv(x, 3, 3, 1, 1, 0, 1, true);
            return b.node("Where", new String[] {b.node("Equal", new String[] {b.node("Relu", c), c}),
                b.node("Sigmoid", x), b.node("Neg", c)});
        }));
        list.add(OnnxImportTest.model("where_constant_first", 13, 2, 3, 4, b -> x -> b.node("Where", new String[] {
            b.node("Equal", new String[] {b.node("Relu", x), x}), b.random(3, 1), x})));
        list.add(OnnxImportTest.model("expand_of_conv", 13, 3, 4, 4, b -> x -> b.node("Expand", new String[] {
            b.node("GlobalAveragePool", b.conv(x, 3, 5, 1, 1, 0, 1, true)), b.ints(1, 5, 3, 2)})));
        list.add(OnnxImportTest.model("expand_lower_rank_target", 13, 2, 3, 5, b -> x -> b.node("Expand",
                new String[] {b.node("ReduceMean", x, "axes", new int[] {2}), b.ints(4, 1)})));
        list.add(OnnxImportTest.model("tile_of_conv", 13, 3, 4, 5, b -> x -> b.node("Tile", new String[] {
            b.conv(x, 3, 4, 3, 1, 1, 1, true), b.ints(1, 2, 1, 3)})));
        list.add(OnnxImportTest.model("tile_rank3", 13, 2, 3, 5, b -> x -> b.node("Tile", new String[] {
            b.node("Reshape", new String[] {x, b.ints(0, 6, 5)}), b.ints(1, 1, 3)})));
        return list;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void masksAndRepetitionsMatchOnnxRuntime(ClDevice device) throws Exception {
        for (ModelProto m : masking()) {
            OnnxImportTest.compare(device, m, 2, 17);
        }
    }

    @Test
    void repetitionsOfTheBatchAxisAreRejected() {
        for (ModelProto m : List.of(
                OnnxImportTest.model("tile_batch", 13, 2, 3, 3, b -> x -> b.node("Tile", new String[] {x,
                    b.ints(2, 1, 1, 1)})),
                OnnxImportTest.model("expand_batch", 13, 1, 3, 3, b -> x -> b.node("Expand", new String[] {x,
                    b.ints(4, 1, 3, 3)})))) {
            OnnxFormatException e = assertThrows(OnnxFormatException.class,
                    () -> OnnxImport.load(m.toByteArray(), null, m.getGraph().getName()));
            assertTrue(e.getMessage().contains("batch axis"), e.getMessage());
        }
    }

    /** Imported, exported again by {@link GraphExport}: ONNX Runtime computes what clnn's reference does. */
    @Test
    void exportedGraphsRunInOnnxRuntimeWithTheSameResults() throws Exception {
        List<ModelProto> all = new ArrayList<>(slicing());
        all.addAll(ceilModePooling());
        all.addAll(unaryMath());
        all.addAll(layerNorms());
        all.addAll(products());
        all.addAll(reductions());
        all.addAll(masking());
        for (ModelProto m : all) {
            GraphExportTest.assertExportRunsInOnnxRuntime(m, 2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void ceilModePoolingMatchesOnnxRuntime(ClDevice device) throws Exception {
        for (ModelProto m : ceilModePooling()) {
            OnnxImportTest.compare(device, m, 2, 11);
        }
    }
}
