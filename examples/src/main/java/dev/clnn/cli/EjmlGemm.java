package dev.clnn.cli;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_MT_FDRM;

/**
 * EJML's multi-threaded SGEMM: the pure-Java figure {@code clnn bench gemm} prints beside each
 * device. An established library rather than clnn's own reference, so the baseline is not
 * something clnn could tune; EJML is a dependency of this command line only, never of clnn-core.
 */
final class EjmlGemm {
    private EjmlGemm() {
    }

    /** Dense {@code C = A * B} for {@code A (m, k)}, {@code B (k, n)}, on every core. */
    static float[] multiply(float[] a, float[] b, int m, int n, int k) {
        FMatrixRMaj c = new FMatrixRMaj(m, n);
        CommonOps_MT_FDRM.mult(FMatrixRMaj.wrap(m, k, a), FMatrixRMaj.wrap(k, n, b), c);
        return c.data;
    }
}
