package dev.clnn.ops;

import dev.clnn.cl.ClContext;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * A batched matrix product of two computed tensors, {@code C[b] = op(A[b]) · op(B[b])}, with NumPy
 * broadcasting of the batch dimensions ({@link MatMulParams}): attention's {@code Q · K^T} and
 * {@code softmax · V}. Every product runs on the one GEMM engine ({@link Gemm}): one GEMM shape is
 * configured, and each run enqueues it once per batch matrix with the operands' offsets, so a
 * broadcast operand is read in place, never copied.
 *
 * <pre>{@code
 * MatMul mm = MatMul.configure(cl, new MatMulParams(false, true), Shape.of(2, 4, 9, 16), Shape.of(2, 4, 9, 16));
 * mm.run(q, k, scores);     // (2, 4, 9, 16) x (2, 4, 9, 16)^T -> (2, 4, 9, 9)
 * }</pre>
 */
public final class MatMul extends DeviceOp {
    private static final String OP = "MatMul";

    private final ClContext cl;
    private final MatMulParams params;
    private final Shape a;
    private final Shape b;
    private final Shape c;
    private final Gemm gemm;
    /** Float offsets of each batch matrix of A and B, in the output's batch order. */
    private final long[] offA;
    private final long[] offB;
    private final long matrixC;

    private MatMul(ClContext cl, MatMulParams params, Shape a, Shape b, Shape c, Gemm gemm) {
        this.cl = cl;
        this.params = params;
        this.a = a;
        this.b = b;
        this.c = c;
        this.gemm = own(gemm);
        GemmShape s = gemm == null ? null : gemm.shape();
        this.matrixC = s == null ? 0 : (long) s.m() * s.n();
        int[] batch = MatMulParams.batchDims(a, b);
        long count = 1;
        for (int d : batch) {
            count *= d;
        }
        this.offA = new long[s == null ? 0 : (int) count];
        this.offB = new long[offA.length];
        long matrixA = (long) a.dim(-2) * a.dim(-1);
        long matrixB = (long) b.dim(-2) * b.dim(-1);
        int[] idx = new int[batch.length];
        for (int i = 0; i < offA.length; i++) {
            offA[i] = offset(a, idx, batch.length) * matrixA;
            offB[i] = offset(b, idx, batch.length) * matrixB;
            for (int d = batch.length - 1; d >= 0 && ++idx[d] == batch[d]; d--) {
                idx[d] = 0;
            }
        }
        OpLog.configured(OP + " " + params, cl, a, gemm == null ? "empty" : gemm.config());
    }

    /** The index of the batch matrix of {@code s} at output batch index {@code idx} (broadcast dims read 0). */
    private static long offset(Shape s, int[] idx, int rank) {
        long at = 0;
        for (int i = 0; i < rank; i++) {
            int d = MatMulParams.batchDim(s, i, rank);
            at = at * d + (d == 1 ? 0 : idx[i]);
        }
        return at;
    }

    /**
     * Configures the product of operands of shapes {@code a} and {@code b} with the GEMM form the
     * tuning table gives the device for one batch matrix.
     *
     * @throws IllegalArgumentException when the shapes do not fit ({@link MatMulParams#outputShape}),
     *                                  or the inner dimension is empty while the output is not
     */
    public static MatMul configure(ClContext cl, MatMulParams params, Shape a, Shape b) {
        return configure(cl, params, a, b, null);
    }

    /**
     * Configures with an explicit GEMM form (tests, tuning), or the tuning table's when {@code config}
     * is null; throws as the tuned {@code configure}, and when the form does not fit the device.
     */
    public static MatMul configure(ClContext cl, MatMulParams params, Shape a, Shape b, GemmConfig config) {
        if (params == null || a == null || b == null) {
            throw new IllegalArgumentException(OP + ": params and shapes are required");
        }
        Shape c = params.outputShape(a, b);
        OpSupport.elements(OP, a);
        OpSupport.elements(OP, b);
        OpSupport.elements(OP, c);
        int m = c.dim(-2);
        int n = c.dim(-1);
        int k = a.dim(params.transA() ? -2 : -1);
        if (c.size() == 0) {
            return new MatMul(cl, params, a, b, c, null);
        }
        if (k == 0) {
            throw new IllegalArgumentException(OP + " of " + a + " and " + b + ": the inner dimension is empty");
        }
        GemmShape shape = GemmShape.of(params.transA(), params.transB(), m, n, k);
        Gemm gemm = config == null ? Gemm.configure(cl, shape) : Gemm.configure(cl, shape, config);
        return new MatMul(cl, params, a, b, c, gemm);
    }

    public MatMulParams params() { return params; }

    public Shape inputShapeA() { return a; }

    public Shape inputShapeB() { return b; }

    public Shape outputShape() { return c; }

    /**
     * Enqueues {@code C = op(A) · op(B)}: {@code x} (A) and {@code w} (B) are read, {@code y} (C) is
     * written; C must not share a buffer with A or B.
     *
     * @throws IllegalArgumentException when a tensor has another shape, lives in another context, or
     *                                  C shares a buffer with an operand
     * @throws IllegalStateException    when a tensor or this op was closed
     */
    public void run(Tensor x, Tensor w, Tensor y) {
        ensureOpen();
        OpSupport.check(OP, "A", x, cl, a);
        OpSupport.check(OP, "B", w, cl, b);
        OpSupport.check(OP, "C", y, cl, c);
        OpSupport.distinct(OP, x, y);
        OpSupport.distinct(OP, w, y);
        for (int i = 0; i < offA.length; i++) {
            gemm.run(1f, x.buffer(), offA[i], w.buffer(), offB[i], 0f, y.buffer(), i * matrixC);
        }
    }

    @Override
    public String toString() {
        return OP + "(" + params + ", " + a + " x " + b + " -> " + c + ")";
    }
}
