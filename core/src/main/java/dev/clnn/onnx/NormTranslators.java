package dev.clnn.onnx;

import java.util.Arrays;
import java.util.Map;

import dev.clnn.graph.Op;

/**
 * InstanceNormalization and GroupNormalization ({@link #groupNorm}), and LayerNormalization (opset 17) of computed values, over the trailing axes from {@code axis}, with
 * constant scale and bias. The normalised block must be contiguous in clnn's layout: it is for a
 * value in ONNX's order (ConvNeXt normalises after permuting to channels-last, which clnn's NHWC
 * data already is), and for an NHWC value normalised over all of (C, H, W); an NHWC value
 * normalised over W or (H, W) alone is first put back in ONNX's order.
 */
final class NormTranslators {
    private NormTranslators() {
    }

    static Map<String, Translator> all() {
        return Map.of("LayerNormalization", NormTranslators::layerNorm,
                "InstanceNormalization", cx -> groupNorm(cx, false),
                "GroupNormalization", cx -> groupNorm(cx, true));
    }

    /**
     * InstanceNormalization (per channel) and GroupNormalization (opset 18: {@code num_groups} groups,
     * scale and bias per group, or per channel as opset 21 has them) of a computed value of rank 3 or
     * more: an NHWC value stays NHWC, any other is normalised in ONNX's order, channels second (so
     * PyTorch's exported GroupNorm, Reshape to (N, G, -1) then InstanceNormalization, runs as it is).
     */
    private static void groupNorm(NodeContext cx, boolean grouped) {
        Val v = cx.valIn(0);
        int[] d = cx.dims(v);
        if (d.length < 3) {
            throw new OnnxFormatException(cx.opType() + " needs an (N, C, ...) input of rank 3 or more, got rank "
                    + d.length);
        }
        int c = d[1];
        int groups = grouped ? (int) cx.i("num_groups", 0) : c;
        if (groups < 1 || c % groups != 0) {
            throw new OnnxFormatException(cx.opType() + " num_groups " + groups + " does not divide the " + c
                    + " channels");
        }
        float[] scale = perChannel(cx.constIn(1, cx.opType() + " scale"), c, groups, "scale", cx.opType());
        float[] bias = perChannel(cx.constIn(2, cx.opType() + " bias"), c, groups, "bias", cx.opType());
        Op.GroupNorm op = new Op.GroupNorm(groups, v.nhwc(), scale, bias, cx.f("epsilon", 1e-5f));
        cx.put(new Val(cx.add(op, v.name()), v.nhwc()));
    }

    /** Weights given per channel, or per group (each repeated over its channels). */
    private static float[] perChannel(Const k, int c, int groups, String what, String op) {
        if (k == null) {
            throw new OnnxFormatException(op + " " + what + " is required");
        }
        float[] f = k.floats();
        if (f.length == c) {
            return f;
        }
        if (f.length != groups) {
            throw new OnnxFormatException(op + " " + what + " has " + f.length + " values for " + c + " channels in "
                    + groups + " groups");
        }
        float[] out = new float[c];
        for (int ch = 0; ch < c; ch++) {
            out[ch] = f[ch / (c / groups)];
        }
        return out;
    }

    private static void layerNorm(NodeContext cx) {
        Val v = cx.valIn(0);
        int[] d = cx.dims(v);
        int rank = d.length;
        int axis = Dims.axis((int) cx.i("axis", -1), rank, "LayerNormalization axis");
        if (axis == 0) {
            throw new OnnxFormatException("LayerNormalization over the batch axis is not supported");
        }
        int[] block = Arrays.copyOfRange(d, axis, rank);
        float[] scale = broadcast(cx.constIn(1, "LayerNormalization scale"), block, "scale");
        Const b = cx.constIn(2, "LayerNormalization bias");
        float[] bias = b == null ? new float[scale.length] : broadcast(b, block, "bias");
        float eps = cx.f("epsilon", 1e-5f);
        String x;
        boolean nhwc = false;
        if (!v.nhwc()) {
            x = v.name();
        } else if (axis == 1) {
            // the whole (C, H, W) block: the same elements in NHWC, the weights reordered to (H, W, C)
            x = v.name();
            nhwc = true;
            scale = toHwc(scale, block);
            bias = toHwc(bias, block);
        } else {
            x = cx.plain(v);
        }
        int clnnAxis = nhwc ? 1 : axis;
        cx.put(new Val(cx.add(new Op.LayerNorm(clnnAxis, scale, bias, eps), x), nhwc));
    }

    /** {@code c} broadcast to {@code block} (ONNX's unidirectional broadcast), as floats in row-major order. */
    private static float[] broadcast(Const c, int[] block, String what) {
        int[] cd = c.dims();
        if (cd.length > block.length) {
            throw new OnnxFormatException("LayerNormalization " + what + " of shape " + Arrays.toString(cd)
                    + " has a higher rank than the normalised axes " + Arrays.toString(block));
        }
        int[] aligned = new int[block.length];
        Arrays.fill(aligned, 1);
        System.arraycopy(cd, 0, aligned, block.length - cd.length, cd.length);
        for (int i = 0; i < block.length; i++) {
            if (aligned[i] != 1 && aligned[i] != block[i]) {
                throw new OnnxFormatException("LayerNormalization " + what + " of shape " + Arrays.toString(cd)
                        + " does not broadcast to the normalised axes " + Arrays.toString(block));
            }
        }
        float[] src = c.floats();
        int n = (int) Const.count(block);
        float[] out = new float[n];
        int[] idx = new int[block.length];
        for (int i = 0; i < n; i++) {
            int s = 0;
            for (int k = 0; k < block.length; k++) {
                s = s * aligned[k] + (aligned[k] == 1 ? 0 : idx[k]);
            }
            out[i] = src[s];
            for (int k = block.length - 1; k >= 0; k--) {
                if (++idx[k] < block[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
        return out;
    }

    /** A (C, H, W) block's weights in (H, W, C) order. */
    private static float[] toHwc(float[] chw, int[] block) {
        int c = block[0];
        int hw = chw.length / c;
        float[] hwc = new float[chw.length];
        for (int ch = 0; ch < c; ch++) {
            for (int p = 0; p < hw; p++) {
                hwc[p * c + ch] = chw[ch * hw + p];
            }
        }
        return hwc;
    }
}
