package dev.clnn.ops;

import java.util.Arrays;

import dev.clnn.tensor.Shape;

/**
 * Parameters of a {@link MatMul}: whether the last two dimensions of A or B are transposed before
 * multiplying. Immutable. The shape rules are NumPy's (and ONNX MatMul's): the last two dimensions of
 * each operand are a matrix, the dimensions before them are batch dimensions that broadcast (a
 * dimension of 1 against any size), aligned from the right.
 *
 * @param transA A's matrices are stored {@code (k, m)}
 * @param transB B's matrices are stored {@code (n, k)}
 */
public record MatMulParams(boolean transA, boolean transB) {
    /** {@code A · B}, neither transposed. */
    public static final MatMulParams PLAIN = new MatMulParams(false, false);

    /**
     * The output shape for operands of shapes {@code a} and {@code b}: the broadcast batch
     * dimensions, then {@code (m, n)}.
     *
     * @throws IllegalArgumentException when an operand has rank below 2, the inner dimensions
     *                                  differ or the batch dimensions do not broadcast
     */
    public Shape outputShape(Shape a, Shape b) {
        if (a.rank() < 2 || b.rank() < 2) {
            throw new IllegalArgumentException("MatMul needs operands of rank 2 or more, got " + a + " and " + b);
        }
        int ka = a.dim(transA ? -2 : -1);
        int kb = b.dim(transB ? -1 : -2);
        if (ka != kb) {
            throw new IllegalArgumentException("MatMul " + this + " of " + a + " and " + b + ": inner dimensions "
                    + ka + " and " + kb + " differ");
        }
        int[] batch = batchDims(a, b);
        int[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = a.dim(transA ? -1 : -2);
        out[batch.length + 1] = b.dim(transB ? -2 : -1);
        return Shape.of(out);
    }

    /** The broadcast batch dimensions of {@code a} and {@code b} (all but their last two). */
    static int[] batchDims(Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank()) - 2;
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = batchDim(a, i, rank);
            int db = batchDim(b, i, rank);
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("MatMul batch dimensions of " + a + " and " + b
                        + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Batch dimension {@code i} of {@code s} with its batch dimensions right-aligned to {@code rank}; 1 if absent. */
    static int batchDim(Shape s, int i, int rank) {
        int j = i - (rank - (s.rank() - 2));
        return j < 0 ? 1 : s.dim(j);
    }

    @Override
    public String toString() {
        return "matmul(" + (transA ? "A^T" : "A") + "·" + (transB ? "B^T" : "B") + ")";
    }
}
