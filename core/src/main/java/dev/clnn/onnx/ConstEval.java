package dev.clnn.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import ai.onnx.proto.OnnxMl.NodeProto;

/**
 * The constant evaluator: runs, on host arrays, the nodes whose inputs are all known at load time
 * (the shape arithmetic exporters emit: {@code Shape -> Gather -> Unsqueeze -> Concat -> Reshape},
 * constant folding of weights, ...). Sizes are checked before allocating.
 */
final class ConstEval {
    /** Operators the evaluator folds when all their inputs are constants. */
    static final Set<String> FOLDABLE = Set.of("Constant", "Identity", "Cast", "Gather", "Slice", "Concat",
            "ConstantOfShape", "Range", "Reshape", "Transpose", "Unsqueeze", "Squeeze", "Add", "Sub", "Mul", "Div",
            "Flatten", "Dropout", "Neg");

    /** The most elements a folded constant may have (64 MiB of floats): larger ones are not shape arithmetic. */
    static final long MAX_COMPUTED = 1L << 24;

    private ConstEval() {
    }

    private static void checkComputed(int[] dims, String what) {
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
        String op = n.getOpType();
        switch (op) {
            case "Constant": return constant(n, tensors);
            case "Identity": case "Dropout": return in.get(0);
            case "Cast": return cast(in.get(0), (int) Attrs.i(n, "to", 1));
            case "Neg": return binary("Mul", in.get(0), Const.ofLongs(new int[0], new long[] {-1}));
            case "Gather": return gather(in.get(0), in.get(1), (int) Attrs.i(n, "axis", 0));
            case "Slice": return slice(in);
            case "Concat": return concat(in, (int) Attrs.i(n, "axis", 0));
            case "ConstantOfShape": return constantOfShape(n, in.get(0), tensors);
            case "Range": return range(in.get(0), in.get(1), in.get(2));
            case "Reshape": return in.get(0).reshape(reshapeDims(in.get(0).dims(), in.get(1),
                    Attrs.i(n, "allowzero", 0) != 0));
            case "Flatten": {
                int[] d = in.get(0).dims();
                int axis = axis((int) Attrs.i(n, "axis", 1), d.length + 1, "Flatten axis");
                long outer = Const.count(Arrays.copyOfRange(d, 0, axis));
                return in.get(0).reshape(new int[] {(int) outer, (int) (Const.count(d) / Math.max(1, outer))});
            }
            case "Transpose": {
                int rank = in.get(0).rank();
                int[] perm = Attrs.has(n, "perm") ? Attrs.ints(n, "perm") : reversed(rank);
                checkPerm(perm, rank);
                return in.get(0).transpose(perm);
            }
            case "Unsqueeze": return in.get(0).reshape(unsqueezeDims(in.get(0).dims(), axesOf(n, in, opset, 13)));
            case "Squeeze": return in.get(0).reshape(squeezeDims(in.get(0).dims(), axesOf(n, in, opset, 13)));
            case "Add": case "Sub": case "Mul": case "Div": return binary(op, in.get(0), in.get(1));
            default: throw new OnnxFormatException("cannot fold " + op);
        }
    }

    static int[] axesOf(NodeProto n, List<Const> in, int opset, int inputSince) {
        if (opset >= inputSince) {
            return in.size() > 1 && in.get(1) != null ? in.get(1).ints("axes") : null;
        }
        return Attrs.has(n, "axes") ? Attrs.ints(n, "axes") : null;
    }

