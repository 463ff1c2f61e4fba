package dev.clnn.onnx;

import java.util.Arrays;
import java.util.Map;

import dev.clnn.graph.Op;
import dev.clnn.ops.Pool2dParams;
import dev.clnn.ops.ReduceParams;

/**
 * ReduceMean, ReduceSum and ReduceL2 over any axes but the batch, with keepdims, axes as an attribute
 * or (ReduceSum from opset 13, ReduceMean and ReduceL2 from 18) as a constant input, and noop_with_empty_axes. A mean
 * over the spatial axes of an (N, C, H, W) value is a global average pooling in NHWC; a value clnn
 * holds NHWC is reduced in NHWC while the reduced axes stay, else in ONNX's order.
 */
final class ReduceTranslators {
    private ReduceTranslators() {
    }

    static Map<String, Translator> all() {
        return Map.of(
                "ReduceMean", cx -> reduce(cx, ReduceParams.Mode.MEAN, 18),
                "ReduceL2", cx -> reduce(cx, ReduceParams.Mode.L2, 18),
                "ReduceSum", cx -> reduce(cx, ReduceParams.Mode.SUM, 13));
    }

    private static void reduce(NodeContext cx, ReduceParams.Mode mode, int axesInputSince) {
        Val xv = cx.valIn(0);
        int[] d = cx.dims(xv);
        int[] axes;
        if (cx.opset() >= axesInputSince) {
            Const a = cx.constIn(1, cx.opType() + " axes");
            axes = a == null ? null : a.ints(cx.opType() + " axes");
        } else {
            axes = cx.ints("axes");
        }
        boolean keep = cx.i("keepdims", 1) != 0;
        if (axes == null || axes.length == 0) {
            if (cx.i("noop_with_empty_axes", 0) != 0) {
                cx.put(xv);
                return;
            }
            throw new OnnxFormatException(cx.opType() + " over every axis reduces the batch axis, which clnn does not"
                    + " support");
        }
        boolean[] reduced = new boolean[d.length];
        for (int a : axes) {
            int k = Dims.axis(a, d.length, cx.opType() + " axis");
            if (k == 0) {
                throw new OnnxFormatException(cx.opType() + " along the batch axis is not supported");
            }
            reduced[k] = true;
        }
        if (mode == ReduceParams.Mode.MEAN && d.length == 4 && Arrays.equals(reduced, new boolean[] {false, false,
            true, true})) {
            spatialMean(cx, xv, d, keep);
            return;
        }
        if (xv.nhwc() && keep) {
            int[] nhwcAxes = new int[axes.length];
            for (int i = 0; i < axes.length; i++) {
                nhwcAxes[i] = Layout.axis(xv, Dims.axis(axes[i], d.length, "axis"));
            }
            cx.put(new Val(cx.add(new Op.Reduce(new ReduceParams(mode, nhwcAxes, true)), xv.name()), true));
            return;
        }
        int[] plainAxes = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            plainAxes[i] = Dims.axis(axes[i], d.length, "axis");
        }
        cx.put(new Val(cx.add(new Op.Reduce(new ReduceParams(mode, plainAxes, keep)), cx.plain(xv)), false));
    }

    /** A mean over H and W of (N, C, H, W): a global average pooling of the NHWC value. */
    private static void spatialMean(NodeContext cx, Val xv, int[] d, boolean keep) {
        String pooled = cx.add(new Op.Pool(Pool2dParams.globalAverage()), cx.nhwc(xv));
        if (keep) {
            cx.put(new Val(pooled, true));
        } else {
            cx.put(new Val(cx.add("_squeeze", new Op.Reshape(new int[] {d[1]}), pooled), false));
        }
    }
}
