package dev.clnn.ops;

/**
 * The shape of one GEMM, {@code C = alpha * op(A) * op(B) + beta * C}, row-major: op(A) is
 * {@code (m, k)}, op(B) is {@code (k, n)}, C is {@code (m, n)}. A is stored {@code (m, k)} or,
 * when {@code transA}, {@code (k, m)}, with rows {@code lda} floats apart; likewise B and C.
 */
public record GemmShape(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc) {

    public GemmShape {
        if (m < 1 || n < 1 || k < 1) {
            throw new IllegalArgumentException("Gemm: sizes must be at least 1, got m=" + m + " n=" + n + " k=" + k);
        }
        int minA = transA ? m : k;
        int minB = transB ? k : n;
        if (lda < minA || ldb < minB || ldc < n) {
            throw new IllegalArgumentException("Gemm: leading dimensions too small for m=" + m + " n=" + n + " k=" + k
                    + (transA ? " (A transposed)" : "") + (transB ? " (B transposed)" : "")
                    + ": lda=" + lda + " (>= " + minA + "), ldb=" + ldb + " (>= " + minB + "), ldc=" + ldc
                    + " (>= " + n + ")");
        }
    }

    /** Dense, untransposed: A {@code (m, k)}, B {@code (k, n)}, C {@code (m, n)}. */
    public static GemmShape of(int m, int n, int k) {
        return new GemmShape(false, false, m, n, k, k, n, n);
    }

    /** Dense with the given transposes and tight leading dimensions. */
    public static GemmShape of(boolean transA, boolean transB, int m, int n, int k) {
        return new GemmShape(transA, transB, m, n, k, transA ? m : k, transB ? k : n, n);
    }

    /** Floats of A that a call reads, from its offset: the last stored row ends there. */
    long extentA() {
        return transA ? (long) (k - 1) * lda + m : (long) (m - 1) * lda + k;
    }

    long extentB() {
        return transB ? (long) (n - 1) * ldb + k : (long) (k - 1) * ldb + n;
    }

    long extentC() {
        return (long) (m - 1) * ldc + n;
    }

    /** Floating-point operations of one call: {@code 2 m n k}. */
    public double flops() {
        return 2.0 * m * n * k;
    }

    @Override
    public String toString() {
        return "Gemm(" + (transA ? "A^T" : "A") + "·" + (transB ? "B^T" : "B") + ", m=" + m + " n=" + n + " k=" + k
                + ", lda=" + lda + " ldb=" + ldb + " ldc=" + ldc + ")";
    }
}
