package dev.clnn.nn;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClKernel;
import dev.clnn.tensor.Tensor;

/**
 * Softmax cross-entropy on logits with integer labels (Keras'
 * {@code SparseCategoricalCrossentropy(from_logits=True)}), fused and numerically stable
 * ({@code kernels/train/softmax_xent.cl}): {@code loss = logsumexp(z) - z[y]} with the maximum
 * subtracted first; gradient {@code (softmax(z) - onehot(y)) / n}. Accuracy counts the first
 * maximum of each row. A label outside {@code [0, classes)} yields a NaN loss.
 */
public final class SoftmaxCrossEntropy implements Loss {
    private final ClKernel kernel;

    public SoftmaxCrossEntropy(ClContext cl) {
        this.kernel = cl.kernel("train/softmax_xent.cl", BuildOptions.none(), "softmax_xent");
    }

    @Override
    public void compute(Tensor logits, ClBuffer labels, Tensor grad, ClBuffer stats, int statsRow) {
        if (logits.shape().rank() != 2 || !logits.shape().equals(grad.shape())) {
            throw new IllegalArgumentException("Softmax cross-entropy takes logits (n, classes) and a gradient of "
                    + "the same shape, got logits " + logits.shape() + " and gradient " + grad.shape());
        }
        int n = logits.shape().dim(0);
        int classes = logits.shape().dim(1);
        if (labels.floats() < n || statsRow < 0 || (long) (statsRow + n) * 2 > stats.floats()) {
            throw new IllegalArgumentException("Softmax cross-entropy of logits " + logits.shape() + " needs " + n
                    + " labels (buffer holds " + labels.floats() + ") and stats rows " + statsRow + ".."
                    + (statsRow + n - 1) + " (buffer holds " + stats.floats() / 2 + " rows)");
        }
        kernel.args(logits.buffer(), classes, labels, 1f / n, grad.buffer(), stats, statsRow);
        kernel.launch(new long[] {n}, null);
    }

    @Override
    public void close() {
        // the kernel is released with its program, by the context
    }

    @Override
    public String toString() {
        return "SoftmaxCrossEntropy";
    }
}
