package dev.clnn.train;

import dev.clnn.cl.ClBuffer;
import dev.clnn.nn.ParameterStore;

/**
 * The per-parameter state buffers of an optimizer, bound to one store on first use, zeroed on reset.
 * Each is laid out like the store's flat buffers, padding included ({@link ParameterStore#floats()}).
 */
final class OptimizerState implements AutoCloseable {
    private final int buffers;
    private ParameterStore store;
    private ClBuffer[] state;
    private long steps;

    OptimizerState(int buffers) {
        this.buffers = buffers;
    }

    /** The state for {@code params}, allocated (zeroed) on the first call. */
    ClBuffer[] bind(ParameterStore params, String optimizer) {
        if (store == null) {
            store = params;
            state = new ClBuffer[buffers];
            for (int i = 0; i < buffers; i++) {
                state[i] = params.context().buffer(params.floats());
                state[i].fill(0f);
            }
        } else if (store != params) {
            throw new IllegalArgumentException(optimizer + " already holds state for another model's parameters ("
                    + store.count() + " floats); use one optimizer per model");
        }
        return state;
    }

    /** Counts one step and returns its 1-based number. */
    long next() {
        return ++steps;
    }

    long steps() {
        return steps;
    }

    void reset() {
        steps = 0;
        if (state != null) {
            for (ClBuffer b : state) {
                b.fill(0f);
            }
        }
    }

    @Override
    public void close() {
        if (state != null) {
            for (ClBuffer b : state) {
                b.close();
            }
            state = null;
            store = null;
        }
    }
}
