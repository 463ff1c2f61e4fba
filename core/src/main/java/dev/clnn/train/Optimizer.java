package dev.clnn.train;

import dev.clnn.nn.ParameterStore;

/**
 * Updates a model's parameters from their gradients, on the device, in one launch over the flat
 * {@link ParameterStore} ({@code kernels/train/optimizer.cl}). An optimizer keeps per-parameter
 * state (momentum, moments) for the one store it first stepped; it owns that state and frees it
 * on {@link #close()}.
 */
public interface Optimizer extends AutoCloseable {

    /**
     * Enqueues one update of every parameter of {@code params} from the gradients the last
     * backward pass wrote, and marks the values changed ({@link ParameterStore#changed()}) so that
     * the layers refresh their packed weights.
     *
     * @throws IllegalArgumentException when given another store than the one it has state for
     */
    void step(ParameterStore params);

    /** Forgets the state (zero moments, step count 0), for a fresh training run. */
    void reset();

    /** Updates made since creation or the last {@link #reset()}. */
    long steps();

    @Override
    void close();
}
