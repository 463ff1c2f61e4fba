package dev.clnn.onnx;

import java.util.Arrays;
import java.util.Map;

import dev.clnn.graph.Op;
import dev.clnn.ops.Activation;
import dev.clnn.ops.Conv2dParams;
import dev.clnn.ops.ConvWeights;
import dev.clnn.ops.MatMulParams;
import dev.clnn.tensor.Shape;

/**
 * The layers with weights: Conv (OIHW weights to clnn's HWIO), Gemm and MatMul (dense layers
 * with a constant right operand, on (N, K) or, for MatMul, any (N, ..., K) input whose leading
 * dimensions become GEMM rows; or a batched product of two computed values) and BatchNormalization (which the graph passes fold into the
 * convolution before it).
 */
final class ConvTranslators {
    private ConvTranslators() {
    }

    static Map<String, Translator> all() {
        return Map.of(
                "Conv", ConvTranslators::conv,
                "Gemm", ConvTranslators::gemm,
                "MatMul", ConvTranslators::matMul,
                "BatchNormalization", ConvTranslators::batchNorm);
    }

    private static void conv(NodeContext cx) {
        Val xv = cx.valIn(0);
        if (cx.dims(xv).length != 4) {
            throw new OnnxFormatException("clnn runs 2-D convolutions on (N, C, H, W) values, got rank "
                    + cx.dims(xv).length);
        }
        String x = cx.nhwc(xv);
        Shape xs = cx.shape(x);
        Const w = cx.constIn(1, "Conv weights");
        if (w.rank() != 4) {
            throw new OnnxFormatException("Conv weights must be (Cout, Cin/group, KH, KW), got "
                    + Arrays.toString(w.dims()));
        }
        int group = (int) cx.i("group", 1);
        int cout = w.dims()[0];
        int cinPerGroup = w.dims()[1];
        int kh = w.dims()[2];
        int kw = w.dims()[3];
        if (group < 1 || cinPerGroup * (long) group != xs.dim(3) || cout % group != 0) {
            throw new OnnxFormatException("Conv of " + xs.dim(3) + " input channels with weights "
                    + Arrays.toString(w.dims()) + " and group " + group + " does not fit");
        }
        int[] ks = cx.ints("kernel_shape");
        if (ks != null && (ks.length != 2 || ks[0] != kh || ks[1] != kw)) {
            throw new OnnxFormatException("kernel_shape " + Arrays.toString(ks) + " differs from the weights");
        }
        int[] strides = Window.spatial(cx, "strides", new int[] {1, 1});
        int[] dil = Window.spatial(cx, "dilations", new int[] {1, 1});
        int[] p = Window.padding(cx, xs.dim(1), xs.dim(2), kh, kw, strides, dil);
        Conv2dParams params = Conv2dParams.defaults().withStride(strides[0], strides[1]).withDilation(dil[0], dil[1])
                .withPadding(p[0], p[1], p[2], p[3]).withGroups(group);
        float[] hwio = ConvWeights.oihwToHwio(w.floats(), cout, cinPerGroup, kh, kw);
        float[] bias = null;
        Const b = cx.constIn(2, "Conv bias");
        if (b != null) {
            if (b.size() != cout) {
                throw new OnnxFormatException("Conv bias has " + b.size() + " values for " + cout + " output channels");
            }
            bias = b.floats();
        }
        Op.Conv conv = new Op.Conv(params, ConvWeights.hwioShape(cout, cinPerGroup, kh, kw), hwio, bias);
        cx.put(new Val(cx.add(conv, x), true));
    }

    /** A 2-D input for Gemm: (N, K) in ONNX order. */
    private static String matrixInput(NodeContext cx, Val v) {
        int[] d = cx.dims(v);
        if (d.length != 2) {
            throw new OnnxFormatException("clnn runs " + cx.opType() + " on (N, K) inputs, got rank " + d.length);
        }
        return cx.plain(v);
    }

    private static void gemm(NodeContext cx) {
        if (cx.i("transA", 0) != 0) {
            throw new OnnxFormatException("transA = 1 is not supported");
        }
        String a = matrixInput(cx, cx.valIn(0));
        int k = cx.shape(a).dim(1);
        Const b = cx.constIn(1, "Gemm B");
        if (b.rank() != 2) {
            throw new OnnxFormatException("Gemm B must be 2-D, got " + Arrays.toString(b.dims()));
        }
        boolean transB = cx.i("transB", 0) != 0;
        int out = transB ? b.dims()[0] : b.dims()[1];
        int bk = transB ? b.dims()[1] : b.dims()[0];
        if (bk != k) {
            throw new OnnxFormatException("Gemm of (N, " + k + ") with B " + Arrays.toString(b.dims())
                    + (transB ? " (transposed)" : "") + " does not fit");
        }
        float[] w = transB ? ConvWeights.outInToInOut(b.floats(), out, k) : b.floats().clone();
        float alpha = cx.f("alpha", 1f);
        float beta = cx.f("beta", 1f);
        if (alpha != 1f) {
            for (int i = 0; i < w.length; i++) {
                w[i] *= alpha;
            }
        }
        float[] bias = gemmBias(cx.constIn(2, "Gemm C"), beta, out);
        cx.put(new Val(cx.add(new Op.Dense(k, out, w, bias, Activation.NONE), a), false));
    }

