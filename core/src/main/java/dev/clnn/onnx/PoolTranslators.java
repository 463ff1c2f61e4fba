package dev.clnn.onnx;

import java.util.Arrays;
import java.util.Map;

import dev.clnn.graph.Op;
import dev.clnn.ops.Pool2dParams;
import dev.clnn.tensor.Shape;

/** Pooling over H and W of (N, C, H, W) values: MaxPool, AveragePool, GlobalAveragePool. */
final class PoolTranslators {
    private PoolTranslators() {
    }

    static Map<String, Translator> all() {
        return Map.of(
                "MaxPool", cx -> pool(cx, true),
                "AveragePool", cx -> pool(cx, false),
                "GlobalAveragePool", PoolTranslators::globalAverage);
    }

    private static void pool(NodeContext cx, boolean max) {
        Val xv = cx.valIn(0);
        if (cx.dims(xv).length != 4) {
            throw new OnnxFormatException("clnn pools (N, C, H, W) values only");
        }
        String x = cx.nhwc(xv);
        Shape xs = cx.shape(x);
        int[] k = cx.ints("kernel_shape");
        if (k == null || k.length != 2) {
            throw new OnnxFormatException("kernel_shape must give 2 values, got " + Arrays.toString(k));
        }
        int[] strides = Window.spatial(cx, "strides", new int[] {1, 1});
        int[] dil = Window.spatial(cx, "dilations", new int[] {1, 1});
        if (dil[0] != 1 || dil[1] != 1) {
            throw new OnnxFormatException("dilated pooling is not supported");
        }
        int[] p = Window.padding(cx, xs.dim(1), xs.dim(2), k[0], k[1], strides, dil);
        boolean includePad = cx.i("count_include_pad", 0) != 0;
        Pool2dParams params = new Pool2dParams(max ? Pool2dParams.Mode.MAX : Pool2dParams.Mode.AVERAGE, k[0], k[1],
                strides[0], strides[1], p[0], p[1], p[2], p[3], includePad, cx.i("ceil_mode", 0) != 0);
        cx.put(new Val(cx.add(new Op.Pool(params), x), true));
    }

    private static void globalAverage(NodeContext cx) {
        Val x = cx.valIn(0);
        cx.put(new Val(cx.add(new Op.Pool(Pool2dParams.globalAverage()), cx.nhwc(x)), true));
    }
}
