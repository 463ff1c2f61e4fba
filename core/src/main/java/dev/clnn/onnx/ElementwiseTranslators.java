package dev.clnn.onnx;

import java.util.Arrays;
import java.util.Map;

import dev.clnn.graph.Op;
import dev.clnn.ops.Activation;
import dev.clnn.ops.ElementwiseParams;
import dev.clnn.ops.SoftmaxParams;
import dev.clnn.ops.UnaryParams;
import dev.clnn.tensor.Shape;

/**
 * Element by element: Add, Sub, Mul, Div and Equal (of two computed values, or of a value and a constant
 * that broadcasts), the activations, unary math (Erf, Gelu, Sqrt, Reciprocal, Exp, Log, Neg, Abs,
 * Pow by a constant scalar), Where, and Softmax / LogSoftmax along one axis. They keep their
 * input's layout; constants and axes are mapped to NHWC where the input is (Where runs in ONNX's
 * order). ONNX booleans are 0 / 1 floats inside clnn: Equal writes them, Where reads any non-zero
 * condition as true.
 */
final class ElementwiseTranslators {
    private ElementwiseTranslators() {
    }

    static Map<String, Translator> all() {
        return Map.ofEntries(
                Map.entry("Add", cx -> binary(cx, ElementwiseParams.add())),
                Map.entry("Sub", cx -> binary(cx, ElementwiseParams.sub())),
                Map.entry("Mul", cx -> binary(cx, ElementwiseParams.mul())),
                Map.entry("Div", cx -> binary(cx, ElementwiseParams.div())),
                Map.entry("Equal", cx -> binary(cx, ElementwiseParams.equal())),
                Map.entry("Where", ElementwiseTranslators::where),
                Map.entry("Relu", cx -> activation(cx, Activation.RELU)),
                Map.entry("Sigmoid", cx -> activation(cx, Activation.SIGMOID)),
                Map.entry("Tanh", cx -> activation(cx, Activation.TANH)),
                Map.entry("HardSwish", cx -> activation(cx, Activation.HARD_SWISH)),
                Map.entry("HardSigmoid", cx -> activation(cx, Activation.hardSigmoid(cx.f("alpha", 0.2f),
                        cx.f("beta", 0.5f)))),
                Map.entry("LeakyRelu", cx -> activation(cx, Activation.leakyRelu(cx.f("alpha", 0.01f)))),
                Map.entry("Clip", ElementwiseTranslators::clip),
                Map.entry("Erf", cx -> unary(cx, UnaryParams.of(UnaryParams.Kind.ERF))),
                Map.entry("Gelu", ElementwiseTranslators::gelu),
                Map.entry("Sqrt", cx -> unary(cx, UnaryParams.of(UnaryParams.Kind.SQRT))),
                Map.entry("Reciprocal", cx -> unary(cx, UnaryParams.of(UnaryParams.Kind.RECIPROCAL))),
                Map.entry("Exp", cx -> unary(cx, UnaryParams.of(UnaryParams.Kind.EXP))),
                Map.entry("Log", cx -> unary(cx, UnaryParams.of(UnaryParams.Kind.LOG))),
                Map.entry("Neg", cx -> unary(cx, UnaryParams.of(UnaryParams.Kind.NEG))),
                Map.entry("Abs", cx -> unary(cx, UnaryParams.of(UnaryParams.Kind.ABS))),
                Map.entry("Pow", ElementwiseTranslators::pow),
                Map.entry("Softmax", cx -> softmax(cx, false)),
                Map.entry("LogSoftmax", cx -> softmax(cx, true)));
    }

    private static void activation(NodeContext cx, Activation a) {
        Val x = cx.valIn(0);
        cx.put(new Val(cx.add(new Op.Act(a), x.name()), x.nhwc()));
    }

    private static void unary(NodeContext cx, UnaryParams p) {
        Val x = cx.valIn(0);
        cx.put(new Val(cx.add(new Op.Unary(p), x.name()), x.nhwc()));
    }

    /** Gelu (opset 20): approximate "none" (erf) or "tanh". */
    private static void gelu(NodeContext cx) {
        String approximate = cx.s("approximate", "none");
        switch (approximate) {
            case "none":
                unary(cx, UnaryParams.of(UnaryParams.Kind.GELU));
                break;
            case "tanh":
                unary(cx, UnaryParams.of(UnaryParams.Kind.GELU_TANH));
                break;
            default:
                throw new OnnxFormatException("Gelu approximate '" + approximate + "' is not an ONNX value");
        }
    }

