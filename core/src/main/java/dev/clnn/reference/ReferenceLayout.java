package dev.clnn.reference;

import java.util.List;

import dev.clnn.tensor.Shape;

/**
 * Plain-Java data movement: constant padding, transposition and concatenation of row-major arrays,
 * the oracles for {@code dev.clnn.ops.Pad}, {@code Transpose} and {@code Concat}. Each output
 * element is found from its multi-index, without folding or other shortcuts.
 */
public final class ReferenceLayout {
    private ReferenceLayout() {
    }

    /** {@code x} of {@code shape} with {@code begin[k]} and {@code end[k]} elements of {@code value} around axis k. */
    public static float[] pad(float[] x, Shape shape, int[] begin, int[] end, float value) {
        int rank = shape.rank();
        int[] out = new int[rank];
        for (int k = 0; k < rank; k++) {
            out[k] = shape.dim(k) + begin[k] + end[k];
        }
        Shape os = Shape.of(out);
        float[] y = new float[os.sizeAsInt()];
        int[] index = new int[rank];
        for (int i = 0; i < y.length; i++) {
            unravel(i, os, index);
            int src = 0;
            boolean inside = true;
            for (int k = 0; k < rank; k++) {
                int c = index[k] - begin[k];
                inside &= c >= 0 && c < shape.dim(k);
                src = src * shape.dim(k) + c;
            }
            y[i] = inside ? x[src] : value;
        }
        return y;
    }

    /** {@code x} of {@code shape} with its dimensions permuted: output axis k is input axis {@code perm[k]}. */
    public static float[] transpose(float[] x, Shape shape, int[] perm) {
        int rank = shape.rank();
        int[] out = new int[rank];
        for (int k = 0; k < rank; k++) {
            out[k] = shape.dim(perm[k]);
        }
        Shape os = Shape.of(out);
        long[] inStrides = shape.strides();
        float[] y = new float[os.sizeAsInt()];
        int[] index = new int[rank];
        for (int i = 0; i < y.length; i++) {
            unravel(i, os, index);
            long src = 0;
            for (int k = 0; k < rank; k++) {
                src += index[k] * inStrides[perm[k]];
            }
            y[i] = x[(int) src];
        }
        return y;
    }

    /** The arrays {@code xs} of {@code shapes} joined along {@code axis} (negative counts from the end). */
    public static float[] concat(List<float[]> xs, List<Shape> shapes, int axis) {
        Shape first = shapes.get(0);
        int a = first.axis(axis);
        int total = 0;
        for (Shape s : shapes) {
            total += s.dim(a);
        }
        Shape os = first.with(a, total);
        float[] y = new float[os.sizeAsInt()];
        int[] index = new int[os.rank()];
        for (int i = 0; i < y.length; i++) {
            unravel(i, os, index);
            int part = 0;
            int c = index[a];
            while (c >= shapes.get(part).dim(a)) {
                c -= shapes.get(part).dim(a);
                part++;
            }
            Shape s = shapes.get(part);
            int src = 0;
            for (int k = 0; k < os.rank(); k++) {
                src = src * s.dim(k) + (k == a ? c : index[k]);
            }
            y[i] = xs.get(part)[src];
        }
        return y;
    }

    /**
     * The window of {@code x} ({@code shape}) starting at index {@code first} with {@code steps} per
     * dimension, of {@code out} shape: {@code y[i] = x[first + i * steps]} dimension by dimension.
     */
    public static float[] slice(float[] x, Shape shape, int[] first, int[] steps, Shape out) {
        float[] y = new float[out.sizeAsInt()];
        int[] index = new int[out.rank()];
        for (int i = 0; i < y.length; i++) {
            unravel(i, out, index);
            long src = 0;
            for (int k = 0; k < index.length; k++) {
                src = src * shape.dim(k) + first[k] + (long) index[k] * steps[k];
            }
            y[i] = x[(int) src];
        }
        return y;
    }

    /** {@code x} ({@code shape}) repeated {@code repeats[k]} times along each dimension {@code k} (ONNX Tile). */
    public static float[] tile(float[] x, Shape shape, int[] repeats) {
        int[] od = new int[shape.rank()];
        for (int k = 0; k < od.length; k++) {
            od[k] = shape.dim(k) * repeats[k];
        }
        Shape out = Shape.of(od);
        float[] y = new float[out.sizeAsInt()];
        int[] index = new int[od.length];
        for (int i = 0; i < y.length; i++) {
            unravel(i, out, index);
            int src = 0;
            for (int k = 0; k < index.length; k++) {
                src = src * shape.dim(k) + index[k] % shape.dim(k);
            }
            y[i] = x[src];
        }
        return y;
    }

    private static void unravel(int flat, Shape s, int[] index) {
        for (int k = s.rank() - 1; k >= 0; k--) {
            index[k] = flat % s.dim(k);
            flat /= s.dim(k);
        }
    }
}
