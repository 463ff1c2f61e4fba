package dev.clnn.onnx;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.onnx.proto.OnnxMl.NodeProto;

/**
 * The constant evaluator: runs, on host arrays, the nodes whose inputs are all known at load time
 * (the shape arithmetic exporters emit: {@code Shape -> Gather -> Unsqueeze -> Concat -> Reshape},
 * constant folding of weights, ...), and the masks and index tables built from static shapes
 * (comparisons, logic, {@code Where}, {@code Mod}, {@code Pow}: {@link ConstMath}). Sizes are checked
 * before allocating.
 */
final class ConstEval {
    /** Evaluates one node: its inputs (null for an absent optional one) to its (first) output. */
    @FunctionalInterface
    private interface Folder {
        Const fold(NodeProto n, List<Const> in, int opset, TensorSource tensors);
    }

    private static final Map<String, Folder> FOLDERS = Map.ofEntries(
            Map.entry("Constant", (n, in, opset, tensors) -> constant(n, tensors)),
            Map.entry("Identity", (n, in, opset, tensors) -> in.get(0)),
            Map.entry("Dropout", (n, in, opset, tensors) -> in.get(0)),
            Map.entry("Cast", (n, in, opset, tensors) -> cast(in.get(0), (int) Attrs.i(n, "to", 1))),
            Map.entry("Neg", (n, in, opset, tensors) -> ConstMath.binary("Mul", in.get(0),
                    Const.ofLongs(new int[0], new long[] {-1}))),
            Map.entry("Gather", (n, in, opset, tensors) -> gather(in.get(0), in.get(1), (int) Attrs.i(n, "axis", 0))),
            Map.entry("Slice", (n, in, opset, tensors) -> slice(in)),
            Map.entry("Concat", (n, in, opset, tensors) -> concat(in, (int) Attrs.i(n, "axis", 0))),
            Map.entry("ConstantOfShape", (n, in, opset, tensors) -> constantOfShape(n, in.get(0), tensors)),
            Map.entry("Range", (n, in, opset, tensors) -> range(in.get(0), in.get(1), in.get(2))),
            Map.entry("Reshape", (n, in, opset, tensors) -> in.get(0).reshape(Dims.reshapeDims(in.get(0).dims(),
                    in.get(1), Attrs.i(n, "allowzero", 0) != 0))),
            Map.entry("Flatten", (n, in, opset, tensors) -> flatten(n, in.get(0))),
            Map.entry("Transpose", (n, in, opset, tensors) -> transpose(n, in.get(0))),
            Map.entry("Unsqueeze", (n, in, opset, tensors) -> in.get(0).reshape(Dims.unsqueezeDims(in.get(0).dims(),
                    Dims.axesOf(n, in, opset, 13)))),
            Map.entry("Squeeze", (n, in, opset, tensors) -> in.get(0).reshape(Dims.squeezeDims(in.get(0).dims(),
                    Dims.axesOf(n, in, opset, 13)))),
            Map.entry("Add", (n, in, opset, tensors) -> ConstMath.binary("Add", in.get(0), in.get(1))),
            Map.entry("Sub", (n, in, opset, tensors) -> ConstMath.binary("Sub", in.get(0), in.get(1))),
            Map.entry("Mul", (n, in, opset, tensors) -> ConstMath.binary("Mul", in.get(0), in.get(1))),
            Map.entry("Div", (n, in, opset, tensors) -> ConstMath.binary("Div", in.get(0), in.get(1))),
            Map.entry("Max", (n, in, opset, tensors) -> ConstMath.binary("Max", in.get(0), in.get(1))),
            Map.entry("Min", (n, in, opset, tensors) -> ConstMath.binary("Min", in.get(0), in.get(1))),
            Map.entry("Ceil", (n, in, opset, tensors) -> round(in.get(0), true)),
            Map.entry("Floor", (n, in, opset, tensors) -> round(in.get(0), false)),
            Map.entry("Clip", (n, in, opset, tensors) -> clip(n, in, opset)),
            Map.entry("Expand", (n, in, opset, tensors) -> expand(in.get(0), in.get(1))),
            Map.entry("ScatterND", (n, in, opset, tensors) -> scatterNd(n, in.get(0), in.get(1), in.get(2))),
            Map.entry("Equal", (n, in, opset, tensors) -> ConstMath.compare("Equal", in.get(0), in.get(1))),
            Map.entry("Less", (n, in, opset, tensors) -> ConstMath.compare("Less", in.get(0), in.get(1))),
            Map.entry("Greater", (n, in, opset, tensors) -> ConstMath.compare("Greater", in.get(0), in.get(1))),
            Map.entry("LessOrEqual", (n, in, opset, tensors) -> ConstMath.compare("LessOrEqual", in.get(0),
                    in.get(1))),
            Map.entry("GreaterOrEqual", (n, in, opset, tensors) -> ConstMath.compare("GreaterOrEqual", in.get(0),
                    in.get(1))),
            Map.entry("Not", (n, in, opset, tensors) -> ConstMath.not(in.get(0))),
            Map.entry("And", (n, in, opset, tensors) -> ConstMath.logic("And", in.get(0), in.get(1))),
            Map.entry("Or", (n, in, opset, tensors) -> ConstMath.logic("Or", in.get(0), in.get(1))),
            Map.entry("Xor", (n, in, opset, tensors) -> ConstMath.logic("Xor", in.get(0), in.get(1))),
            Map.entry("Where", (n, in, opset, tensors) -> ConstMath.where(in.get(0), in.get(1), in.get(2))),
            Map.entry("Mod", (n, in, opset, tensors) -> ConstMath.mod(in.get(0), in.get(1),
                    Attrs.i(n, "fmod", 0) != 0)),
            Map.entry("Pow", (n, in, opset, tensors) -> ConstMath.pow(in.get(0), in.get(1))),
            Map.entry("Abs", (n, in, opset, tensors) -> ConstMath.unary("Abs", in.get(0))),
            Map.entry("Sign", (n, in, opset, tensors) -> ConstMath.unary("Sign", in.get(0))),
            Map.entry("Sqrt", (n, in, opset, tensors) -> ConstMath.unary("Sqrt", in.get(0))),
            Map.entry("Exp", (n, in, opset, tensors) -> ConstMath.unary("Exp", in.get(0))),
            Map.entry("Log", (n, in, opset, tensors) -> ConstMath.unary("Log", in.get(0))),
            Map.entry("Reciprocal", (n, in, opset, tensors) -> ConstMath.unary("Reciprocal", in.get(0))));

