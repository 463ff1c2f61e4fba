package dev.clnn.reference;

import dev.clnn.tensor.Shape;

/** Group (and instance) normalisation in double: the oracle of {@code norm/groupnorm.cl}. */
public final class ReferenceGroupNorm {
    private ReferenceGroupNorm() {
    }

    /**
     * {@code x} of {@code shape}, {@code (N, ..., C)} when {@code channelsLast} else {@code (N, C, ...)},
     * normalised per example over each of {@code groups} groups of consecutive channels and all
     * positions, then {@code * gamma[c] + beta[c]}.
     */
    public static float[] groupNorm(float[] x, Shape shape, boolean channelsLast, int groups, float[] gamma,
                                    float[] beta, float eps) {
        int n = shape.dim(0);
        int c = channelsLast ? shape.dim(-1) : shape.dim(1);
        int hw = (int) (shape.size() / ((long) n * c));
        int cg = c / groups;
        float[] y = new float[x.length];
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < groups; g++) {
                double sum = 0;
                for (int k = 0; k < cg; k++) {
                    for (int p = 0; p < hw; p++) {
                        sum += x[at(b, g * cg + k, p, c, hw, channelsLast)];
                    }
                }
                double mean = sum / ((double) cg * hw);
                double var = 0;
                for (int k = 0; k < cg; k++) {
                    for (int p = 0; p < hw; p++) {
                        double d = x[at(b, g * cg + k, p, c, hw, channelsLast)] - mean;
                        var += d * d;
                    }
                }
                double inv = 1 / Math.sqrt(var / ((double) cg * hw) + eps);
                for (int k = 0; k < cg; k++) {
                    int ch = g * cg + k;
                    for (int p = 0; p < hw; p++) {
                        int i = at(b, ch, p, c, hw, channelsLast);
                        y[i] = (float) ((x[i] - mean) * inv * gamma[ch] + beta[ch]);
                    }
                }
            }
        }
        return y;
    }

    private static int at(int b, int ch, int p, int c, int hw, boolean channelsLast) {
        return channelsLast ? (b * hw + p) * c + ch : (b * c + ch) * hw + p;
    }
}
