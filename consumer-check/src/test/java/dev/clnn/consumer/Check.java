package dev.clnn.consumer;

/**
 * Assertions the snippet programs call (the test adds the calls by editing the snippet): they run
 * in the consumer JVM, which has clnn-core on its classpath but no test library.
 */
public final class Check {
    private Check() {
    }

    /** {@code c} is {@code a (m, k) * b (k, n)}, summed here in double; fp32 sums in another order are allowed. */
    public static void gemm(float[] a, float[] b, float[] c, int m, int n, int k) {
        double worst = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (double) a[i * k + p] * b[p * n + j];
                }
                worst = Math.max(worst, Math.abs(sum - c[i * n + j]));
            }
        }
        if (!(worst <= 1e-5 * k)) {
            throw new IllegalStateException("GEMM result off by " + worst);
        }
        System.out.println("GEMM max error " + worst);
    }

    /** {@code p} has {@code classes} probabilities, each in [0, 1], summing to 1. */
    public static void probabilities(float[] p, int classes) {
        double sum = 0;
        for (float x : p) {
            if (!(x >= 0 && x <= 1)) {
                throw new IllegalStateException("not a probability: " + x);
            }
            sum += x;
        }
        if (p.length != classes || Math.abs(sum - 1) > 1e-3) {
            throw new IllegalStateException(p.length + " outputs summing to " + sum);
        }
        System.out.println("probabilities sum " + sum);
    }

    /** One predicted class, in 0-9, per example. */
    public static void classes(int[] classes, int examples) {
        if (classes.length != examples) {
            throw new IllegalStateException(classes.length + " classes for " + examples + " examples");
        }
        for (int c : classes) {
            if (c < 0 || c > 9) {
                throw new IllegalStateException("class " + c);
            }
        }
        System.out.println("classes " + classes.length);
    }
}
