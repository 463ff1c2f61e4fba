package dev.clnn.spark;

/** The top classes of one classifier output, with their probabilities. */
final class TopK {
    private TopK() {
    }

    /**
     * Indices of the {@code k} largest of {@code v[offset, offset + n)}, largest first; ties go to
     * the lower index, NaN ranks below every number.
     */
    static int[] indices(float[] v, int offset, int n, int k) {
        int m = Math.min(k, n);
        int[] top = new int[m];
        int filled = 0;
        for (int i = 0; i < n; i++) {
            float x = v[offset + i];
            int at = filled;
            while (at > 0 && greater(x, v[offset + top[at - 1]])) {
                at--;
            }
            if (at >= m) {
                continue;
            }
            int last = Math.min(filled, m - 1);
            System.arraycopy(top, at, top, at + 1, last - at);
            top[at] = i;
            filled = Math.min(filled + 1, m);
        }
        return top;
    }

    private static boolean greater(float a, float b) {
        return !Float.isNaN(a) && (Float.isNaN(b) || a > b);
    }

    /**
     * The probabilities of {@code v[offset, offset + n)}: the values themselves when they already
     * are a distribution (non-negative, summing to 1: the model ends in Softmax), else their softmax.
     */
    static float[] probabilities(float[] v, int offset, int n) {
        double sum = 0;
        boolean distribution = true;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float x = v[offset + i];
            distribution &= x >= 0f && x <= 1f;
            sum += x;
            max = Math.max(max, x);
        }
        float[] p = new float[n];
        if (distribution && Math.abs(sum - 1) < 1e-3) {
            System.arraycopy(v, offset, p, 0, n);
            return p;
        }
        double total = 0;
        double[] e = new double[n];
        for (int i = 0; i < n; i++) {
            e[i] = Math.exp(v[offset + i] - max);
            total += e[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] = (float) (e[i] / total);
        }
        return p;
    }
}
