package dev.clnn.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.clnn.cl.ClContext;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * A layer of a network: a forward pass, a backward pass, and its parameters.
 *
 * <p>Shapes given to {@link #build} are per example (no batch axis): {@code (H, W, C)} for NHWC
 * images, {@code (F)} for features. Tensors passed to {@link #forward} and {@link #backward} carry
 * a leading batch axis {@code n}, which may change from call to call (the last batch of an epoch is
 * often smaller).
 *
 * <p>Lifetime: {@link #build} once, on one context; then any number of forward / backward pairs.
 * A layer owns the tensors it returns: they stay valid until its next call with the same batch size
 * and are freed by {@link #close()}. Backward uses what the forward pass of the same batch size
 * kept, so call {@code backward} after {@code forward}, before the next {@code forward}.
 */
public interface Layer extends AutoCloseable {

    /**
     * The layer's kind in lower case ({@code conv2d}, {@code dense}); a {@link Sequential} names
     * layers after it ({@code dense}, {@code dense_1}, ...).
     */
    String kind();

    /**
     * Checks the per-example input shape, creates the parameters (without storage yet) and the
     * kernels, and returns the per-example output shape. Called exactly once.
     *
     * @throws IllegalArgumentException when the layer cannot take {@code inputShape}
     */
    Shape build(ClContext cl, Shape inputShape);

    /** The per-example input shape given to {@link #build}. */
    Shape inputShape();

    /** The per-example output shape {@link #build} returned. */
    Shape outputShape();

    /**
     * Enqueues the forward pass. {@code input} {@code (n, inputShape...)} is read (and, when
     * {@code training}, kept for the backward pass: do not change it before then); the returned
     * tensor {@code (n, outputShape...)} is owned by the layer.
     *
     * @throws IllegalArgumentException when the input's shape does not match
     */
    Tensor forward(Tensor input, boolean training);

    /**
     * Enqueues the backward pass for the last {@code forward} of this batch size: reads
     * {@code gradOutput} {@code (n, outputShape...)} (dLoss/dOutput), writes the gradient of every
     * parameter (overwriting it), and returns dLoss/dInput {@code (n, inputShape...)}, owned by the
     * layer, or {@code null} when {@code inputGradient} is false (the first layer of a model).
     *
     * @throws IllegalArgumentException when the gradient's shape does not match
     * @throws IllegalStateException    when no forward pass of this batch size came first
     */
    Tensor backward(Tensor gradOutput, boolean inputGradient);

    /** The trainable parameters, in a fixed order; empty for layers without any. */
    default List<Parameter> parameters() {
        return List.of();
    }

    /**
     * The gradients the last backward pass wrote, read to the host, by parameter name (for
     * inspection and tests; training reads nothing back).
     */
    default Map<String, float[]> gradients() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Parameter p : parameters()) {
            out.put(p.name(), p.readGradient());
        }
        return out;
    }

    /** Frees the layer's device tensors and kernels' scratch; idempotent. */
    @Override
    void close();
}
