package dev.clnn.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.ToDoubleFunction;

import dev.clnn.reference.Comparison;
import dev.clnn.reference.ReferenceTraining;

/**
 * Central finite differences of a scalar function in double precision, and comparisons of
 * gradients against them. Backward passes are checked through {@code L = sum(dy * f(x))} for a
 * fixed random {@code dy}, whose gradient with respect to anything is what backward computes from
 * {@code dy}.
 */
public final class GradientCheck {
    /** Step of the differences: the truncation error is O(EPS^2), the rounding error ~1e-16 / EPS. */
    public static final double EPS = 1e-6;

    private GradientCheck() {
    }

    /** {@code dL/dp[i] ~ (L(p + eps e_i) - L(p - eps e_i)) / (2 eps)} for every i; p is restored. */
    public static double[] numeric(ToDoubleFunction<double[]> loss, double[] p) {
        double[] g = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            double keep = p[i];
            p[i] = keep + EPS;
            double up = loss.applyAsDouble(p);
            p[i] = keep - EPS;
            double down = loss.applyAsDouble(p);
            p[i] = keep;
            g[i] = (up - down) / (2 * EPS);
        }
        return g;
    }

    /** {@code sum(a * b)}. */
    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Fails with the comparison's summary when {@code actual} is not within tolerance of {@code expected}. */
    public static void assertClose(String what, float[] actual, double[] expected, float rtol, float atol) {
        float[] e = ReferenceTraining.toFloat(expected);
        Comparison cmp = Comparison.of(actual, e, rtol, atol);
        assertTrue(cmp.passed(), () -> what + ": " + cmp.describe(actual, e));
    }

    /** Like {@link #assertClose(String, float[], double[], float, float)} for two double arrays. */
    public static void assertClose(String what, double[] actual, double[] expected, float rtol, float atol) {
        assertClose(what, ReferenceTraining.toFloat(actual), expected, rtol, atol);
    }
}