    /** Pow of a computed value by a constant scalar exponent. */
    private static void pow(NodeContext cx) {
        if (!cx.isVal(0)) {
            throw new OnnxFormatException("Pow of a constant base by a computed exponent is not supported");
        }
        if (cx.isVal(1)) {
            throw new OnnxFormatException("Pow by a computed exponent is not supported (a constant scalar only)");
        }
        Const e = cx.constIn(1, "Pow exponent");
        if (Const.count(e.dims()) != 1) {
            throw new OnnxFormatException("Pow by an exponent of shape " + Arrays.toString(e.dims())
                    + " is not supported (a constant scalar only)");
        }
        float exponent = (float) e.scalar("Pow exponent");
        if (!Float.isFinite(exponent)) {
            throw new OnnxFormatException("Pow exponent " + exponent + " is not finite");
        }
        if (exponent == 1f) {
            cx.put(cx.valIn(0));
            return;
        }
        unary(cx, UnaryParams.pow(exponent));
    }

    private static void clip(NodeContext cx) {
        float lo;
        float hi;
        if (cx.opset() < 11 || cx.has("min") || cx.has("max")) {
            lo = cx.f("min", Float.NEGATIVE_INFINITY);
            hi = cx.f("max", Float.POSITIVE_INFINITY);
        } else {
            Const min = cx.constIn(1, "Clip min");
            Const max = cx.constIn(2, "Clip max");
            lo = min == null ? Float.NEGATIVE_INFINITY : (float) min.scalar("Clip min");
            hi = max == null ? Float.POSITIVE_INFINITY : (float) max.scalar("Clip max");
        }
        lo = Math.max(lo, -Float.MAX_VALUE);
        hi = Math.min(hi, Float.MAX_VALUE);
        if (lo == 0f && hi == Float.MAX_VALUE) {
            activation(cx, Activation.RELU);
        } else {
            activation(cx, Activation.clip(lo, hi));
        }
    }

    private static void binary(NodeContext cx, ElementwiseParams op) {
        boolean v0 = cx.isVal(0);
        boolean v1 = cx.isVal(1);
        if (!v0 || !v1) {
            binaryConst(cx, op, v0);
            return;
        }
        Val a = cx.valIn(0);
        Val b = cx.valIn(1);
        int[] da = cx.dims(a);
        int[] db = cx.dims(b);
        if (da.length != db.length) {
            throw new OnnxFormatException("operands of rank " + da.length + " and " + db.length
                    + " (clnn broadcasts computed values of equal rank)");
        }
        boolean nhwc = da.length == 4 && (a.nhwc() || b.nhwc());
        String x = nhwc ? cx.nhwc(a) : a.name();
        String y = nhwc ? cx.nhwc(b) : b.name();
        cx.put(new Val(cx.add(new Op.Binary(op), x, y), nhwc));
    }

    /**
     * A computed value and a constant ({@code valueFirst}: in that order). The constant is aligned
     * to the value's rank, laid out as the value is, and stripped of its leading unit dimensions;
     * {@code x - c} becomes {@code -x + c}, and {@code c / x} is not supported.
     */
    private static void binaryConst(NodeContext cx, ElementwiseParams op, boolean valueFirst) {
        Val x = cx.valIn(valueFirst ? 0 : 1);
        String what = cx.opType() + " operand";
        Const cc = aligned(cx.constIn(valueFirst ? 1 : 0, what), cx.dims(x));
        if (x.nhwc()) {
            cc = cc.transpose(Layout.NCHW_TO_NHWC);
        }
        int[] cd = cc.dims();
        int lead = 0;
        while (lead < cd.length - 1 && cd[lead] == 1) {
            lead++;
        }
        Shape cs = Shape.of(Arrays.copyOfRange(cd, lead, cd.length));
        float[] data = cc.floats();
        String type = cx.opType();
        if (valueFirst || type.equals("Add") || type.equals("Mul") || type.equals("Equal")) {
            cx.put(new Val(cx.add(new Op.BinaryConst(op, cs, data), x.name()), x.nhwc()));
        } else if (type.equals("Sub")) {
            String neg = cx.add("_neg", new Op.BinaryConst(ElementwiseParams.mul(), Shape.of(1),
                    new float[] {-1f}), x.name());
            cx.put(new Val(cx.add(new Op.BinaryConst(ElementwiseParams.add(), cs, data), neg), x.nhwc()));
        } else {
            throw new OnnxFormatException("a constant divided by a computed value is not supported");
        }
    }

