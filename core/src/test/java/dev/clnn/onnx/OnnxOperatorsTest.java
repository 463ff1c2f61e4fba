package dev.clnn.onnx;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.clnn.cl.ClDevice;

/**
 * The operators that the networks people bring need beyond MobileNet (GoogLeNet's ceil-mode
 * pooling, ...): one small model per operator and attribute combination, imported by clnn, run on
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void ceilModePoolingMatchesOnnxRuntime(ClDevice device) throws Exception {
        for (ModelProto m : ceilModePooling()) {
            OnnxImportTest.compare(device, m, 2, 11);
        }
    }
}
