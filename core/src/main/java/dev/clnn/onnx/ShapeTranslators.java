package dev.clnn.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import ai.onnx.proto.OnnxMl.TensorProto;

import dev.clnn.graph.Op;
import dev.clnn.ops.ConcatParams;
import dev.clnn.ops.PadParams;
import dev.clnn.ops.TransposeParams;

/**
 * Operators that move elements or only pass them on: Flatten, Reshape, Squeeze, Unsqueeze and
 * Transpose (which need ONNX's element order, so an NHWC input is converted back first), Pad and
 * Concat (whose axes are mapped to NHWC), Expand and Tile (repetitions of any dimension but the
 * batch, in the value's layout), Identity, Dropout and Cast (to float), and Shape, whose
 * result is a constant: every dimension but the batch is known when the model loads.
 */
final class ShapeTranslators {
    private ShapeTranslators() {
    }

    static Map<String, Translator> all() {
        return Map.ofEntries(
                Map.entry("Identity", cx -> cx.put(cx.valIn(0))),
                Map.entry("Dropout", cx -> cx.put(cx.valIn(0))),
                Map.entry("Cast", ShapeTranslators::cast),
                Map.entry("Shape", new ShapeOf()),
                Map.entry("Flatten", ShapeTranslators::flatten),
                Map.entry("Reshape", ShapeTranslators::reshape),
                Map.entry("Squeeze", cx -> squeeze(cx, true)),
                Map.entry("Unsqueeze", cx -> squeeze(cx, false)),
                Map.entry("Transpose", ShapeTranslators::transpose),
                Map.entry("Pad", ShapeTranslators::pad),
                Map.entry("Concat", ShapeTranslators::concat),
                Map.entry("Expand", new Expand()),
                Map.entry("Tile", ShapeTranslators::tile));
    }

    /**
     * Expand of a computed value to a shape of at most its rank: each dimension of 1 repeated to the
     * target's size (a Tile); the batch dimension is never expanded.
     */
    private static void expand(NodeContext cx) {
        expand(cx, cx.valIn(0));
    }

    /**
     * Expand, also of a constant (translated even when all its inputs are constants): a constant
     * expanded to a static shape is folded; one expanded along the batch ({@code Shape -> Gather ->
     * Concat} of the input's batch, as ViT's class token) becomes a value repeated along the batch.
     */
    private static final class Expand implements Translator {
        @Override
        public void translate(NodeContext cx) {
            if (cx.isVal(0)) {
                expand(cx);
                return;
            }
            Const c = cx.constIn(0, "Expand input");
            long[] t = cx.constIn(1, "Expand shape").longs();
            boolean batch = t.length > 0 && t[0] == Const.BATCH;
            long[] fixed = t.clone();
            if (batch) {
                fixed[0] = 1;
            }
            int[] dims = new int[fixed.length];
            for (int k = 0; k < dims.length; k++) {
                if (fixed[k] < 0 || fixed[k] > Integer.MAX_VALUE) {
                    throw new OnnxFormatException("Expand shape " + Arrays.toString(t) + " is not a static shape");
                }
                dims[k] = (int) fixed[k];
            }
            long count = Const.count(dims);
            Const ones = c.isInteger() ? Const.ofLongs(dims, filled(count, 1L)) : Const.ofFloats(dims,
                    filledF(count));
            Const expanded = ConstEval.binary("Mul", c, ones);
            if (!batch) {
                cx.putConst(expanded);
                return;
            }
            cx.put(new Val(cx.layoutBatchOf(expanded), false));
        }

        private static long[] filled(long n, long v) {
            long[] a = new long[(int) n];
            Arrays.fill(a, v);
            return a;
        }

        private static float[] filledF(long n) {
            float[] a = new float[(int) n];
            Arrays.fill(a, 1f);
            return a;
        }

        @Override
        public boolean takesConstants() {
            return true;
        }
    }

    private static void expand(NodeContext cx, Val v) {
        int[] d = cx.dims(v);
        long[] t = cx.constIn(1, "Expand shape").longs();
        if (t.length > d.length) {
            throw new OnnxFormatException("Expand of a rank-" + d.length + " value to rank " + t.length
                    + " is not supported (the batch dimension stays first)");
        }
        int[] repeats = new int[d.length];
        Arrays.fill(repeats, 1);
        for (int k = 0; k < t.length; k++) {
            int dk = k + d.length - t.length;
            long tk = t[k];
            if (dk == 0) {
                if (tk != 1 && tk != Const.BATCH) {
                    throw new OnnxFormatException("Expand to " + tk + " along the batch axis is not supported");
                }
            } else if (tk == Const.BATCH || tk < 0 || tk > Integer.MAX_VALUE) {
                throw new OnnxFormatException("Expand shape " + Arrays.toString(t) + " is not a static shape");
            } else if (d[dk] == 1) {
                repeats[dk] = (int) tk;
            } else if (tk != 1 && tk != d[dk]) {
                throw new OnnxFormatException("Expand of " + Arrays.toString(d) + " to " + Arrays.toString(t)
                        + " does not broadcast");
            }
        }
        repeat(cx, v, repeats);
    }

