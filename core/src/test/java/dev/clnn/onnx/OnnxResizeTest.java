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
 * Resize as segmentation and detection heads use it (FCN, DeepLab and LRASPP upsampling the logits
 * bilinearly, YOLO's nearest 2x): every mode, coordinate transformation and nearest rounding, by
 * scales and to sizes (constant, or with the batch taken from the input's shape), at opsets 11 to 19,
 * against ONNX Runtime; and the modes clnn does not run, rejected naming the node.
 */
class OnnxResizeTest {

    private static String scales(OnnxBuilder b, float h, float w) {
        return b.init(new float[] {1f, 1f, h, w}, 4);
    }

    private static ModelProto byScales(String name, int opset, float h, float w, Object... attrs) {
        return OnnxImportTest.model(name, opset, 3, 5, 4, b -> x -> b.node("Resize", new String[] {
            b.conv(x, 3, 4, 3, 1, 1, 1, true), opset < 13 ? b.init(new float[0], 0) : "", scales(b, h, w)}, attrs));
    }

    private static ModelProto bySizes(String name, int opset, int h, int w, Object... attrs) {
        return OnnxImportTest.model(name, opset, 3, 5, 4, b -> x -> {
            String nc = b.node("Slice", new String[] {b.node("Shape", x), b.ints(0), b.ints(2)});
            String sizes = b.node("Concat", new String[] {nc, b.ints(h, w)}, "axis", 0);
            return b.node("Resize", new String[] {b.node("Relu", x), "", "", sizes}, attrs);
        });
    }

    static List<ModelProto> models() {
        List<ModelProto> list = new ArrayList<>();
        list.add(byScales("nearest_default_x2", 13, 2f, 2f));
        list.add(byScales("nearest_asymmetric_floor_x2", 13, 2f, 2f, "mode", "nearest",
                "coordinate_transformation_mode", "asymmetric", "nearest_mode", "floor"));
        list.add(byScales("nearest_pytorch_half_pixel_ceil", 13, 1.5f, 2.5f, "coordinate_transformation_mode",
                "pytorch_half_pixel", "nearest_mode", "ceil"));
        list.add(byScales("nearest_asymmetric_prefer_ceil_down", 11, 0.5f, 0.75f, "coordinate_transformation_mode",
                "asymmetric", "nearest_mode", "round_prefer_ceil"));
        list.add(byScales("nearest_align_corners_prefer_floor", 13, 3f, 2f, "coordinate_transformation_mode",
                "align_corners"));
        list.add(byScales("linear_half_pixel_x2", 13, 2f, 2f, "mode", "linear"));
        list.add(byScales("linear_pytorch_half_pixel_x4", 13, 4f, 4f, "mode", "linear",
                "coordinate_transformation_mode", "pytorch_half_pixel"));
        list.add(byScales("linear_align_corners", 11, 2f, 3f, "mode", "linear",
                "coordinate_transformation_mode", "align_corners"));
        list.add(byScales("linear_asymmetric_down", 13, 0.5f, 0.5f, "mode", "linear",
                "coordinate_transformation_mode", "asymmetric"));
        list.add(bySizes("linear_sizes_half_pixel", 13, 9, 7, "mode", "linear"));
        list.add(bySizes("nearest_sizes_align_corners_ceil", 13, 11, 3, "coordinate_transformation_mode",
                "align_corners", "nearest_mode", "round_prefer_ceil"));
        list.add(bySizes("linear_sizes_pytorch_one_row", 13, 1, 6, "mode", "linear",
                "coordinate_transformation_mode", "pytorch_half_pixel"));
        // LRASPP / DeepLab: back to the input's size, the batch and channels taken from the logits' shape
        list.add(OnnxImportTest.model("linear_sizes_from_shape", 13, 3, 8, 6, b -> x -> {
            String low = b.conv(x, 3, 5, 3, 2, 1, 1, true);
            String nc = b.node("Slice", new String[] {b.node("Shape", low), b.ints(0), b.ints(2)});
            String sizes = b.node("Concat", new String[] {nc, b.ints(8, 6)}, "axis", 0);
            return b.node("Resize", new String[] {low, "", "", sizes}, "mode", "linear",
                    "coordinate_transformation_mode", "pytorch_half_pixel");
        }));
        list.add(OnnxImportTest.model("linear_axes_opset18", 18, 3, 5, 4, b -> x -> b.node("Resize", new String[] {
            b.node("Relu", x), "", "", b.ints(10, 3)}, "mode", "linear", "axes", new int[] {2, 3})));
        list.add(OnnxImportTest.model("nearest_scales_axes_opset19", 19, 3, 5, 4, b -> x -> b.node("Resize",
                new String[] {b.node("Relu", x), "", b.init(new float[] {2f, 2f}, 2)}, "axes", new int[] {2, 3},
                "coordinate_transformation_mode", "asymmetric", "nearest_mode", "floor")));
        return list;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void resizeMatchesOnnxRuntime(ClDevice device) throws Exception {
        OnnxImportTest.compareEach(device, models(), 2, 51);
    }

    @Test
    void unsupportedModesAreRejectedNamingTheNode() {
        Object[][] bad = {
            {"mode", "cubic"}, {"coordinate_transformation_mode", "tf_crop_and_resize"},
            {"coordinate_transformation_mode", "half_pixel_symmetric"}, {"antialias", 1},
            {"keep_aspect_ratio_policy", "not_larger"},
        };
        for (Object[] a : bad) {
            ModelProto m = byScales("resize_bad", 19, 2f, 2f, a[0], a[1]);
            OnnxFormatException e = assertThrows(OnnxFormatException.class,
                    () -> OnnxImport.load(m.toByteArray(), null, "resize_bad"));
            assertTrue(e.getMessage().contains("Resize_") && e.getMessage().contains(a[0].toString()),
                    e.getMessage());
        }
        ModelProto fixed = OnnxImportTest.model("resize_literal_batch", 13, 3, 5, 4, b -> x -> b.node("Resize",
                new String[] {x, "", "", b.ints(2, 3, 10, 8)}));
        OnnxFormatException batch = assertThrows(OnnxFormatException.class,
                () -> OnnxImport.load(fixed.toByteArray(), null, "resize_literal_batch"));
        assertTrue(batch.getMessage().contains("batch size"), batch.getMessage());
        ModelProto m = OnnxImportTest.model("resize_channels", 13, 3, 5, 4, b -> x -> b.node("Resize", new String[] {
            x, "", b.init(new float[] {1f, 2f, 2f, 2f}, 4)}));
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxImport.load(m.toByteArray(), null, "resize_channels"));
        assertTrue(e.getMessage().contains("channels"), e.getMessage());
    }

    /** Imported, exported again by {@link GraphExport}: ONNX Runtime computes what clnn's reference does. */
    @Test
    void exportedGraphsRunInOnnxRuntimeWithTheSameResults() throws Exception {
        for (ModelProto m : models()) {
            GraphExportTest.assertExportRunsInOnnxRuntime(m, 2);
        }
    }
}
