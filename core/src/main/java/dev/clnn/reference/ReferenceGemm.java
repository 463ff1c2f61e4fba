package dev.clnn.reference;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;

/**
 * The plain-Java oracle for GEMM, through EJML: {@code C = alpha * op(A) * op(B) + beta * C},
 * row-major, with leading dimensions and offsets as in {@code dev.clnn.ops.GemmShape}.
 */
public final class ReferenceGemm {
    private ReferenceGemm() {
    }

    /**
     * Computes into {@code c} (read only when {@code beta != 0}). Operand layouts follow the
     * device op exactly, so both can be fed the same arrays.
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int offA, int lda, float[] b, int offB, int ldb,
                            float beta, float[] c, int offC, int ldc) {
        FMatrixRMaj opA = dense(a, offA, lda, transA ? k : m, transA ? m : k);
        FMatrixRMaj opB = dense(b, offB, ldb, transB ? n : k, transB ? k : n);
        FMatrixRMaj product = new FMatrixRMaj(m, n);
        if (transA && transB) {
            CommonOps_FDRM.multTransAB(alpha, opA, opB, product);
        } else if (transA) {
            CommonOps_FDRM.multTransA(alpha, opA, opB, product);
        } else if (transB) {
            CommonOps_FDRM.multTransB(alpha, opA, opB, product);
        } else {
            CommonOps_FDRM.mult(alpha, opA, opB, product);
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int at = offC + i * ldc + j;
                float p = product.get(i, j);
                c[at] = beta == 0f ? p : p + beta * c[at];
            }
        }
    }

    /** Dense {@code C = A * B} for {@code A (m, k)}, {@code B (k, n)}. */
    public static float[] multiply(float[] a, float[] b, int m, int n, int k) {
        float[] c = new float[m * n];
        gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
        return c;
    }

    /**
     * Dense {@code C = A * B} on every core, through EJML's multi-threaded kernel: the pure-Java
     * baseline {@code clnn bench gemm} prints beside each device.
     */
    public static float[] multiplyParallel(float[] a, float[] b, int m, int n, int k) {
        FMatrixRMaj ma = FMatrixRMaj.wrap(m, k, a);
        FMatrixRMaj mb = FMatrixRMaj.wrap(k, n, b);
        FMatrixRMaj mc = new FMatrixRMaj(m, n);
        CommonOps_MT_FDRM.mult(ma, mb, mc);
        return mc.data;
    }

    private static FMatrixRMaj dense(float[] src, int off, int ld, int rows, int cols) {
        FMatrixRMaj out = new FMatrixRMaj(rows, cols);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(src, off + r * ld, out.data, r * cols, cols);
        }
        return out;
    }
}