    private static void tile(NodeContext cx) {
        Val v = cx.valIn(0);
        int[] d = cx.dims(v);
        int[] repeats = cx.constIn(1, "Tile repeats").ints("Tile repeats");
        if (repeats.length != d.length) {
            throw new OnnxFormatException("Tile repeats " + Arrays.toString(repeats) + " do not fit rank " + d.length);
        }
        if (repeats[0] != 1) {
            throw new OnnxFormatException("Tile along the batch axis is not supported");
        }
        repeat(cx, v, repeats);
    }

    /** {@code v} repeated by ONNX-order counts, in its own layout. */
    private static void repeat(NodeContext cx, Val v, int[] repeats) {
        boolean all1 = true;
        for (int r : repeats) {
            all1 &= r == 1;
        }
        if (all1) {
            cx.put(v);
            return;
        }
        int[] r = v.nhwc() ? Layout.toNhwc(repeats) : repeats;
        cx.put(new Val(cx.add(new Op.Tile(r), v.name()), v.nhwc()));
    }

    private static void cast(NodeContext cx) {
        int to = (int) cx.i("to", 1);
        if (to != TensorProto.DataType.FLOAT_VALUE) {
            throw new OnnxFormatException("casts a float value to data type " + to + "; clnn computes in float32");
        }
        cx.put(cx.valIn(0));
    }

