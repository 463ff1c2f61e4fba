package dev.clnn.onnx;

import java.util.Arrays;
import java.util.Map;

import dev.clnn.graph.Op;
import dev.clnn.ops.SliceParams;

/**
 * Slice, Split and Gather (by constant indices) of values computed from the model input: each becomes {@link Op.Slice} nodes (a
 * Split one per output), taking the window in the value's own layout, so a channel split of an NHWC
 * value slices its last dimension and stays NHWC. The batch axis is kept whole.
 */
final class SliceTranslators {
    private SliceTranslators() {
    }

    static Map<String, Translator> all() {
        return Map.of(
                "Slice", SliceTranslators::slice,
                "Split", new Split(),
                "Gather", SliceTranslators::gather);
    }

    /**
     * Gather of a computed value by constant indices along any axis but the batch (ViT's class
     * token, {@code x[:, 0]}): a scalar index is a one-wide Slice and a Reshape that drops the axis
     * (in ONNX's order); 1-D indices that step evenly are one strided Slice, others a Slice per
     * index and a Concat. Negative indices count from the end.
     */
    private static void gather(NodeContext cx) {
        Val any = cx.anyValIn(0);
        int[] d = cx.dims(any);
        int axis = Dims.axis((int) cx.i("axis", 0), d.length, "Gather axis");
        Const ic = cx.constIn(1, "Gather indices");
        if (any.pending()) {
            gatherPending(cx, any, d, axis, ic);
            return;
        }
        Val v = cx.valIn(0);
        if (axis == 0 && isRange(ic, d[0])) {
            // every row in order, into the indices' shape (an exported as_strided view): a reshape
            int[] id = ic.dims();
            if (id.length == 0 || id[0] < 1) {
                throw new OnnxFormatException("Gather along the batch axis is not supported");
            }
            int[] dims = new int[id.length - 1 + d.length - 1];
            System.arraycopy(id, 1, dims, 0, id.length - 1);
            System.arraycopy(d, 1, dims, id.length - 1, d.length - 1);
            String x = cx.plain(v);
            cx.put(new Val(id[0] == d[0] ? cx.add(new Op.Reshape(dims), x)
                    : cx.add(new Op.Reshape(dims, d[0], id[0]), x), false));
            return;
        }
        if (axis == 0) {
            throw new OnnxFormatException("Gather along the batch axis is not supported");
        }
        if (ic.rank() > 1) {
            throw new OnnxFormatException("Gather with indices of rank " + ic.rank() + " is not supported (a scalar"
                    + " or 1-D constant only)");
        }
        int[] idx = ic.ints("Gather indices");
        for (int k = 0; k < idx.length; k++) {
            if (idx[k] < -d[axis] || idx[k] >= d[axis]) {
                throw new OnnxFormatException("Gather index " + idx[k] + " is out of range for dimension " + d[axis]);
            }
            idx[k] = idx[k] < 0 ? idx[k] + d[axis] : idx[k];
        }
        if (ic.rank() == 0) {
            String x = cx.plain(v);
            String one = cx.add("_slice", new Op.Slice(SliceParams.all(d.length).withAxis(axis, idx[0], idx[0] + 1,
                    1)), x);
            int[] rest = new int[d.length - 2];
            for (int k = 1, j = 0; k < d.length; k++) {
                if (k != axis) {
                    rest[j++] = d[k];
                }
            }
            cx.put(new Val(cx.add(new Op.Reshape(rest), one), false));
            return;
        }
        if (idx.length == 0) {
            throw new OnnxFormatException("Gather with no indices gives an empty value");
        }
        int clnn = Layout.axis(v, axis);
        int step = idx.length > 1 ? idx[1] - idx[0] : 1;
        boolean even = step != 0;
        for (int k = 1; k < idx.length; k++) {
            even &= idx[k] - idx[k - 1] == step;
        }
        if (even) {
            int end = idx[idx.length - 1] + (step > 0 ? 1 : -1);
            SliceParams p = SliceParams.all(d.length).withAxis(clnn, idx[0], end < 0 ? -Integer.MAX_VALUE : end, step);
            cx.put(new Val(cx.add(new Op.Slice(p), v.name()), v.nhwc()));
            return;
        }
        String[] parts = new String[idx.length];
        for (int k = 0; k < idx.length; k++) {
            SliceParams p = SliceParams.all(d.length).withAxis(clnn, idx[k], idx[k] + 1, 1);
            parts[k] = cx.add("_" + k, new Op.Slice(p), v.name());
        }
        cx.put(new Val(cx.add(new Op.Concat(dev.clnn.ops.ConcatParams.axis(clnn), parts.length), parts), v.nhwc()));
    }

    /** Whether {@code ic} holds 0, 1, ..., n - 1 in order (in any shape). */
    private static boolean isRange(Const ic, int n) {
        if (!ic.isInteger() || ic.size() != n) {
            return false;
        }
        long[] l = ic.longs();
        for (int k = 0; k < n; k++) {
            if (l[k] != k) {
                return false;
            }
        }
        return true;
    }

    /**
     * Gather of one index along axis {@code axis} of a pending transpose (q, k or v of an
     * attention block): a one-wide Slice of the source and a Squeeze of the axis.
     */
    private static void gatherPending(NodeContext cx, Val v, int[] d, int axis, Const ic) {
        if (ic.rank() != 0) {
            throw new OnnxFormatException("Gather with indices of shape " + Arrays.toString(ic.dims()) + " from a"
                    + " Transpose that moves the batch axis is not supported (a scalar index only)");
        }
        int i = ic.ints("Gather indices")[0];
        if (i < -d[axis] || i >= d[axis]) {
            throw new OnnxFormatException("Gather index " + i + " is out of range for dimension " + d[axis]);
        }
        i = i < 0 ? i + d[axis] : i;
        int src = v.perm()[axis];
        if (src == 0) {
            throw new OnnxFormatException("Gather along the batch axis is not supported");
        }
        String one = cx.add("_slice", new Op.Slice(SliceParams.all(d.length).withAxis(src, i, i + 1, 1)), v.name());
        cx.put(ShapeTranslators.squeezePending(cx, new Val(one, false, v.perm()), new int[] {axis}));
    }

