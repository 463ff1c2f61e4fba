package dev.clnn.reference;

/**
 * Plain-Java unary math the JDK lacks, in double: erf, erfc and GELU (exact and tanh form), the
 * oracle for {@code dev.clnn.ops.Unary} together with {@link Math}'s sqrt, exp, log, abs and pow.
 * erf and erfc are accurate to about 1e-14 relative: a Taylor series below 3, a continued fraction
 * for erfc above.
 */
public final class ReferenceUnary {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    private ReferenceUnary() {
    }

    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        double r = a < 3 ? series(a) : 1 - erfcLarge(a);
        return Math.copySign(r, x);
    }

    public static double erfc(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        return x < 3 ? 1 - erf(x) : erfcLarge(x);
    }

    /** ONNX Gelu: {@code x/2 * (1 + erf(x / sqrt 2))}, as {@code x/2 * erfc(-x / sqrt 2)} (no cancellation). */
    public static double gelu(double x) {
        return 0.5 * x * erfc(-x / Math.sqrt(2));
    }

    /** ONNX Gelu with approximate = "tanh". */
    public static double geluTanh(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    /** erf(a) = 2/sqrt(pi) * sum (-1)^n a^(2n+1) / (n! (2n+1)), for 0 <= a < 3. */
    private static double series(double a) {
        double term = a;
        double sum = a;
        double a2 = a * a;
        for (int n = 1; n < 200; n++) {
            term *= -a2 / n;
            double t = term / (2 * n + 1);
            sum += t;
            if (Math.abs(t) < 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI * sum;
    }

    /** erfc(a) for a >= 3: exp(-a^2)/sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))). */
    private static double erfcLarge(double a) {
        if (a > 27) {
            return 0;
        }
        double f = a;
        for (int k = 120; k >= 1; k--) {
            f = a + (k / 2.0) / f;
        }
        return Math.exp(-a * a) / (Math.sqrt(Math.PI) * f);
    }
}
