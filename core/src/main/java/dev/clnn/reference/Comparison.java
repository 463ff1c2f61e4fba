package dev.clnn.reference;

/**
 * Element-wise comparison of a result with a reference: {@code |actual - expected| <= atol + rtol * |expected|},
 * NaN matching NaN only. Reports the largest difference, the first failing index and the share of
 * failing elements, as plaidbench's correctness check does.
 */
public record Comparison(int length, int failures, int firstFailure, double maxAbsError, float rtol, float atol) {

    public static Comparison of(float[] actual, float[] expected, float rtol, float atol) {
        if (actual.length != expected.length) {
            throw new IllegalArgumentException("Cannot compare " + actual.length + " results with "
                    + expected.length + " reference values");
        }
        int failures = 0;
        int first = -1;
        double maxErr = 0;
        for (int i = 0; i < actual.length; i++) {
            float a = actual[i];
            float e = expected[i];
            boolean ok;
            if (Float.isNaN(e) || Float.isNaN(a)) {
                ok = Float.isNaN(e) && Float.isNaN(a);
            } else if (Float.isInfinite(e) || Float.isInfinite(a)) {
                ok = a == e;
            } else {
                double diff = Math.abs((double) a - e);
                maxErr = Math.max(maxErr, diff);
                ok = diff <= atol + rtol * Math.abs((double) e);
            }
            if (!ok) {
                failures++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        return new Comparison(actual.length, failures, first, maxErr, rtol, atol);
    }

    public boolean passed() {
        return failures == 0;
    }

    /** Failing elements as a share of all. */
    public double failRatio() {
        return length == 0 ? 0 : (double) failures / length;
    }

    /** A one-line summary: PASS or FAIL, max error, fail ratio and first failing index. */
    public String summary() {
        return (passed() ? "PASS" : "FAIL") + String.format(java.util.Locale.ROOT, ", max error %.3g, fail ratio %.4g", maxAbsError, failRatio())
                + (passed() ? "" : ", first failure at index " + firstFailure)
                + String.format(java.util.Locale.ROOT, " (rtol %.1g, atol %.1g)", rtol, atol);
    }

    /** The summary plus the failing value pair, for test messages. */
    public String describe(float[] actual, float[] expected) {
        if (passed()) {
            return summary();
        }
        return summary() + ": got " + actual[firstFailure] + ", expected " + expected[firstFailure];
    }
}
