package dev.clnn.reference;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

import dev.clnn.tensor.Shape;

/**
 * Plain-Java binary element-wise operations with NumPy / ONNX multidirectional broadcasting: the
 * oracle for {@code dev.clnn.ops.Elementwise}. Each output element is computed by walking its
 * multi-index, so the broadcasting rule is applied literally.
 */
public final class ReferenceElementwise {
    private ReferenceElementwise() {
    }

    /** The broadcast shape of {@code a} and {@code b}, or null when they do not broadcast. */
    public static Shape broadcastShape(Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = dim(a, rank, i);
            int db = dim(b, rank, i);
            if (da != db && da != 1 && db != 1) {
                return null;
            }
            out[i] = da == 1 ? db : da;
        }
        return Shape.of(out);
    }

    /**
     * {@code act(op(a, b))} for every element of the broadcast shape; {@code op} gets the two
     * floats (left from {@code a}) and its result is rounded to float before {@code act}.
     */
    public static float[] binary(float[] a, Shape sa, float[] b, Shape sb, DoubleBinaryOperator op,
                                 DoubleUnaryOperator act) {
        Shape out = broadcastShape(sa, sb);
        if (out == null) {
            throw new IllegalArgumentException("Shapes " + sa + " and " + sb + " do not broadcast");
        }
        int rank = out.rank();
        float[] y = new float[out.sizeAsInt()];
        int[] index = new int[rank];
        for (int i = 0; i < y.length; i++) {
            unravel(i, out, index);
            float va = a[offset(sa, rank, index)];
            float vb = b[offset(sb, rank, index)];
            float r = (float) op.applyAsDouble(va, vb);
            y[i] = (float) act.applyAsDouble(r);
        }
        return y;
    }

    /**
     * ONNX Where on clnn's 0 / 1 float booleans: {@code c != 0 ? a : b} for every element of the
     * broadcast shape of the three operands.
     */
    public static float[] where(float[] c, Shape sc, float[] a, Shape sa, float[] b, Shape sb) {
        Shape ca = broadcastShape(sc, sa);
        Shape out = ca == null ? null : broadcastShape(ca, sb);
        if (out == null) {
            throw new IllegalArgumentException("Shapes " + sc + ", " + sa + " and " + sb + " do not broadcast");
        }
        int rank = out.rank();
        float[] y = new float[out.sizeAsInt()];
        int[] index = new int[rank];
        for (int i = 0; i < y.length; i++) {
            unravel(i, out, index);
            y[i] = c[offset(sc, rank, index)] != 0f ? a[offset(sa, rank, index)] : b[offset(sb, rank, index)];
        }
        return y;
    }

    /** Row-major offset in {@code s} of the broadcast multi-index {@code index} (of rank {@code rank}). */
    /** The multi-index of row-major element {@code i} of {@code shape}. */
    private static void unravel(int i, Shape shape, int[] index) {
        int rest = i;
        for (int d = shape.rank() - 1; d >= 0; d--) {
            index[d] = rest % shape.dim(d);
            rest /= shape.dim(d);
        }
    }

    private static int offset(Shape s, int rank, int[] index) {
        int off = 0;
        for (int d = 0; d < s.rank(); d++) {
            int i = index[d + rank - s.rank()];
            off = off * s.dim(d) + (s.dim(d) == 1 ? 0 : i);
        }
        return off;
    }

    private static int dim(Shape s, int rank, int i) {
        int j = i - (rank - s.rank());
        return j < 0 ? 1 : s.dim(j);
    }
}
