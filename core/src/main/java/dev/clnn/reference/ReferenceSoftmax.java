package dev.clnn.reference;

import dev.clnn.tensor.Shape;

/** Plain-Java softmax and log-softmax along any axis, in double: the oracle for {@code dev.clnn.ops.Softmax}. */
public final class ReferenceSoftmax {
    private ReferenceSoftmax() {
    }

    /**
     * Softmax (or log-softmax when {@code log}) of {@code x}, row-major of {@code shape}, along
     * {@code axis} (negative counts from the end). Returns a new array of the same shape.
     */
    public static float[] softmax(float[] x, Shape shape, int axis, boolean log) {
        int a = shape.axis(axis);
        int n = shape.dim(a);
        int inner = 1;
        for (int i = a + 1; i < shape.rank(); i++) {
            inner *= shape.dim(i);
        }
        int outer = n * inner == 0 ? 0 : x.length / (n * inner);
        float[] y = new float[x.length];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    max = Math.max(max, x[base + j * inner]);
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    sum += Math.exp(x[base + j * inner] - max);
                }
                for (int j = 0; j < n; j++) {
                    double d = x[base + j * inner] - max;
                    y[base + j * inner] = (float) (log ? d - Math.log(sum) : Math.exp(d) / sum);
                }
            }
        }
        return y;
    }
}