    /**
     * Where of a computed condition; either operand may be a constant that broadcasts (a mask's
     * {@code -inf}). Computed operands have equal ranks, the batch first, and are read in ONNX's order.
     */
    private static void where(NodeContext cx) {
        if (!cx.isVal(0)) {
            throw new OnnxFormatException("Where with a constant condition is not supported");
        }
        int rank = -1;
        for (int i = 0; i < 3; i++) {
            if (cx.isVal(i)) {
                int r = cx.dims(cx.valIn(i)).length;
                if (rank >= 0 && r != rank) {
                    throw new OnnxFormatException("Where of computed values of ranks " + rank + " and " + r
                            + " (clnn broadcasts computed values of equal rank)");
                }
                rank = r;
            }
        }
        String[] inputs = new String[3];
        int n = 0;
        inputs[n++] = cx.plain(cx.valIn(0));
        Const[] k = new Const[3];
        for (int i = 1; i < 3; i++) {
            if (cx.isVal(i)) {
                inputs[n++] = cx.plain(cx.valIn(i));
            } else {
                k[i] = aligned(cx.constIn(i, "Where operand"), new int[rank]);
            }
        }
        Op.Where op = new Op.Where(k[1] == null ? null : Shape.of(k[1].dims()), k[1] == null ? null : k[1].floats(),
                k[2] == null ? null : Shape.of(k[2].dims()), k[2] == null ? null : k[2].floats());
        cx.put(new Val(cx.add(op, Arrays.copyOf(inputs, n)), false));
    }

    /** The constant {@code c} as floats of the value's rank (unit dimensions put in front). */
    private static Const aligned(Const c, int[] xd) {
        int rank = xd.length;
        if (c.rank() > rank) {
            throw new OnnxFormatException("constant of shape " + Arrays.toString(c.dims()) + " has a higher rank than"
                    + " the value " + Arrays.toString(xd));
        }
        int[] aligned = new int[rank];
        Arrays.fill(aligned, 1);
        System.arraycopy(c.dims(), 0, aligned, rank - c.rank(), c.rank());
        if (aligned[0] != 1) {
            throw new OnnxFormatException("constant of shape " + Arrays.toString(c.dims())
                    + " spans the batch dimension");
        }
        return Const.ofFloats(aligned, c.floats());
    }

    private static void softmax(NodeContext cx, boolean log) {
        Val v = cx.valIn(0);
        int[] d = cx.dims(v);
        int rank = d.length;
        int opset = cx.opset();
        int axis = Dims.axis((int) cx.i("axis", opset >= 13 ? -1 : 1), rank, "Softmax axis");
        if (axis == 0) {
            throw new OnnxFormatException("Softmax along the batch axis is not supported");
        }
        if (opset < 13 && axis != rank - 1) {
            coercedSoftmax(cx, v, d, axis, log);
            return;
        }
        int a = Layout.axis(v, axis);
        SoftmaxParams p = log ? SoftmaxParams.logSoftmax(a) : SoftmaxParams.softmax(a);
        cx.put(new Val(cx.add(new Op.Softmax(p), v.name()), v.nhwc()));
    }

    /**
     * Softmax before opset 13: the value flattened to 2-D at {@code axis}, normalised over each row of
     * the trailing dimensions together. In ONNX's order that is a softmax over the last axis of the
     * view (N, d1 ... d(axis-1), d(axis) ... d(rank-1)), then the shape back.
     */
    private static void coercedSoftmax(NodeContext cx, Val v, int[] d, int axis, boolean log) {
        long lead = 1;
        long row = 1;
        for (int i = 1; i < d.length; i++) {
            if (i < axis) {
                lead *= d[i];
            } else {
                row *= d[i];
            }
        }
        int[] view = axis == 1 ? new int[] {(int) row} : new int[] {(int) lead, (int) row};
        String flat = cx.add("_rows", new Op.Reshape(view), cx.plain(v));
        SoftmaxParams p = log ? SoftmaxParams.logSoftmax(-1) : SoftmaxParams.softmax(-1);
        String y = cx.add(new Op.Softmax(p), flat);
        cx.put(new Val(cx.add("_shape", new Op.Reshape(Arrays.copyOfRange(d, 1, d.length)), y), false));
    }
}
