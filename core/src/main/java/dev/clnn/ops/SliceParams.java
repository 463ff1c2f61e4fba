package dev.clnn.ops;

import java.util.Arrays;

import dev.clnn.tensor.Shape;

/**
 * Parameters of a {@link Slice}: per dimension, outermost first, a start, an end (exclusive) and a
 * step, as ONNX {@code Slice} gives them: a negative start or end counts from the end of the
 * dimension, both are then clamped to it ({@code [0, dim]} for a positive step, {@code [-1, dim - 1]}
 * for a negative one), and the dimension keeps {@code ceil((end - start) / step)} elements (none
 * when the range is empty). {@code Integer.MAX_VALUE} as an end means "to the end". Immutable: the
 * arrays are copied in and out.
 *
 * @param starts first index per dimension
 * @param ends   end index per dimension (exclusive)
 * @param steps  step per dimension; not 0
 */
public record SliceParams(int[] starts, int[] ends, int[] steps) {

    public SliceParams {
        if (starts == null || ends == null || steps == null || starts.length != ends.length
                || steps.length != starts.length || starts.length == 0) {
            throw new IllegalArgumentException("Slice: starts " + Arrays.toString(starts) + ", ends "
                    + Arrays.toString(ends) + " and steps " + Arrays.toString(steps)
                    + " must give one value per dimension each");
        }
        starts = starts.clone();
        ends = ends.clone();
        steps = steps.clone();
        for (int s : steps) {
            if (s == 0) {
                throw new IllegalArgumentException("Slice: a step is 0, steps " + Arrays.toString(steps));
            }
        }
    }

    /** Every element of a rank-{@code rank} tensor; narrow it with {@link #withAxis}. */
    public static SliceParams all(int rank) {
        int[] s = new int[rank];
        int[] e = new int[rank];
        int[] st = new int[rank];
        Arrays.fill(e, Integer.MAX_VALUE);
        Arrays.fill(st, 1);
        return new SliceParams(s, e, st);
    }

    /** The same slice with dimension {@code axis} taking {@code start .. end} (exclusive) by {@code step}. */
    public SliceParams withAxis(int axis, int start, int end, int step) {
        int[] s = starts.clone();
        int[] e = ends.clone();
        int[] st = steps.clone();
        s[axis] = start;
        e[axis] = end;
        st[axis] = step;
        return new SliceParams(s, e, st);
    }

    public int rank() { return starts.length; }

    @Override
    public int[] starts() { return starts.clone(); }

    @Override
    public int[] ends() { return ends.clone(); }

    @Override
    public int[] steps() { return steps.clone(); }

    /** Whether dimension {@code axis} is kept whole, in order. */
    public boolean keepsWhole(int axis) {
        return starts[axis] == 0 && ends[axis] == Integer.MAX_VALUE && steps[axis] == 1;
    }

    /** The first index taken in each dimension of an input of shape {@code in} (clamped as ONNX does). */
    public int[] first(Shape in) {
        check(in);
        int[] f = new int[starts.length];
        for (int k = 0; k < f.length; k++) {
            f[k] = clampStart(k, in.dim(k));
        }
        return f;
    }

    /** The output shape for input shape {@code in}. */
    public Shape outputShape(Shape in) {
        check(in);
        int[] out = new int[starts.length];
        for (int k = 0; k < out.length; k++) {
            long dim = in.dim(k);
            long s = clampStart(k, in.dim(k));
            long e = ends[k] < 0 ? ends[k] + dim : ends[k];
            long step = steps[k];
            long n = step > 0 ? (Math.min(e, dim) - s + step - 1) / step
                    : (s - Math.max(e, -1) - step - 1) / -step;
            out[k] = (int) Math.max(0, n);
        }
        return Shape.of(out);
    }

    private int clampStart(int k, int dim) {
        long s = starts[k] < 0 ? (long) starts[k] + dim : starts[k];
        return (int) (steps[k] > 0 ? Math.max(0, Math.min(s, dim)) : Math.max(0, Math.min(s, dim - 1L)));
    }

    private void check(Shape in) {
        if (in.rank() != starts.length) {
            throw new IllegalArgumentException("Slice " + this + " needs a rank-" + starts.length + " input, got "
                    + in);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SliceParams p && Arrays.equals(starts, p.starts) && Arrays.equals(ends, p.ends)
                && Arrays.equals(steps, p.steps);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(starts) + Arrays.hashCode(ends)) + Arrays.hashCode(steps);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (int k = 0; k < starts.length; k++) {
            b.append(k == 0 ? "" : ", ").append(starts[k]).append(':')
                    .append(ends[k] == Integer.MAX_VALUE ? "" : String.valueOf(ends[k]));
            if (steps[k] != 1) {
                b.append(':').append(steps[k]);
            }
        }
        return b.append(']').toString();
    }
}
