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
            Const expanded = ConstMath.binary("Mul", c, ones);
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
            } else if (Const.isBatch(tk) || tk < 0 || tk > Integer.MAX_VALUE) {
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
                l[0] = Const.batchTimes(l[0]);        // the batch, or the batch times the rows merged with it
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

    /**
     * Flatten to 2-D at {@code axis}: axis 1 keeps the batch; a later axis merges the batch with the
     * axes before it ({@code (N, T, C)} at axis 2 is {@code (N * T, C)}, as LeViT's BatchNorm1d on
     * tokens runs).
     */
    private static void flatten(NodeContext cx) {
        Val v = cx.valIn(0);
        int[] d = cx.dims(v);
        int axis = Dims.axis((int) cx.i("axis", 1), d.length + 1, "Flatten axis");
        if (axis == 0) {
            throw new OnnxFormatException("Flatten with axis 0 puts the batch inside the one row it makes; clnn"
                    + " keeps the batch first");
        }
        long rows = 1;
        for (int k = 0; k < axis; k++) {
            rows *= d[k];
        }
        if (rows == d[0]) {
            reshapeTo(cx, v, new int[] {-1});
            return;
        }
        cx.put(new Val(cx.add(new Op.Reshape(new int[] {-1}, d[0], Math.toIntExact(rows)), cx.plain(v)), false));
    }

    /**
     * Reshape of a computed value. The batch N stays the outermost factor of the first dimension:
     * the target's first entry is N (from Shape, copied with 0, or the declared batch size), N times
     * some rows of each example (computed from Shape, or a multiple of the declared batch size), or
     * -1 with the rest of the target fixed. Any batch size then reshapes alike, each example's
     * elements staying together; a target that splits the batch elsewhere is refused.
     */
    private static void reshape(NodeContext cx) {
        Val v = cx.valIn(0);
        int[] d = cx.dims(v);
        long[] t = cx.constIn(1, "Reshape shape").longs();
        if (t.length == 0) {
            throw new OnnxFormatException("Reshape to a scalar");
        }
        boolean allowZero = cx.i("allowzero", 0) != 0;
        long total = Const.count(d);        // at batch 1: the elements of one example
        int[] dims = new int[t.length - 1];
        long known = 1;
        boolean unknown = false;
        for (int i = 1; i < t.length; i++) {
            long ti = t[i];
            if (Const.isBatch(ti)) {
                throw new OnnxFormatException("Reshape shape " + shapeText(t) + " moves the batch dimension away"
                        + " from the first axis; clnn keeps the batch first");
            }
            if (ti == 0 && !allowZero) {
                if (i >= d.length) {
                    throw new OnnxFormatException("Reshape shape " + shapeText(t) + " copies dimension " + i
                            + " of a rank-" + d.length + " input");
                }
                ti = d[i];
            } else if (ti < -1 || ti > OnnxTensors.MAX_ELEMENTS) {
                throw new OnnxFormatException("Reshape shape " + shapeText(t) + " has a bad dimension " + ti);
            }
            if (ti == -1) {
                if (unknown) {
                    throw new OnnxFormatException("Reshape shape " + shapeText(t) + " has two -1");
                }
                unknown = true;
            } else {
                known *= ti;
            }
            dims[i - 1] = (int) ti;
        }
        long rows = rowsPerExample(cx, t, d, total, known, unknown, allowZero);
        int from = d[0];
        if (rows == from) {
            reshapeTo(cx, v, dims);
            return;
        }
        if (rows < 1 || rows > Integer.MAX_VALUE || total % rows != 0) {
            throw new OnnxFormatException("Reshape shape " + shapeText(t) + " does not fit the input "
                    + Arrays.toString(d) + " at batch 1");
        }
        cx.put(new Val(cx.add(new Op.Reshape(dims, from, (int) rows), cx.plain(v)), false));
    }

    /**
     * The target's first dimension over the batch size: 1 keeps the batch, more merges the batch
     * with that many rows of each example.
     */
    private static long rowsPerExample(NodeContext cx, long[] t, int[] d, long total, long known, boolean unknown,
            boolean allowZero) {
        long t0 = t[0];
        if (Const.isBatch(t0)) {
            return Const.batchFactor(t0);
        }
        if (t0 == 0 && !allowZero) {
            return d[0];
        }
        if (t0 == -1) {
            if (unknown || known == 0 || total % known != 0) {
                throw new OnnxFormatException("Reshape shape " + shapeText(t) + ": clnn needs the dimensions after"
                        + " the first fixed when the first is -1 (input " + Arrays.toString(d) + " at batch 1)");
            }
            return total / known;
        }
        int fixed = cx.fixedBatch();
        if (t0 > 0 && fixed > 0 && t0 % fixed == 0) {
            return t0 / fixed;
        }
        throw new OnnxFormatException("Reshape shape " + shapeText(t) + " does not keep the batch dimension"
                + " first: its first entry " + t0 + " is not the batch size "
                + (fixed > 0 ? fixed + " or a multiple of it" : "(symbolic in this model) or computed from it"));
    }

    /** A Reshape target as text, the batch marker as N or N*k. */
    private static String shapeText(long[] t) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < t.length; i++) {
            b.append(i > 0 ? ", " : "");
            if (Const.isBatch(t[i])) {
                long k = Const.batchFactor(t[i]);
                b.append(k == 1 ? "N" : "N*" + k);
            } else {
                b.append(t[i]);
            }
        }
        return b.append(']').toString();
    }

    private static void squeeze(NodeContext cx, boolean squeeze) {
        Val any = cx.anyValIn(0);
        List<Const> in = new ArrayList<>();
        in.add(null);
        if (cx.present(1)) {
            in.add(cx.constIn(1, "axes"));
        }
        int[] axes = Dims.axesOf(cx.node(), in, cx.opset(), 13);
        if (squeeze && any.pending() && axes != null) {
            cx.put(squeezePending(cx, any, axes));
            return;
        }
        Val v = cx.valIn(0);
        int[] d = cx.dims(v);
        int[] out = squeeze ? Dims.squeezeDims(d, axes) : Dims.unsqueezeDims(d, axes);
        if (squeeze && axes == null) {
            int[] keep = Dims.squeezeDims(Arrays.copyOfRange(d, 1, d.length), null);
            out = new int[keep.length + 1];
            out[0] = d[0];
            System.arraycopy(keep, 0, out, 1, keep.length);
        }
        if (out.length == 0 || out[0] != d[0] || axes != null && Arrays.stream(axes).anyMatch(a -> a == 0
                || a == -(squeeze ? d.length : d.length + axes.length))) {
            throw new OnnxFormatException((squeeze ? "Squeeze" : "Unsqueeze") + " of the batch axis is not supported");
        }
        reshapeTo(cx, v, Arrays.copyOfRange(out, 1, out.length));
    }

    /**
     * Squeeze of the ONNX axes {@code axes} (each of size 1) of the pending transpose {@code v}: the
     * source loses those axes (a reshape), and the transpose is carried out as soon as it keeps the
     * batch first ({@link #transposed}).
     */
    static Val squeezePending(NodeContext cx, Val v, int[] axes) {
        int[] d = cx.dims(v);
        int[] perm = v.perm();
        boolean[] drop = new boolean[perm.length];
        for (int a0 : axes) {
            int a = Dims.axis(a0, d.length, "Squeeze axis");
            if (d[a] != 1) {
                throw new OnnxFormatException("Squeeze of axis " + a + " of size " + d[a]);
            }
            if (perm[a] == 0) {
                throw new OnnxFormatException("Squeeze of the batch axis is not supported");
            }
            drop[a] = true;
        }
        int[] src = cx.dims(new Val(v.name(), false));
        boolean[] dropSrc = new boolean[src.length];
        for (int a = 0; a < perm.length; a++) {
            dropSrc[perm[a]] |= drop[a];
        }
        int[] rest = new int[src.length - 1 - axes.length];
        int[] renumber = new int[src.length];
        for (int k = 0, j = 0, kept = 0; k < src.length; k++) {
            renumber[k] = kept;
            if (!dropSrc[k]) {
                kept++;
                if (k > 0) {
                    rest[j++] = src[k];
                }
            }
        }
        String squeezed = cx.add("_squeeze", new Op.Reshape(rest), v.name());
        int[] newPerm = new int[perm.length - axes.length];
        for (int a = 0, j = 0; a < perm.length; a++) {
            if (!drop[a]) {
                newPerm[j++] = renumber[perm[a]];
            }
        }
        return transposed(cx, squeezed, newPerm);
    }

    /**
     * The value {@code plain} (in ONNX's order) transposed by {@code perm}: itself for the identity,
     * a Transpose when the batch stays first, else a pending transpose ({@link Val#pending}).
     */
    static Val transposed(NodeContext cx, String plain, int[] perm) {
        boolean identity = true;
        for (int k = 0; k < perm.length; k++) {
            identity &= perm[k] == k;
        }
        if (identity) {
            return new Val(plain, false);
        }
        if (perm[0] != 0) {
            return new Val(plain, false, perm.clone());
        }
        return new Val(cx.add(new Op.Transpose(TransposeParams.of(perm)), plain), false);
    }

    /**
     * Transpose. One that moves the batch axis stays pending ({@link Val#pending}) until a Slice,
     * Gather, Split or Squeeze brings the batch first again; a transpose of a pending one composes.
     */
    private static void transpose(NodeContext cx) {
        Val v = cx.anyValIn(0);
        int rank = cx.dims(v).length;
        int[] perm = cx.has("perm") ? cx.ints("perm") : Dims.reversed(rank);
        Dims.checkPerm(perm, rank);
        if (v.pending()) {
            int[] composed = new int[rank];
            for (int k = 0; k < rank; k++) {
                composed[k] = v.perm()[perm[k]];
            }
            cx.put(transposed(cx, v.name(), composed));
            return;
        }
        if (v.nhwc() && Arrays.equals(perm, Layout.NCHW_TO_NHWC)) {
            cx.put(new Val(v.name(), false));          // the NHWC data already is that order
            return;
        }
        cx.put(transposed(cx, cx.plain(v), perm));
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