    /** Operators the evaluator folds when all their inputs are constants. */
    static final Set<String> FOLDABLE = FOLDERS.keySet();

    /** The most elements a folded constant may have (64 MiB of floats): larger ones are not shape arithmetic. */
    static final long MAX_COMPUTED = 1L << 24;

    private ConstEval() {
    }

    /** Fails when a constant of {@code dims} would have more than {@link #MAX_COMPUTED} elements. */
    static void checkComputed(int[] dims, String what) {
        long n = 1;
        for (int d : dims) {
            n *= d;
            if (n > MAX_COMPUTED) {
                throw new OnnxFormatException(what + " would compute a constant of shape " + Arrays.toString(dims)
                        + ", more than " + MAX_COMPUTED + " elements");
            }
        }
    }

    /** Evaluates {@code n} on {@code in} (null for an absent optional input). */
    static Const eval(NodeProto n, List<Const> in, int opset, TensorSource tensors) {
        Folder f = FOLDERS.get(n.getOpType());
        if (f == null) {
            throw new OnnxFormatException("cannot fold " + n.getOpType());
        }
        return f.fold(n, in, opset, tensors);
    }

    private static Const flatten(NodeProto n, Const x) {
        int[] d = x.dims();
        int axis = Dims.axis((int) Attrs.i(n, "axis", 1), d.length + 1, "Flatten axis");
        long outer = Const.count(Arrays.copyOfRange(d, 0, axis));
        return x.reshape(new int[] {(int) outer, (int) (Const.count(d) / Math.max(1, outer))});
    }

    private static Const transpose(NodeProto n, Const x) {
        int rank = x.rank();
        int[] perm = Attrs.has(n, "perm") ? Attrs.ints(n, "perm") : Dims.reversed(rank);
        Dims.checkPerm(perm, rank);
        return x.transpose(perm);
    }

    private static Const constant(NodeProto n, TensorSource tensors) {
        if (Attrs.has(n, "value")) {
            return tensors.read(Attrs.get(n, "value").getT());
        }
        if (Attrs.has(n, "value_float")) {
            return Const.ofFloats(new int[0], new float[] {Attrs.f(n, "value_float", 0)});
        }
        if (Attrs.has(n, "value_floats")) {
            List<Float> v = Attrs.get(n, "value_floats").getFloatsList();
            float[] f = new float[v.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = v.get(i);
            }
            return Const.ofFloats(new int[] {f.length}, f);
        }
        if (Attrs.has(n, "value_int")) {
            return Const.ofLongs(new int[0], new long[] {Attrs.i(n, "value_int", 0)});
        }
        if (Attrs.has(n, "value_ints")) {
            long[] l = Attrs.get(n, "value_ints").getIntsList().stream().mapToLong(Long::longValue).toArray();
            return Const.ofLongs(new int[] {l.length}, l);
        }
        throw new OnnxFormatException("Constant node '" + n.getName() + "' has no value attribute clnn reads");
    }