    static int[] reversed(int rank) {
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = rank - 1 - i;
        }
        return p;
    }

    static void checkPerm(int[] perm, int rank) {
        boolean[] seen = new boolean[rank];
        if (perm.length != rank) {
            throw new OnnxFormatException("Transpose perm " + Arrays.toString(perm) + " does not fit rank " + rank);
        }
        for (int p : perm) {
            if (p < 0 || p >= rank || seen[p]) {
                throw new OnnxFormatException("Transpose perm " + Arrays.toString(perm) + " is not a permutation");
            }
            seen[p] = true;
        }
    }

    /** A possibly negative axis of a tensor of {@code rank} dimensions, checked. */
    static int axis(int axis, int rank, String what) {
        if (axis < -rank || axis >= rank) {
            throw new OnnxFormatException(what + " " + axis + " is out of range for rank " + rank);
        }
        return axis < 0 ? axis + rank : axis;
    }

    static int[] unsqueezeDims(int[] dims, int[] axes) {
        if (axes == null) {
            throw new OnnxFormatException("Unsqueeze needs axes");
        }
        int rank = dims.length + axes.length;
        boolean[] inserted = new boolean[rank];
        for (int a : axes) {
            int k = axis(a, rank, "Unsqueeze axis");
            if (inserted[k]) {
                throw new OnnxFormatException("Unsqueeze axis " + a + " repeats");
            }
            inserted[k] = true;
        }
        int[] out = new int[rank];
        for (int k = 0, j = 0; k < rank; k++) {
            out[k] = inserted[k] ? 1 : dims[j++];
        }
        return out;
    }

    static int[] squeezeDims(int[] dims, int[] axes) {
        boolean[] drop = new boolean[dims.length];
        if (axes == null) {
            for (int k = 0; k < dims.length; k++) {
                drop[k] = dims[k] == 1;
            }
        } else {
            for (int a : axes) {
                int k = axis(a, dims.length, "Squeeze axis");
                if (dims[k] != 1) {
                    throw new OnnxFormatException("Squeeze axis " + a + " has size " + dims[k] + ", not 1");
                }
                drop[k] = true;
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int k = 0; k < dims.length; k++) {
            if (!drop[k]) {
                out.add(dims[k]);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** ONNX Reshape's target: 0 copies the input dimension (unless allowzero), one -1 is inferred. */
    static int[] reshapeDims(int[] in, Const shape, boolean allowZero) {
        long[] t = shape.longs();
        int[] out = new int[t.length];
        long total = Const.count(in);
        long known = 1;
        int unknown = -1;
        for (int i = 0; i < t.length; i++) {
            if (t[i] == Const.BATCH) {
                throw new OnnxFormatException("Reshape of a constant to a shape that depends on the batch size");
            }
            if (t[i] == -1) {
                if (unknown >= 0) {
                    throw new OnnxFormatException("Reshape shape " + Arrays.toString(t) + " has two -1");
                }
                unknown = i;
                continue;
            }
            if (t[i] == 0 && !allowZero) {
                if (i >= in.length) {
                    throw new OnnxFormatException("Reshape shape " + Arrays.toString(t) + " copies dimension " + i
                            + " of a rank-" + in.length + " input");
                }
                out[i] = in[i];
            } else if (t[i] < 0 || t[i] > OnnxTensors.MAX_ELEMENTS) {
                throw new OnnxFormatException("Reshape shape " + Arrays.toString(t) + " has a bad dimension " + t[i]);
            } else {
                out[i] = (int) t[i];
            }
            known *= out[i];
        }
        if (unknown >= 0) {
            if (known == 0 || total % known != 0) {
                throw new OnnxFormatException("Cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(t));
            }
            out[unknown] = (int) (total / known);
        } else if (known != total) {
            throw new OnnxFormatException("Cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(t));
        }
        return out;
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

    private static Const cast(Const x, int to) {
        boolean toFloat = to == 1 || to == 10 || to == 11;
        if (toFloat) {
            return Const.ofFloats(x.dims(), x.floats());
        }
        if (to == 9) {
            long[] l = x.longs().clone();
            for (int i = 0; i < l.length; i++) {
                l[i] = l[i] == Const.BATCH ? 1 : l[i] != 0 ? 1 : 0;
            }
            return Const.ofLongs(x.dims(), l);
        }
        OnnxTensors.elementSize(to, "Cast target");
        return Const.ofLongs(x.dims(), x.longs());
    }

    private static Const gather(Const data, Const indices, int axisAttr) {
        int[] d = data.dims();
        int axis = axis(axisAttr, d.length, "Gather axis");
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
            int a = axis(axes == null ? i : axes[i], rank, "Slice axis");
            long step = steps == null ? 1 : steps[i];
            if (step == 0 || step == Const.BATCH || starts[i] == Const.BATCH || ends[i] == Const.BATCH) {
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
        int axis = axis(axisAttr, rank, "Concat axis");
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

    static Const binary(String op, Const a, Const b) {
        int[] out = broadcast(a.dims(), b.dims());
        checkComputed(out, op);
        int[] ia = broadcastIndex(a.dims(), out);
        int[] ib = broadcastIndex(b.dims(), out);
        int n = ia.length;
        if (a.isInteger() && b.isInteger()) {
            long[] r = new long[n];
            for (int i = 0; i < n; i++) {
                long x = a.l()[ia[i]];
                long y = b.l()[ib[i]];
                if (x == Const.BATCH || y == Const.BATCH) {
                    r[i] = Const.BATCH;
                    continue;
                }
                switch (op) {
                    case "Add": r[i] = x + y; break;
                    case "Sub": r[i] = x - y; break;
                    case "Mul": r[i] = x * y; break;
                    default:
                        if (y == 0) {
                            throw new OnnxFormatException("integer division by zero in a constant Div");
                        }
                        r[i] = Math.floorDiv(x, y);
                }
            }
            return Const.ofLongs(out, r);
        }
        float[] fa = a.floats();
        float[] fb = b.floats();
        float[] r = new float[n];
        for (int i = 0; i < n; i++) {
            float x = fa[ia[i]];
            float y = fb[ib[i]];
            switch (op) {
                case "Add": r[i] = x + y; break;
                case "Sub": r[i] = x - y; break;
                case "Mul": r[i] = x * y; break;
                default: r[i] = x / y;
            }
        }
        return Const.ofFloats(out, r);
    }
}
