package dev.clnn.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The largest entries of a score vector, for classifier output. */
final class TopK {
    private TopK() {
    }

    /** Indices of the {@code k} largest values, largest first. */
    static int[] indices(float[] v, int k) {
        int n = Math.min(k, v.length);
        int[] top = new int[n];
        boolean[] used = new boolean[v.length];
        for (int j = 0; j < n; j++) {
            int best = -1;
            for (int i = 0; i < v.length; i++) {
                if (!used[i] && (best < 0 || v[i] > v[best] || Float.isNaN(v[best]))) {
                    best = i;
                }
            }
            used[best] = true;
            top[j] = best;
        }
        return top;
    }

    /** Whether {@code v} already is a probability distribution (non-negative, summing to 1). */
    static boolean isDistribution(float[] v) {
        double sum = 0;
        for (float x : v) {
            if (!(x >= 0f && x <= 1f)) {
                return false;
            }
            sum += x;
        }
        return Math.abs(sum - 1) < 1e-3;
    }

    static float[] softmax(float[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            max = Math.max(max, x);
        }
        double sum = 0;
        double[] e = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            e[i] = Math.exp(v[i] - max);
            sum += e[i];
        }
        float[] p = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            p[i] = (float) (e[i] / sum);
        }
        return p;
    }

    /** "[i1 (v1), i2 (v2), ...]" or with labels. */
    static String format(float[] v, int k, List<String> labels) {
        List<String> parts = new ArrayList<>();
        for (int i : indices(v, k)) {
            String name = labels != null && i < labels.size() ? labels.get(i) + " " : "";
            parts.add(String.format(Locale.ROOT, "%s%d (%.4g)", name, i, v[i]));
        }
        return parts.toString();
    }
}
