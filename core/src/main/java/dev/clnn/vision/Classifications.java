package dev.clnn.vision;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A classifier's output for one example as probabilities, ranked, with class names.
 *
 * <p>The output is used as it is when it already is a probability distribution (every value in
 * [0, 1], summing to 1 within 1e-3: a model that ends in Softmax), and otherwise taken as logits
 * and passed through a softmax. Ranking is deterministic: larger first, equal values by lower
 * index, NaN after every number. A NaN score gives a NaN probability and leaves the other classes'
 * softmax as if it were absent; +Infinity scores share the whole probability.
 */
public final class Classifications {
    private final float[] probabilities;
    private final boolean softmaxApplied;
    private final Labels labels;

    private Classifications(float[] probabilities, boolean softmaxApplied, Labels labels) {
        this.probabilities = probabilities;
        this.softmaxApplied = softmaxApplied;
        this.labels = labels;
    }

    /**
     * One example's scores ({@code classes} floats: logits or probabilities) with labels, or
     * {@code null} for none.
     *
     * @throws IllegalArgumentException if {@code scores} is empty, or {@code labels} does not hold
     *         exactly one name per class (the message gives both counts)
     */
    public static Classifications of(float[] scores, Labels labels) {
        Objects.requireNonNull(scores, "scores");
        if (scores.length == 0) {
            throw new IllegalArgumentException("a classifier output needs at least one class");
        }
        if (labels != null) {
            labels.requireClasses(scores.length);
        }
        boolean distribution = isDistribution(scores);
        return new Classifications(distribution ? scores.clone() : softmax(scores), !distribution, labels);
    }

    /**
     * A batch output {@code (batch, classes)}, row-major, one {@link Classifications} per example.
     *
     * @throws IllegalArgumentException if {@code output.length} is not a multiple of {@code batch}
     */
    public static List<Classifications> ofBatch(float[] output, int batch, Labels labels) {
        if (batch < 1 || output.length % batch != 0 || output.length == 0) {
            throw new IllegalArgumentException("an output of " + output.length + " floats is not (" + batch
                    + ", classes)");
        }
        int classes = output.length / batch;
        List<Classifications> out = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            float[] row = new float[classes];
            System.arraycopy(output, b * classes, row, 0, classes);
            out.add(of(row, labels));
        }
        return out;
    }

    public int classes() {
        return probabilities.length;
    }

    /** A copy of the probabilities, by class index. */
    public float[] probabilities() {
        return probabilities.clone();
    }

    /** Whether the scores were logits, turned into probabilities here. */
    public boolean softmaxApplied() {
        return softmaxApplied;
    }

    /** The {@code k} most probable classes (fewer if there are fewer classes), most probable first. */
    public List<Classification> top(int k) {
        List<Classification> out = new ArrayList<>();
        for (int i : topIndices(probabilities, k)) {
            out.add(new Classification(i, labels == null ? null : labels.get(i), probabilities[i]));
        }
        return out;
    }

    /** The most probable class. */
    public Classification best() {
        return top(1).get(0);
    }

    /**
     * Indices of the {@code min(k, v.length)} largest values, largest first; equal values by lower
     * index, NaN last (by index).
     *
     * @throws IllegalArgumentException if {@code k} is negative
     */
    public static int[] topIndices(float[] v, int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k must not be negative, got " + k);
        }
        int n = Math.min(k, v.length);
        int[] top = new int[n];
        boolean[] used = new boolean[v.length];
        for (int j = 0; j < n; j++) {
            int best = -1;
            for (int i = 0; i < v.length; i++) {
                if (!used[i] && (best < 0 || ranksAbove(v[i], v[best]))) {
                    best = i;
                }
            }
            used[best] = true;
            top[j] = best;
        }
        return top;
    }

    /** Strictly above: a number above NaN, a larger number above a smaller one (ties keep the earlier index). */
    private static boolean ranksAbove(float a, float b) {
        if (Float.isNaN(a)) {
            return false;
        }
        return Float.isNaN(b) || a > b;
    }

    /** Whether {@code v} is a probability distribution: every value in [0, 1], the sum within 1e-3 of 1. */
    public static boolean isDistribution(float[] v) {
        double sum = 0;
        for (float x : v) {
            if (!(x >= 0f && x <= 1f)) {
                return false;
            }
            sum += x;
        }
        return Math.abs(sum - 1) < 1e-3;
    }

    /**
     * The softmax of {@code v}, computed in double after subtracting the maximum. NaN entries stay
     * NaN and are left out of the others' normalisation; when some entries are +Infinity they share
     * probability 1 equally, and when all are -Infinity the result is uniform.
     */
    public static float[] softmax(float[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            if (!Float.isNaN(x)) {
                max = Math.max(max, x);
            }
        }
        double[] e = new double[v.length];
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            if (Float.isNaN(v[i])) {
                continue;
            }
            if (Double.isInfinite(max)) {
                e[i] = v[i] == max ? 1 : 0;         // all -Infinity: uniform; some +Infinity: they share it
            } else {
                e[i] = Math.exp(v[i] - max);
            }
            sum += e[i];
        }
        float[] p = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            p[i] = Float.isNaN(v[i]) ? Float.NaN : (float) (e[i] / sum);
        }
        return p;
    }
}