    /** Gemm's {@code beta * C} as a bias of {@code out} values, or null when there is none. */
    private static float[] gemmBias(Const c, float beta, int out) {
        if (c == null || beta == 0f) {
            return null;
        }
        float[] bias = new float[out];
        float[] cf = c.floats();
        if (cf.length == 1) {
            Arrays.fill(bias, cf[0] * beta);
        } else if (cf.length == out && (c.rank() == 1 || c.rank() == 2 && c.dims()[0] == 1)) {
            for (int i = 0; i < out; i++) {
                bias[i] = cf[i] * beta;
            }
        } else {
            throw new OnnxFormatException("Gemm C of shape " + Arrays.toString(c.dims())
                    + " is not a bias clnn takes ((" + out + "), (1, " + out + ") or a scalar)");
        }
        return bias;
    }

    private static void matMul(NodeContext cx) {
        if (!cx.isVal(0)) {
            throw new OnnxFormatException("clnn runs MatMul with a computed left operand (a constant left and"
                    + " computed right operand is not supported)");
        }
        if (cx.isVal(1)) {
            batchedMatMul(cx);
            return;
        }
        // (N, ..., K) by a constant (K, M): the leading dimensions are the product's rows, in ONNX's order
        Val av = cx.valIn(0);
        if (cx.dims(av).length < 2) {
            throw new OnnxFormatException("clnn runs MatMul on inputs of rank 2 or more, got rank "
                    + cx.dims(av).length);
        }
        String a = cx.plain(av);
        int k = cx.shape(a).dim(-1);
        Const b = cx.constIn(1, "MatMul B");
        if (b.rank() != 2 || b.dims()[0] != k) {
            throw new OnnxFormatException("MatMul of " + cx.shape(a) + " with B " + Arrays.toString(b.dims())
                    + " does not fit (a constant B must be 2-D, (" + k + ", M))");
        }
        cx.put(new Val(cx.add(new Op.Dense(k, b.dims()[1], b.floats(), null, Activation.NONE), a), false));
    }

    /**
     * MatMul of two computed values (attention's {@code Q · K^T} and {@code softmax · V}), in ONNX's
     * element order: both carry the batch first, so they must have the same rank, 3 or more; the other
     * batch dimensions broadcast.
     */
    private static void batchedMatMul(NodeContext cx) {
        Val av = cx.valIn(0);
        Val bv = cx.valIn(1);
        int ra = cx.dims(av).length;
        int rb = cx.dims(bv).length;
        if (ra != rb || ra < 3) {
            throw new OnnxFormatException("clnn multiplies two computed values of the same rank, 3 or more (the"
                    + " batch first, then broadcast dimensions, then the matrices); got ranks " + ra + " and " + rb);
        }
        Op.MatMul op = new Op.MatMul(MatMulParams.PLAIN);
        cx.put(new Val(cx.add(op, cx.plain(av), cx.plain(bv)), false));
    }

    private static void batchNorm(NodeContext cx) {
        if (cx.i("training_mode", 0) != 0) {
            throw new OnnxFormatException("training_mode = 1 is not supported (inference only)");
        }
        Val xv = cx.valIn(0);
        int[] d = cx.dims(xv);
        String x;
        if (d.length == 4) {
            x = cx.nhwc(xv);
        } else if (d.length == 2) {
            x = xv.name();
        } else {
            throw new OnnxFormatException("clnn normalises (N, C, H, W) or (N, C) values, got rank " + d.length);
        }
        int c = d[1];
        float[][] p = new float[4][];
        String[] what = {"scale", "B", "mean", "var"};
        for (int i = 0; i < 4; i++) {
            Const k = cx.constIn(i + 1, "BatchNormalization " + what[i]);
            if (k == null || k.size() != c) {
                throw new OnnxFormatException("BatchNormalization " + what[i] + " must hold " + c + " values");
            }
            p[i] = k.floats();
        }
        Op.BatchNorm bn = new Op.BatchNorm(p[0], p[1], p[2], p[3], cx.f("epsilon", 1e-5f));
        cx.put(new Val(cx.add(bn, x), d.length == 4));
    }
}
