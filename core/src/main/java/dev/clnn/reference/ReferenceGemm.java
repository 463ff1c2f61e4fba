package dev.clnn.reference;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The plain-Java oracle for GEMM: {@code C = alpha * op(A) * op(B) + beta * C}, row-major, with
 * leading dimensions and offsets as in {@code dev.clnn.ops.GemmShape}.
 *
 * <p>Products are summed in fp32, one inner-dimension term after another ({@code p = 0, 1, ...}),
 * the order a textbook loop uses; the device kernels sum in other orders, which
 * {@link Tolerances#GEMM_RTOL} allows for. The loops are blocked so a slab of B stays in cache
 * while every row of C passes over it, and large products are split by rows over every core. It
 * needs no library: clnn-core's consumers get no linear-algebra jars through it.
 */
public final class ReferenceGemm {
    /** Depth of a slab of B: {@code K_BLOCK x N_BLOCK} floats (256 KiB) fit a core's L2 cache. */
    private static final int K_BLOCK = 128;
    private static final int N_BLOCK = 512;
    /** Multiply-adds below which one thread is faster than forking tasks. */
    private static final long PARALLEL_WORK = 1L << 20;

    private ReferenceGemm() {
    }

    /**
     * Computes into {@code c} (read only when {@code beta != 0}). Operand layouts follow the
     * device op exactly, so both can be fed the same arrays: op(A) is {@code (m, k)}, stored
     * {@code (k, m)} when {@code transA}; op(B) is {@code (k, n)}, stored {@code (n, k)} when
     * {@code transB}; rows of each start {@code ld} floats apart from the offset. A and B are read;
     * only the {@code (m, n)} elements of C are written.
     *
     * @throws IllegalArgumentException when a size is negative or an array is too short
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int offA, int lda, float[] b, int offB, int ldb,
                            float beta, float[] c, int offC, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("GEMM sizes must not be negative: m=" + m + " n=" + n + " k=" + k);
        }
        checkExtent("A", a, offA, lda, transA ? k : m, transA ? m : k);
        checkExtent("B", b, offB, ldb, transB ? n : k, transB ? k : n);
        checkExtent("C", c, offC, ldc, m, n);
        float[] opA = dense(a, offA, lda, m, k, transA);
        float[] opB = dense(b, offB, ldb, k, n, transB);
        float[] product = new float[m * n];
        accumulate(opA, opB, product, m, n, k, (long) m * n * k >= PARALLEL_WORK);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int at = offC + i * ldc + j;
                float p = alpha * product[i * n + j];
                c[at] = beta == 0f ? p : p + beta * c[at];
            }
        }
    }

    /** Dense {@code C = A * B} for {@code A (m, k)}, {@code B (k, n)}, on the calling thread. */
    public static float[] multiply(float[] a, float[] b, int m, int n, int k) {
        checkDense(a, b, m, n, k);
        float[] c = new float[m * n];
        accumulate(a, b, c, m, n, k, false);
        return c;
    }

    /**
     * Dense {@code C = A * B} for {@code A (m, k)}, {@code B (k, n)}, split by rows over every core
     * (the common fork-join pool and the calling thread).
     */
    public static float[] multiplyParallel(float[] a, float[] b, int m, int n, int k) {
        checkDense(a, b, m, n, k);
        float[] c = new float[m * n];
        accumulate(a, b, c, m, n, k, true);
        return c;
    }

    /** {@code c += a * b} for dense row-major {@code a (m, k)}, {@code b (k, n)}, {@code c (m, n)}. */
    private static void accumulate(float[] a, float[] b, float[] c, int m, int n, int k, boolean parallel) {
        if (!parallel || m < 2) {
            rows(a, b, c, 0, m, n, k);
            return;
        }
        // a few tasks per core, so a core that finishes early takes another share
        int tasks = Math.min(m, 4 * (ForkJoinPool.getCommonPoolParallelism() + 1));
        int perTask = (m + tasks - 1) / tasks;
        IntStream.range(0, (m + perTask - 1) / perTask).parallel()
                .forEach(t -> rows(a, b, c, t * perTask, Math.min(m, (t + 1) * perTask), n, k));
    }

    /** Rows {@code [r0, r1)} of {@code c += a * b}. */
    private static void rows(float[] a, float[] b, float[] c, int r0, int r1, int n, int k) {
        for (int p0 = 0; p0 < k; p0 += K_BLOCK) {
            int p1 = Math.min(k, p0 + K_BLOCK);
            for (int j0 = 0; j0 < n; j0 += N_BLOCK) {
                int j1 = Math.min(n, j0 + N_BLOCK);
                for (int i = r0; i < r1; i++) {
                    int rowC = i * n;
                    int rowA = i * k;
                    for (int p = p0; p < p1; p++) {
                        // NOTE: a unit-stride multiply-add over j, which HotSpot's C2 turns into SIMD code
                        float aip = a[rowA + p];
                        int rowB = p * n;
                        for (int j = j0; j < j1; j++) {
                            c[rowC + j] += aip * b[rowB + j];
                        }
                    }
                }
            }
        }
    }

    /** op(X) as a dense row-major {@code (rows, cols)} array; X is stored {@code (cols, rows)} when transposed. */
    private static float[] dense(float[] src, int off, int ld, int rows, int cols, boolean transposed) {
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            if (transposed) {
                for (int col = 0; col < cols; col++) {
                    out[r * cols + col] = src[off + col * ld + r];
                }
            } else {
                System.arraycopy(src, off + r * ld, out, r * cols, cols);
            }
        }
        return out;
    }

    private static void checkExtent(String name, float[] x, int off, int ld, int rows, int cols) {
        if (rows == 0 || cols == 0) {
            return;
        }
        if (off < 0 || ld < cols) {
            throw new IllegalArgumentException("GEMM " + name + ": offset " + off + " and leading dimension " + ld
                    + " do not fit " + rows + " x " + cols + " stored rows");
        }
        long end = off + (long) (rows - 1) * ld + cols;
        if (end > x.length) {
            throw new IllegalArgumentException("GEMM " + name + ": " + rows + " x " + cols + " stored rows with leading"
                    + " dimension " + ld + " at offset " + off + " need " + end + " floats; the array has " + x.length);
        }
    }

    private static void checkDense(float[] a, float[] b, int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0 || a.length < (long) m * k || b.length < (long) k * n) {
            throw new IllegalArgumentException("GEMM: A (" + m + ", " + k + ") and B (" + k + ", " + n
                    + ") need " + (long) m * k + " and " + (long) k * n + " floats; got " + a.length + " and "
                    + b.length);
        }
    }
}
