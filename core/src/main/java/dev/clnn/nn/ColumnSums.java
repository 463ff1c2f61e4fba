package dev.clnn.nn;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClKernel;

/**
 * Column sums of a row-major {@code (rows, cols)} matrix on the device, in two deterministic passes
 * ({@code kernels/train/reduce.cl}): the bias gradient of dense and convolution layers, and the
 * per-epoch sums of loss and correctness in training. Owns a small scratch buffer; close it.
 */
public final class ColumnSums implements AutoCloseable {
    /** Rows per partial sum at least; the number of partial sums is at most {@link #MAX_CHUNKS}. */
    static final int MIN_CHUNK_ROWS = 32;
    static final int MAX_CHUNKS = 64;

    private final ClContext cl;
    private final ClKernel partial;
    private final ClKernel last;
    private ClBuffer scratch;

    public ColumnSums(ClContext cl) {
        this.cl = cl;
        this.partial = cl.kernel("train/reduce.cl", BuildOptions.none(), "col_sums_partial");
        this.last = cl.kernel("train/reduce.cl", BuildOptions.none(), "col_sums_final");
    }

    /**
     * Enqueues {@code dst[offDst + j] = alpha * sum_r src[offSrc + r*cols + j] (+ beta * dst[offDst + j])}
     * for {@code j < cols}; src is read, dst written (read only when {@code beta != 0}).
     *
     * @throws IllegalArgumentException when a buffer is too small for the shape and offset
     */
    public void run(ClBuffer src, long offSrc, int rows, int cols, float alpha, float beta, ClBuffer dst,
                    long offDst) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("Column sums need at least one row and column, got (" + rows + ", "
                    + cols + ")");
        }
        if (offSrc < 0 || offSrc + (long) rows * cols > src.floats() || offDst < 0 || offDst + cols > dst.floats()) {
            throw new IllegalArgumentException("Column sums of (" + rows + ", " + cols + ") at offset " + offSrc
                    + " into offset " + offDst + " do not fit buffers of " + src.floats() + " and " + dst.floats()
                    + " floats");
        }
        int chunks = Math.max(1, Math.min(MAX_CHUNKS, rows / MIN_CHUNK_ROWS));
        int chunkRows = (rows + chunks - 1) / chunks;
        chunks = (rows + chunkRows - 1) / chunkRows;
        ClBuffer buf = scratch((long) chunks * cols);
        partial.args(src, (int) offSrc, rows, cols, chunkRows, buf);
        partial.launch(new long[] {cols, chunks}, null);
        last.args(buf, chunks, cols, alpha, beta, dst, (int) offDst);
        last.launch(new long[] {cols}, null);
    }

    private ClBuffer scratch(long floats) {
        if (scratch == null || scratch.floats() < floats) {
            if (scratch != null) {
                scratch.close();
            }
            scratch = cl.buffer(floats);
        }
        return scratch;
    }

    @Override
    public void close() {
        if (scratch != null) {
            scratch.close();
            scratch = null;
        }
    }
}
