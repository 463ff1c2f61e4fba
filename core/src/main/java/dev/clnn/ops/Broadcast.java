package dev.clnn.ops;

import java.util.ArrayList;
import java.util.List;

import dev.clnn.tensor.Shape;

/**
 * NumPy / ONNX multidirectional broadcasting of two shapes, and the folded view the element-wise
 * kernels take: output dimensions of size 1 dropped, neighbours that both operands treat alike
 * (both present, or the same one broadcast) merged. Immutable.
 */
final class Broadcast {
    /** The most dimensions the general kernel takes after folding. */
    static final int MAX_RANK = 8;

    final Shape a;
    final Shape b;
    final Shape out;
    /** Folded output dimensions, outermost first; none is 1. */
    final int[] dims;
    /** Per folded dimension: whether a (b) is broadcast along it. */
    final boolean[] aRepeats;
    final boolean[] bRepeats;

    private Broadcast(Shape a, Shape b, Shape out, int[] dims, boolean[] aRepeats, boolean[] bRepeats) {
        this.a = a;
        this.b = b;
        this.out = out;
        this.dims = dims;
        this.aRepeats = aRepeats;
        this.bRepeats = bRepeats;
    }

    /**
     * The broadcast output shape of {@code a} and {@code b}: shapes aligned at their last
     * dimension, each pair equal or one of them 1.
     *
     * @throws IllegalArgumentException naming {@code op} and both shapes when they do not broadcast
     */
    static Shape shape(String op, Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = padded(a, rank, i);
            int db = padded(b, rank, i);
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + a + " and " + b + " cannot be broadcast:"
                        + " dimension " + (i - rank) + " is " + da + " in one and " + db + " in the other"
                        + " (they must match or one be 1)");
            }
            out[i] = da == 1 ? db : da;
        }
        return Shape.of(out);
    }

    static Broadcast of(String op, Shape a, Shape b) {
        Shape out = shape(op, a, b);
        int rank = out.rank();
        List<int[]> groups = new ArrayList<>();     // {size, a repeats, b repeats}
        for (int i = 0; i < rank; i++) {
            int d = out.dim(i);
            if (d == 1) {
                continue;
            }
            int ra = padded(a, rank, i) == 1 ? 1 : 0;
            int rb = padded(b, rank, i) == 1 ? 1 : 0;
            int[] last = groups.isEmpty() ? null : groups.get(groups.size() - 1);
            if (last != null && last[1] == ra && last[2] == rb) {
                last[0] *= d;
            } else {
                groups.add(new int[] {d, ra, rb});
            }
        }
        int[] dims = new int[groups.size()];
        boolean[] ar = new boolean[dims.length];
        boolean[] br = new boolean[dims.length];
        for (int k = 0; k < dims.length; k++) {
            dims[k] = groups.get(k)[0];
            ar[k] = groups.get(k)[1] == 1;
            br[k] = groups.get(k)[2] == 1;
        }
        return new Broadcast(a, b, out, dims, ar, br);
    }

    private static int padded(Shape s, int rank, int i) {
        int j = i - (rank - s.rank());
        return j < 0 ? 1 : s.dim(j);
    }

    /** True when neither operand is broadcast: a, b and the output hold the same elements in the same order. */
    boolean same() {
        return count(aRepeats) == 0 && count(bRepeats) == 0;
    }

    /**
     * {outer, mid, inner} when the operand other than the full one ({@code aFull} says which) is
     * {@code (outer, 1, inner)} against the output {@code (outer, mid, inner)}; null when the full
     * operand is itself broadcast or the other repeats along more than one folded dimension.
     */
    int[] view(boolean aFull) {
        boolean[] full = aFull ? aRepeats : bRepeats;
        boolean[] part = aFull ? bRepeats : aRepeats;
        if (count(full) != 0 || count(part) > 1) {
            return null;
        }
        int at = -1;
        for (int k = 0; k < dims.length; k++) {
            at = part[k] ? k : at;
        }
        if (at < 0) {
            return new int[] {(int) out.size(), 1, 1};
        }
        return OpSupport.aroundAxis(dims, at);
    }

    /** Element strides of a ({@code forA}) or b along the folded dimensions, 0 where it is broadcast. */
    int[] strides(boolean forA) {
        boolean[] repeats = forA ? aRepeats : bRepeats;
        int[] s = new int[dims.length];
        int acc = 1;
        for (int k = dims.length - 1; k >= 0; k--) {
            s[k] = repeats[k] ? 0 : acc;
            acc *= repeats[k] ? 1 : dims[k];
        }
        return s;
    }

    private static int count(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            n += f ? 1 : 0;
        }
        return n;
    }
}
