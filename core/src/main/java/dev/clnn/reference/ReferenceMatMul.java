package dev.clnn.reference;

import dev.clnn.tensor.Shape;

/**
 * Batched matrix products with NumPy broadcasting of the batch dimensions (ONNX MatMul), by the
 * definition: for every output batch index, the matching matrix of each operand (index 0 along a
 * dimension of 1) is multiplied in double precision.
 */
public final class ReferenceMatMul {
    private ReferenceMatMul() {
    }

    /**
     * {@code C[b] = op(A[b]) · op(B[b])}, row-major; {@code op} transposes the last two dimensions when
     * asked. Returns C of shape (batch..., m, n).
     */
    public static float[] matMul(float[] a, Shape as, float[] b, Shape bs, boolean transA, boolean transB) {
        int m = as.dim(transA ? -1 : -2);
        int k = as.dim(transA ? -2 : -1);
        int n = bs.dim(transB ? -2 : -1);
        if (bs.dim(transB ? -1 : -2) != k) {
            throw new IllegalArgumentException("MatMul of " + as + " and " + bs + ": inner dimensions differ");
        }
        int rank = Math.max(as.rank(), bs.rank()) - 2;
        int[] batch = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            batch[i] = Math.max(dim(as, i, rank), dim(bs, i, rank));
            count *= batch[i];
        }
        float[] c = new float[(int) (count * m * n)];
        int[] idx = new int[rank];
        for (int t = 0; t < count; t++) {
            int offA = index(as, idx, rank) * m * k;
            int offB = index(bs, idx, rank) * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        float x = a[offA + (transA ? p * m + i : i * k + p)];
                        float y = b[offB + (transB ? j * k + p : p * n + j)];
                        s += (double) x * y;
                    }
                    c[(t * m + i) * n + j] = (float) s;
                }
            }
            for (int d = rank - 1; d >= 0 && ++idx[d] == batch[d]; d--) {
                idx[d] = 0;
            }
        }
        return c;
    }

    private static int dim(Shape s, int i, int rank) {
        int j = i - (rank - (s.rank() - 2));
        return j < 0 ? 1 : s.dim(j);
    }

    private static int index(Shape s, int[] idx, int rank) {
        int at = 0;
        for (int i = 0; i < rank; i++) {
            int d = dim(s, i, rank);
            at = at * d + (d == 1 ? 0 : idx[i]);
        }
        return at;
    }
}
