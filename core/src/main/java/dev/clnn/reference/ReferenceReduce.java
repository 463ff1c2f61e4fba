package dev.clnn.reference;

import dev.clnn.tensor.Shape;

/** Sums, means and L2 norms over any axes (ONNX ReduceSum, ReduceMean, ReduceL2), in double precision, by the definition. */
public final class ReferenceReduce {
    private ReferenceReduce() {
    }

    /**
     * The sum (or, with {@code mean}, the mean) of {@code x} of shape {@code xs} over the axes marked
     * in {@code reduced}; the output is row-major over the kept axes, in order (whether reduced axes
     * are kept as dimensions of 1 does not change the data).
     */
    public static float[] reduce(float[] x, Shape xs, boolean[] reduced, boolean mean) {
        return reduce(x, xs, reduced, mean, false);
    }

    /** The Euclidean norm of {@code x} over the axes marked in {@code reduced} (ONNX ReduceL2). */
    public static float[] l2(float[] x, Shape xs, boolean[] reduced) {
        return reduce(x, xs, reduced, false, true);
    }

    private static float[] reduce(float[] x, Shape xs, boolean[] reduced, boolean mean, boolean l2) {
        int rank = xs.rank();
        long outputs = 1;
        long count = 1;
        for (int k = 0; k < rank; k++) {
            if (reduced[k]) {
                count *= xs.dim(k);
            } else {
                outputs *= xs.dim(k);
            }
        }
        double[] sums = new double[(int) outputs];
        int[] idx = new int[rank];
        for (int i = 0; i < x.length; i++) {
            int o = 0;
            for (int k = 0; k < rank; k++) {
                if (!reduced[k]) {
                    o = o * xs.dim(k) + idx[k];
                }
            }
            sums[o] += l2 ? (double) x[i] * x[i] : x[i];
            for (int k = rank - 1; k >= 0 && ++idx[k] == xs.dim(k); k--) {
                idx[k] = 0;
            }
        }
        float[] y = new float[sums.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) (l2 ? Math.sqrt(sums[i]) : mean ? sums[i] / count : sums[i]);
        }
        return y;
    }
}
