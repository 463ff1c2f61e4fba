package dev.clnn.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;

/**
 * The storage of a model's parameters: one flat device buffer of values and one of gradients, each
 * parameter at its own offset in both. Owns both buffers; close it (a {@link Sequential} closes its
 * own).
 */
public final class ParameterStore implements AutoCloseable {
    private final List<Parameter> parameters;
    private final long count;
    private final ClBuffer values;
    private final ClBuffer gradients;
    private long version;
    private boolean closed;

    private ParameterStore(List<Parameter> parameters, long count, ClBuffer values, ClBuffer gradients) {
        this.parameters = parameters;
        this.count = count;
        this.values = values;
        this.gradients = gradients;
    }

    /**
     * Allocates storage for {@code parameters}, in order, with the names they already have (a
     * {@link Sequential} qualifies them with the layer name first), fills the values from each
     * parameter's initializer with seed 0 and zeroes the gradients.
     */
    public static ParameterStore allocate(ClContext cl, List<Parameter> parameters) {
        List<String> names = new ArrayList<>();
        for (Parameter p : parameters) {
            names.add(p.name());
        }
        return allocate(cl, parameters, names);
    }

    static ParameterStore allocate(ClContext cl, List<Parameter> parameters, List<String> names) {
        long total = 0;
        for (Parameter p : parameters) {
            total += p.size();
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("A model of " + total + " parameters exceeds 2^31 floats");
        }
        ClBuffer values = cl.buffer(Math.max(1, total));
        ClBuffer gradients;
        try {
            gradients = cl.buffer(Math.max(1, total));
        } catch (RuntimeException e) {
            values.close();
            throw e;
        }
        ParameterStore store = new ParameterStore(List.copyOf(parameters), total, values, gradients);
        long offset = 0;
        for (int i = 0; i < parameters.size(); i++) {
            parameters.get(i).bind(store, offset, names.get(i));
            offset += parameters.get(i).size();
        }
        gradients.fill(0f);
        store.initialize(0);
        return store;
    }

    /**
     * Redraws every parameter from its initializer with a generator seeded by {@code seed}, in
     * parameter order: the same seed always gives the same weights.
     */
    public void initialize(long seed) {
        ensureOpen();
        SplittableRandom random = new SplittableRandom(seed);
        for (Parameter p : parameters) {
            float[] data = new float[p.size()];
            p.initializer().fill(data, p.shape(), random);
            p.write(data);
        }
    }

    /** The parameters, in storage order. */
    public List<Parameter> parameters() { return Collections.unmodifiableList(parameters); }

    /** Total number of floats (trainable parameters). */
    public long count() { return count; }

    /** The flat value buffer: {@link #count()} floats (at least one). */
    public ClBuffer values() {
        ensureOpen();
        return values;
    }

    /** The flat gradient buffer, laid out like {@link #values()}. */
    public ClBuffer gradients() {
        ensureOpen();
        return gradients;
    }

    public ClContext context() { return values.context(); }

    /**
     * A counter that grows whenever the values change through this library ({@link Parameter#write},
     * {@link #initialize}, an optimizer step): layers compare it with the version their packed copies
     * of the weights were made from, and repack only when it moved.
     */
    public long version() { return version; }

    /**
     * Records that the values changed. Whoever writes {@link #values()} directly (an {@link
     * dev.clnn.train.Optimizer}, a test) calls it after enqueuing the write, so that the layers
     * refresh their packed weights before the next forward pass.
     */
    public void changed() {
        version++;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("The parameters of this model were closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            values.close();
            gradients.close();
        }
    }
}