    /** Ceil or Floor: integers (the batch among them) unchanged. */
    private static Const round(Const x, boolean up) {
        if (x.isInteger()) {
            return x;
        }
        float[] f = x.floats().clone();
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) (up ? Math.ceil(f[i]) : Math.floor(f[i]));
        }
        return Const.ofFloats(x.dims(), f);
    }

    /** Clip by the min and max inputs (opset 11 on) or attributes; an absent bound does not clip. */
    private static Const clip(NodeProto n, List<Const> in, int opset) {
        Const x = in.get(0);
        Const lo;
        Const hi;
        if (opset >= 11) {
            lo = in.size() > 1 ? in.get(1) : null;
            hi = in.size() > 2 ? in.get(2) : null;
        } else {
            lo = Const.ofFloats(new int[0], new float[] {Attrs.f(n, "min", -Float.MAX_VALUE)});
            hi = Const.ofFloats(new int[0], new float[] {Attrs.f(n, "max", Float.MAX_VALUE)});
        }
        Const r = lo == null ? x : ConstMath.binary("Max", x, lo);
        return hi == null ? r : ConstMath.binary("Min", r, hi);
    }

    private static Const cast(Const x, int to) {
        boolean toFloat = to == 1 || to == 10 || to == 11;
        if (toFloat) {
            return Const.ofFloats(x.dims(), x.floats());
        }
        if (to == 9) {
            long[] l = x.longs().clone();
            for (int i = 0; i < l.length; i++) {
                l[i] = Const.isBatch(l[i]) ? 1 : l[i] != 0 ? 1 : 0;
            }
            return Const.ofLongs(x.dims(), l);
        }
        OnnxTensors.elementSize(to, "Cast target");
        return Const.ofLongs(x.dims(), x.longs());
    }

    private static Const gather(Const data, Const indices, int axisAttr) {
        int[] d = data.dims();
        int axis = Dims.axis(axisAttr, d.length, "Gather axis");
        int[] idx = indices.ints("Gather indices");
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < -d[axis] || idx[i] >= d[axis]) {
                throw new OnnxFormatException("Gather index " + idx[i] + " is out of range for dimension " + d[axis]);
            }
            if (idx[i] < 0) {
                idx[i] += d[axis];
            }
        }
        int outer = (int) Const.count(Arrays.copyOfRange(d, 0, axis));
        int inner = (int) Const.count(Arrays.copyOfRange(d, axis + 1, d.length));
        int[] out = new int[d.length - 1 + indices.rank()];
        System.arraycopy(d, 0, out, 0, axis);
        System.arraycopy(indices.dims(), 0, out, axis, indices.rank());
        System.arraycopy(d, axis + 1, out, axis + indices.rank(), d.length - axis - 1);
        checkComputed(out, "Gather");
        int[] src = new int[outer * idx.length * inner];
        int k = 0;
        for (int o = 0; o < outer; o++) {
            for (int j : idx) {
                for (int i = 0; i < inner; i++) {
                    src[k++] = (o * d[axis] + j) * inner + i;
                }
            }
        }
        return data.gather(out, src);
    }

    private static Const slice(List<Const> in) {
        Const data = in.get(0);
        int[] d = data.dims();
        long[] starts = in.get(1).longs();
        long[] ends = in.get(2).longs();
        int[] axes = in.size() > 3 && in.get(3) != null ? in.get(3).ints("Slice axes") : null;
        long[] steps = in.size() > 4 && in.get(4) != null ? in.get(4).longs() : null;
        if (starts.length != ends.length || axes != null && axes.length != starts.length
                || steps != null && steps.length != starts.length) {
            throw new OnnxFormatException("Slice starts, ends, axes and steps differ in length");
        }
        int rank = d.length;
        long[] st = new long[rank];
        long[] sp = new long[rank];
        int[] out = d.clone();
        Arrays.fill(sp, 1);
        for (int i = 0; i < starts.length; i++) {
            int a = Dims.axis(axes == null ? i : axes[i], rank, "Slice axis");
            long step = steps == null ? 1 : steps[i];
            if (step == 0 || Const.isBatch(step) || Const.isBatch(starts[i]) || Const.isBatch(ends[i])) {
                throw new OnnxFormatException("Slice with step 0 or bounds that depend on the batch size");
            }
            long dim = d[a];
            long s = starts[i] < 0 ? starts[i] + dim : starts[i];
            long e = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (step > 0) {
                s = Math.max(0, Math.min(s, dim));
                e = Math.max(0, Math.min(e, dim));
                out[a] = (int) Math.max(0, (e - s + step - 1) / step);
            } else {
                s = Math.max(0, Math.min(s, dim - 1));
                e = Math.max(-1, Math.min(e, dim - 1));
                out[a] = (int) Math.max(0, (s - e + (-step) - 1) / (-step));
            }
            st[a] = s;
            sp[a] = step;
        }
        checkComputed(out, "Slice");
        int[] strides = Const.strides(d);
        int n = (int) Const.count(out);
        int[] src = new int[n];
        int[] idx = new int[rank];
        for (int i = 0; i < n; i++) {
            long s = 0;
            for (int k = 0; k < rank; k++) {
                s += (st[k] + idx[k] * sp[k]) * strides[k];
            }
            src[i] = (int) s;
            for (int k = rank - 1; k >= 0; k--) {
                if (++idx[k] < out[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
        return data.gather(out, src);
    }

    private static Const concat(List<Const> in, int axisAttr) {
        Const first = in.get(0);
        int rank = first.rank();
        int axis = Dims.axis(axisAttr, rank, "Concat axis");
        boolean integer = true;
        long total = 0;
        for (Const c : in) {
            if (c.rank() != rank) {
                throw new OnnxFormatException("Concat inputs differ in rank");
            }
            for (int k = 0; k < rank; k++) {
                if (k != axis && c.dims()[k] != first.dims()[k]) {
                    throw new OnnxFormatException("Concat inputs differ in dimension " + k);
                }
            }
            integer &= c.isInteger();
            total += c.dims()[axis];
        }
        if (total > MAX_COMPUTED) {
            throw new OnnxFormatException("Concat of constants is enormous");
        }
        int[] out = first.dims().clone();
        out[axis] = (int) total;
        checkComputed(out, "Concat");
        int outer = (int) Const.count(Arrays.copyOfRange(out, 0, axis));
        int n = (int) Const.count(out);
        float[] f = integer ? null : new float[n];
        long[] l = integer ? new long[n] : null;
        int k = 0;
        for (int o = 0; o < outer; o++) {
            for (Const c : in) {
                int len = (int) (c.size() / Math.max(1, outer));
                if (integer) {
                    System.arraycopy(c.longs(), o * len, l, k, len);
                } else {
                    System.arraycopy(c.floats(), o * len, f, k, len);
                }
                k += len;
            }
        }
        return new Const(out, f, l);
    }

    /**
     * Expand: NumPy's broadcast of {@code x} and the shape (a dimension of 1 takes the other's size).
     * The importer translates Expand itself, constants included (a constant expanded along the batch
     * becomes a computed value); this folder serves {@link #eval} on constants and static shapes.
     */
    private static Const expand(Const x, Const shape) {
        int[] t = shape.ints("Expand shape");
        for (int d : t) {
            if (d < 0) {
                throw new OnnxFormatException("Expand shape " + Arrays.toString(t) + " has a negative dimension");
            }
        }
        int[] out = broadcast(x.dims(), t);
        checkComputed(out, "Expand");
        return x.gather(out, broadcastIndex(x.dims(), out));
    }

    /**
     * ScatterND without reduction: a copy of {@code data} whose slices at {@code indices} (tuples
     * along its last axis, each naming leading coordinates of data) are replaced by {@code updates}.
     */
    private static Const scatterNd(NodeProto n, Const data, Const indices, Const updates) {
        String reduction = Attrs.s(n, "reduction", "none");
        if (!reduction.equals("none")) {
            throw new OnnxFormatException("ScatterND with reduction '" + reduction + "' is not folded (only 'none')");
        }
        int[] d = data.dims();
        int[] id = indices.dims();
        checkComputed(d, "ScatterND");
        if (id.length == 0 || id[id.length - 1] > d.length) {
            throw new OnnxFormatException("ScatterND indices of shape " + Arrays.toString(id) + " do not index data of"
                    + " shape " + Arrays.toString(d));
        }
        int q = id[id.length - 1];
        int[] expected = new int[id.length - 1 + d.length - q];
        System.arraycopy(id, 0, expected, 0, id.length - 1);
        System.arraycopy(d, q, expected, id.length - 1, d.length - q);
        if (!Arrays.equals(expected, updates.dims())) {
            throw new OnnxFormatException("ScatterND updates of shape " + Arrays.toString(updates.dims())
                    + " do not fit indices " + Arrays.toString(id) + " into data " + Arrays.toString(d) + " (expected "
                    + Arrays.toString(expected) + ")");
        }
        int[] idx = indices.ints("ScatterND indices");
        int[] strides = Const.strides(d);
        int inner = (int) Const.count(Arrays.copyOfRange(d, q, d.length));
        int tuples = q == 0 ? (int) Const.count(Arrays.copyOf(id, id.length - 1)) : idx.length / q;
        int[] offsets = new int[tuples];
        for (int t = 0; t < tuples; t++) {
            long off = 0;
            for (int k = 0; k < q; k++) {
                long v = idx[t * q + k];
                if (v < -d[k] || v >= d[k]) {
                    throw new OnnxFormatException("ScatterND index " + v + " is out of range for dimension " + d[k]);
                }
                off += (v < 0 ? v + d[k] : v) * strides[k];
            }
            offsets[t] = (int) off;
        }
        if (data.isInteger()) {
            long[] r = data.l().clone();
            long[] u = updates.longs();
            for (int t = 0; t < tuples; t++) {
                System.arraycopy(u, t * inner, r, offsets[t], inner);
            }
            return Const.ofLongs(d, r);
        }
        float[] r = data.f().clone();
        float[] u = updates.floats();
        for (int t = 0; t < tuples; t++) {
            System.arraycopy(u, t * inner, r, offsets[t], inner);
        }
        return Const.ofFloats(d, r);
    }

    private static Const constantOfShape(NodeProto n, Const shape, TensorSource tensors) {
        int[] dims = OnnxTensors.dims(Arrays.stream(shape.ints("ConstantOfShape shape")).mapToObj(Long::valueOf)
                .toList(), "ConstantOfShape output");
        Const value = Attrs.has(n, "value") ? tensors.read(Attrs.get(n, "value").getT())
                : Const.ofFloats(new int[] {1}, new float[] {0});
        if (value.size() != 1) {
            throw new OnnxFormatException("ConstantOfShape value must hold one element");
        }
        checkComputed(dims, "ConstantOfShape");
        int count = (int) Const.count(dims);
        if (value.isInteger()) {
            long[] l = new long[count];
            Arrays.fill(l, value.l()[0]);
            return Const.ofLongs(dims, l);
        }
        float[] f = new float[count];
        Arrays.fill(f, value.f()[0]);
        return Const.ofFloats(dims, f);
    }

    private static Const range(Const start, Const limit, Const delta) {
        double s = start.scalar("Range start");
        double l = limit.scalar("Range limit");
        double d = delta.scalar("Range delta");
        if (start.dependsOnBatch() || limit.dependsOnBatch() || delta.dependsOnBatch() || d == 0) {
            throw new OnnxFormatException("Range with delta 0 or bounds that depend on the batch size");
        }
        double count = Math.max(Math.ceil((l - s) / d), 0);
        if (count > MAX_COMPUTED) {
            throw new OnnxFormatException("Range of " + count + " elements is enormous");
        }
        int n = (int) count;
        if (start.isInteger()) {
            long[] r = new long[n];
            for (int i = 0; i < n; i++) {
                r[i] = (long) s + i * (long) d;
            }
            return Const.ofLongs(new int[] {n}, r);
        }
        float[] r = new float[n];
        for (int i = 0; i < n; i++) {
            r[i] = (float) (s + i * d);
        }
        return Const.ofFloats(new int[] {n}, r);
    }

    /** NumPy-style broadcast of two dimension lists. */
    static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new OnnxFormatException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " cannot be broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** For each element of the broadcast output, the index into an operand of {@code dims}. */
    static int[] broadcastIndex(int[] dims, int[] out) {
        int rank = out.length;
        int[] s = Const.strides(dims);
        int n = (int) Const.count(out);
        int[] src = new int[n];
        int[] idx = new int[rank];
        int off = rank - dims.length;
        for (int i = 0; i < n; i++) {
            int v = 0;
            for (int k = off; k < rank; k++) {
                v += (dims[k - off] == 1 ? 0 : idx[k]) * s[k - off];
            }
            src[i] = v;
            for (int k = rank - 1; k >= 0; k--) {
                if (++idx[k] < out[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
        return src;
    }
}
