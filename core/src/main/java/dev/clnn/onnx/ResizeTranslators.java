package dev.clnn.onnx;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

import dev.clnn.graph.Op;
import dev.clnn.ops.ResizeParams;
import dev.clnn.ops.ResizeParams.Coord;
import dev.clnn.ops.ResizeParams.Mode;
import dev.clnn.ops.ResizeParams.Nearest;

/**
 * Resize (opsets 11 to 20) of a computed (N, C, H, W) value on its height and width, nearest or
 * linear, by constant scales or to constant sizes (the batch may be the input's, as exporters
 * compute it from {@code Shape}); run NHWC. Modes and attributes clnn does not implement (cubic,
 * tf_crop_and_resize, antialias, ...) are named in the error.
 */
final class ResizeTranslators {
    private ResizeTranslators() {
    }

    static Map<String, Translator> all() {
        return Map.of("Resize", ResizeTranslators::resize);
    }

    private static void resize(NodeContext cx) {
        Val v = cx.valIn(0);
        int[] d = cx.dims(v);
        if (d.length != 4) {
            throw new OnnxFormatException("clnn resizes (N, C, H, W) values, got rank " + d.length);
        }
        Mode mode = mode(cx);
        Coord coord = coord(cx);
        Nearest nearest = nearest(cx, mode);
        checkUnsupported(cx);
        int[] axes = axes(cx);
        Const scales = cx.present(2) ? cx.constIn(2, "Resize scales") : null;
        Const sizes = cx.present(3) ? cx.constIn(3, "Resize sizes") : null;
        if (scales != null && scales.size() == 0) {
            scales = null;
        }
        if ((scales == null) == (sizes == null || sizes.size() == 0)) {
            throw new OnnxFormatException("Resize needs exactly one of scales and sizes");
        }
        ResizeParams p;
        if (scales != null) {
            float[] s = full(scales.floats(), axes, 1f, "scales");
            if (s[0] != 1f || s[1] != 1f) {
                throw new OnnxFormatException("Resize scales " + Arrays.toString(s) + " change the batch or the"
                        + " channels; clnn resizes height and width only");
            }
            p = ResizeParams.scales(mode, coord, nearest, s[2], s[3]);
        } else {
            long[] s = fullSizes(sizes.longs(), axes, d);
            if (s[0] != Const.BATCH && (cx.fixedBatch() == 0 || s[0] != cx.fixedBatch())) {
                throw new OnnxFormatException("Resize sizes " + Arrays.toString(s) + " fix a batch size the input does"
                        + " not declare (take it from the input's Shape, or declare the batch)");
            }
            if (s[1] != d[1]) {
                throw new OnnxFormatException("Resize sizes " + Arrays.toString(s) + " change the channels; clnn"
                        + " resizes height and width only");
            }
            if (s[2] < 1 || s[3] < 1 || s[2] > Integer.MAX_VALUE || s[3] > Integer.MAX_VALUE) {
                throw new OnnxFormatException("Resize sizes " + Arrays.toString(s) + " are not positive");
            }
            p = ResizeParams.sizes(mode, coord, nearest, (int) s[2], (int) s[3]);
        }
        cx.put(new Val(cx.add(new Op.Resize(p), cx.nhwc(v)), true));
    }

    private static Mode mode(NodeContext cx) {
        String m = cx.s("mode", "nearest");
        switch (m) {
            case "nearest": return Mode.NEAREST;
            case "linear": return Mode.LINEAR;
            default:
                throw new OnnxFormatException("Resize mode '" + m + "' is not supported (nearest and linear are)");
        }
    }

    private static Coord coord(NodeContext cx) {
        String c = cx.s("coordinate_transformation_mode", "half_pixel");
        for (Coord k : Coord.values()) {
            if (k.name().toLowerCase(Locale.ROOT).equals(c)) {
                return k;
            }
        }
        throw new OnnxFormatException("Resize coordinate_transformation_mode '" + c + "' is not supported"
                + " (half_pixel, asymmetric, align_corners and pytorch_half_pixel are)");
    }

    private static Nearest nearest(NodeContext cx, Mode mode) {
        String n = cx.s("nearest_mode", "round_prefer_floor");
        for (Nearest k : Nearest.values()) {
            if (k.name().toLowerCase(Locale.ROOT).equals(n)) {
                return k;
            }
        }
        if (mode == Mode.LINEAR) {
            return Nearest.ROUND_PREFER_FLOOR;
        }
        throw new OnnxFormatException("Resize nearest_mode '" + n + "' is not an ONNX value");
    }

    private static void checkUnsupported(NodeContext cx) {
        if (cx.i("antialias", 0) != 0) {
            throw new OnnxFormatException("Resize antialias = 1 is not supported");
        }
        if (cx.i("exclude_outside", 0) != 0) {
            throw new OnnxFormatException("Resize exclude_outside = 1 is not supported");
        }
        String policy = cx.s("keep_aspect_ratio_policy", "stretch");
        if (!policy.equals("stretch")) {
            throw new OnnxFormatException("Resize keep_aspect_ratio_policy '" + policy + "' is not supported"
                    + " (stretch is)");
        }
    }

    /** The axes the scales or sizes are for (opset 18's attribute), else all four. */
    private static int[] axes(NodeContext cx) {
        int[] axes = cx.ints("axes");
        if (axes == null) {
            return new int[] {0, 1, 2, 3};
        }
        int[] a = new int[axes.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = Dims.axis(axes[i], 4, "Resize axis");
        }
        return a;
    }

    private static float[] full(float[] given, int[] axes, float dflt, String what) {
        if (given.length != axes.length) {
            throw new OnnxFormatException("Resize " + what + " has " + given.length + " values for "
                    + axes.length + " axes");
        }
        float[] f = new float[4];
        Arrays.fill(f, dflt);
        for (int i = 0; i < axes.length; i++) {
            f[axes[i]] = given[i];
        }
        return f;
    }

    private static long[] fullSizes(long[] given, int[] axes, int[] d) {
        if (given.length != axes.length) {
            throw new OnnxFormatException("Resize sizes has " + given.length + " values for " + axes.length + " axes");
        }
        long[] s = {Const.BATCH, d[1], d[2], d[3]};
        for (int i = 0; i < axes.length; i++) {
            s[axes[i]] = given[i];
        }
        return s;
    }
}