    /** Shape: the input's dimensions (of a computed value: {@link Const#BATCH} for the batch), a constant. */
    private static final class ShapeOf implements Translator {
        @Override
        public void translate(NodeContext cx) {
            long[] l;
            if (cx.isVal(0)) {
                l = Arrays.stream(cx.dims(cx.valIn(0))).asLongStream().toArray();
                l[0] = Const.BATCH;
            } else {
                Const c = cx.constIn(0, "Shape input");
                l = Arrays.stream(c.dims()).asLongStream().toArray();
            }
            int r = l.length;
            int start = (int) cx.i("start", 0);
            int end = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, cx.i("end", r)));
            start = Math.max(0, Math.min(r, start < 0 ? start + r : start));
            end = Math.max(0, Math.min(r, end < 0 ? end + r : end));
            long[] s = Arrays.copyOfRange(l, start, Math.max(start, end));
            cx.putConst(Const.ofLongs(new int[] {s.length}, s));
        }

        @Override
        public boolean takesConstants() {
            return true;
        }
    }

    /** The value reshaped to {@code onnxRest} (without the batch), in ONNX's element order. */
    private static void reshapeTo(NodeContext cx, Val v, int[] onnxRest) {
        String x = cx.plain(v);
        cx.put(new Val(cx.add(new Op.Reshape(onnxRest), x), false));
    }

    private static void flatten(NodeContext cx) {
        Val v = cx.valIn(0);
        int[] d = cx.dims(v);
        int axis = Dims.axis((int) cx.i("axis", 1), d.length + 1, "Flatten axis");
        if (axis != 1) {
            throw new OnnxFormatException("clnn flattens with axis 1 (keeping the batch), got axis " + axis);
        }
        reshapeTo(cx, v, new int[] {-1});
    }

    private static void reshape(NodeContext cx) {
        Val v = cx.valIn(0);
        int[] d = cx.dims(v);
        long[] t = cx.constIn(1, "Reshape shape").longs();
        if (t.length == 0) {
            throw new OnnxFormatException("Reshape to a scalar");
        }
        boolean allowZero = cx.i("allowzero", 0) != 0;
        long[] rest = Arrays.copyOfRange(t, 1, t.length);
        if (!keepsBatch(cx, t, rest, Const.count(d) / d[0], allowZero)) {
            throw new OnnxFormatException("Reshape shape " + Arrays.toString(t) + " does not keep the batch dimension"
                    + " first; clnn compiles per batch size and needs it");
        }
        int[] dims = new int[rest.length];
        for (int i = 0; i < rest.length; i++) {
            if (rest[i] == Const.BATCH) {
                throw new OnnxFormatException("Reshape shape " + Arrays.toString(t) + " moves the batch dimension");
            }
            if (rest[i] == 0 && !allowZero) {
                dims[i] = i + 1 < d.length ? d[i + 1] : 0;
            } else if (rest[i] < -1 || rest[i] > OnnxTensors.MAX_ELEMENTS) {
                throw new OnnxFormatException("Reshape shape " + Arrays.toString(t) + " has a bad dimension "
                        + rest[i]);
            } else {
                dims[i] = (int) rest[i];
            }
        }
        reshapeTo(cx, v, dims);
    }

    /**
     * Whether Reshape target {@code t} keeps the batch first: its first entry is the batch (as
     * computed from Shape, copied with 0, or the declared batch size), or -1 with the rest
     * {@code rest} accounting for all {@code per} elements of one example.
     */
    private static boolean keepsBatch(NodeContext cx, long[] t, long[] rest, long per, boolean allowZero) {
        long t0 = t[0];
        if (t0 == Const.BATCH || t0 == 0 && !allowZero || cx.fixedBatch() > 0 && t0 == cx.fixedBatch()) {
            return true;
        }
        if (t0 != -1) {
            return false;
        }
        long known = 1;
        for (long r : rest) {
            if (r <= 0) {
                throw new OnnxFormatException("Reshape shape " + Arrays.toString(t) + ": clnn needs the batch"
                        + " dimension kept first");
            }
            known *= r;
        }
        return known == per;
    }

    private static void squeeze(NodeContext cx, boolean squeeze) {
        Val v = cx.valIn(0);
        int[] d = cx.dims(v);
        List<Const> in = new ArrayList<>();
        in.add(null);
        if (cx.present(1)) {
            in.add(cx.constIn(1, "axes"));
        }
        int[] axes = Dims.axesOf(cx.node(), in, cx.opset(), 13);
        int[] out = squeeze ? Dims.squeezeDims(d, axes) : Dims.unsqueezeDims(d, axes);
        if (squeeze && axes == null) {
            int[] keep = Dims.squeezeDims(Arrays.copyOfRange(d, 1, d.length), null);
            out = new int[keep.length + 1];
            out[0] = 1;
            System.arraycopy(keep, 0, out, 1, keep.length);
        }
        if (out.length == 0 || out[0] != 1 || axes != null && Arrays.stream(axes).anyMatch(a -> a == 0
                || a == -(squeeze ? d.length : d.length + axes.length))) {
            throw new OnnxFormatException((squeeze ? "Squeeze" : "Unsqueeze") + " of the batch axis is not supported");
        }
        reshapeTo(cx, v, Arrays.copyOfRange(out, 1, out.length));
    }

    private static void transpose(NodeContext cx) {
        Val v = cx.valIn(0);
        int rank = cx.dims(v).length;
        int[] perm = cx.has("perm") ? cx.ints("perm") : Dims.reversed(rank);
        Dims.checkPerm(perm, rank);
        if (perm[0] != 0) {
            throw new OnnxFormatException("Transpose " + Arrays.toString(perm) + " moves the batch axis");
        }
        if (v.nhwc() && Arrays.equals(perm, Layout.NCHW_TO_NHWC)) {
            cx.put(new Val(v.name(), false));          // the NHWC data already is that order
            return;
        }
        String x = cx.plain(v);
        cx.put(new Val(cx.add(new Op.Transpose(TransposeParams.of(perm)), x), false));
    }

    private static void pad(NodeContext cx) {
        String mode = cx.s("mode", "constant");
        if (!mode.equals("constant")) {
            throw new OnnxFormatException("Pad mode " + mode + " is not supported (constant only)");
        }
        Val v = cx.valIn(0);
        int rank = cx.dims(v).length;
        int[] pads = cx.constIn(1, "Pad pads").ints("Pad pads");
        Const value = cx.constIn(2, "Pad constant_value");
        float fill = value == null ? 0f : (float) value.scalar("Pad constant_value");
        int[] begin = new int[rank];
        int[] end = new int[rank];
        Const axesC = cx.constIn(3, "Pad axes");
        int[] axes = axesC == null ? null : axesC.ints("Pad axes");
        int count = axes == null ? rank : axes.length;
        if (pads.length != 2 * count) {
            throw new OnnxFormatException("Pad pads " + Arrays.toString(pads) + " need " + 2 * count + " values");
        }
        for (int i = 0; i < count; i++) {
            int a = axes == null ? i : Dims.axis(axes[i], rank, "Pad axis");
            begin[a] = pads[i];
            end[a] = pads[i + count];
        }
        if (begin[0] != 0 || end[0] != 0) {
            throw new OnnxFormatException("Pad of the batch axis is not supported");
        }
        if (v.nhwc()) {
            begin = Layout.toNhwc(begin);
            end = Layout.toNhwc(end);
        }
        cx.put(new Val(cx.add(new Op.Pad(new PadParams(begin, end, fill)), v.name()), v.nhwc()));
    }

    private static void concat(NodeContext cx) {
        List<Val> in = new ArrayList<>();
        for (int i = 0; i < cx.inputCount(); i++) {
            // a constant (1, ...) joins every example (ViT's class token before the patches)
            in.add(cx.isVal(i) ? cx.valIn(i) : cx.batchOf(i, "Concat operand"));
        }
        int rank = cx.dims(in.get(0)).length;
        int axis = Dims.axis((int) cx.i("axis", 0), rank, "Concat axis");
        if (axis == 0) {
            throw new OnnxFormatException("Concat along the batch axis is not supported");
        }
        boolean nhwc = rank == 4 && in.stream().anyMatch(Val::nhwc);
        String[] names = new String[in.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = nhwc ? cx.nhwc(in.get(i)) : cx.plain(in.get(i));
        }
        int clnn = nhwc ? Layout.axis(new Val("", true), axis) : axis;
        cx.put(new Val(cx.add(new Op.Concat(ConcatParams.axis(clnn), names.length), names), nhwc));
    }
}
