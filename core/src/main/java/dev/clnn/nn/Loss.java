package dev.clnn.nn;

import dev.clnn.cl.ClBuffer;
import dev.clnn.tensor.Tensor;

/**
 * A loss over a batch, fused with its gradient and the per-example metrics of a training loop, so
 * a step reads nothing back: the loop sums the metrics on the device once per epoch (or every few
 * steps for a progress display).
 */
public interface Loss extends AutoCloseable {

    /**
     * Enqueues the loss of {@code logits} {@code (n, classes)} (read) against {@code labels} (read:
     * {@code n} class indices stored as floats from float 0), writing
     * <ul>
     *   <li>{@code grad} {@code (n, classes)}: the gradient of the MEAN loss over the batch with
     *       respect to the logits;</li>
     *   <li>{@code stats} rows {@code statsRow .. statsRow + n - 1} of a row-major {@code (rows, 2)}
     *       buffer: each example's loss and 1 when its prediction is right, else 0.</li>
     * </ul>
     *
     * @throws IllegalArgumentException when shapes or buffer sizes do not match
     */
    void compute(Tensor logits, ClBuffer labels, Tensor grad, ClBuffer stats, int statsRow);

    @Override
    void close();
}