    /** Slice (opset 10+): starts, ends and the optional axes and steps are constant inputs. */
    private static void slice(NodeContext cx) {
        Val v = cx.anyValIn(0);
        int[] d = cx.dims(v);
        int rank = d.length;
        long[] starts = cx.constIn(1, "Slice starts").longs();
        long[] ends = cx.constIn(2, "Slice ends").longs();
        Const axesC = cx.constIn(3, "Slice axes");
        Const stepsC = cx.constIn(4, "Slice steps");
        int[] axes = axesC == null ? null : axesC.ints("Slice axes");
        long[] steps = stepsC == null ? null : stepsC.longs();
        if (starts.length != ends.length || axes != null && axes.length != starts.length
                || steps != null && steps.length != starts.length) {
            throw new OnnxFormatException("Slice starts " + Arrays.toString(starts) + ", ends " + Arrays.toString(ends)
                    + ", axes and steps differ in length");
        }
        SliceParams p = SliceParams.all(rank);
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < starts.length; i++) {
            int a = Dims.axis(axes == null ? i : axes[i], rank, "Slice axis");
            if (seen[a]) {
                throw new OnnxFormatException("Slice names axis " + a + " twice");
            }
            seen[a] = true;
            long step = steps == null ? 1 : steps[i];
            if (step == 0 || Const.isBatch(step) || Const.isBatch(starts[i]) || Const.isBatch(ends[i])) {
                throw new OnnxFormatException("Slice with step 0 or bounds that depend on the batch size");
            }
            int start = clamp(starts[i]);
            int end = clamp(ends[i]);
            int st = clamp(step);
            int clnn = v.pending() ? v.perm()[a] : Layout.axis(v, a);
            if (clnn == 0) {
                boolean whole = start == 0 && st == 1
                        && (end == Integer.MAX_VALUE || cx.fixedBatch() > 0 && end >= (long) cx.fixedBatch() * d[a]);
                if (!whole) {
                    throw new OnnxFormatException("Slice of the batch axis is not supported (starts "
                            + Arrays.toString(starts) + ", ends " + Arrays.toString(ends) + ")");
                }
                continue;
            }
            p = p.withAxis(clnn, start, end, st);
        }
        cx.put(new Val(cx.add(new Op.Slice(p), v.name()), v.nhwc(), v.perm()));
    }

    /** A long index as an int: beyond the int range it only clamps to the dimension anyway. */
    private static int clamp(long v) {
        return (int) Math.max(-Integer.MAX_VALUE, Math.min(Integer.MAX_VALUE, v));
    }

    /**
     * Split (opsets 11 to 18): sizes from the {@code split} attribute (before 13) or input (13 on),
     * else equal parts, one per output or {@code num_outputs} (18), the last smaller when the axis
     * does not divide evenly.
     */
    private static final class Split implements Translator {
        @Override
        public void translate(NodeContext cx) {
            Val v = cx.anyValIn(0);
            int[] d = cx.dims(v);
            int rank = d.length;
            int axis = Dims.axis((int) cx.i("axis", 0), rank, "Split axis");
            int clnn = v.pending() ? v.perm()[axis] : Layout.axis(v, axis);
            if (clnn == 0) {
                throw new OnnxFormatException("Split along the batch axis is not supported");
            }
            int[] sizes = sizes(cx, d[axis]);
            if (sizes.length != cx.outputCount()) {
                throw new OnnxFormatException("Split into " + sizes.length + " parts " + Arrays.toString(sizes)
                        + " has " + cx.outputCount() + " outputs");
            }
            int start = 0;
            for (int k = 0; k < sizes.length; k++) {
                SliceParams p = SliceParams.all(rank).withAxis(clnn, start, start + sizes[k], 1);
                cx.put(k, new Val(cx.add("_" + k, new Op.Slice(p), v.name()), v.nhwc(), v.perm()));
                start += sizes[k];
            }
        }

        private static int[] sizes(NodeContext cx, int dim) {
            int[] sizes = null;
            if (cx.opset() < 13) {
                sizes = cx.ints("split");
            } else if (cx.present(1)) {
                sizes = cx.constIn(1, "Split split").ints("Split split");
            }
            if (sizes != null) {
                long sum = 0;
                for (int s : sizes) {
                    if (s < 0) {
                        throw new OnnxFormatException("Split sizes " + Arrays.toString(sizes) + " must not be negative");
                    }
                    sum += s;
                }
                if (sum != dim) {
                    throw new OnnxFormatException("Split sizes " + Arrays.toString(sizes) + " do not add up to the"
                            + " axis " + dim);
                }
                return sizes;
            }
            int parts = cx.opset() >= 18 && cx.has("num_outputs") ? (int) cx.i("num_outputs", 0) : cx.outputCount();
            if (parts < 1) {
                throw new OnnxFormatException("Split into " + parts + " parts");
            }
            int chunk = (dim + parts - 1) / parts;
            sizes = new int[parts];
            for (int k = 0; k < parts; k++) {
                sizes[k] = Math.max(0, Math.min(chunk, dim - k * chunk));
            }
            return sizes;
        }

        @Override
        public boolean writesEveryOutput() {
            return true;
        }
    }
}
