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
 *
 * <p>Each parameter starts at a multiple of the device's base address alignment ({@link
 * ClBuffer#regionAlignFloats()}, 32 floats on PoCL's CPU device), so that it can also be seen as a
 * tensor of its own ({@link Parameter#view()}, an OpenCL sub-buffer) which the forward operators
 * read in place: no copy of the weights after an optimizer step. The floats between parameters are
 * padding: zero in both buffers from the start, and they stay zero, since no layer writes them and
 * the optimizers, which run over the whole flat buffers ({@link #floats()}), turn a zero value with
 * a zero gradient (and zero moments) into zero. Nothing else sees them: {@link #count()}, the
 * weights files, a parameter's reads and writes and the ONNX export all go parameter by parameter.
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
        long align = ClBuffer.regionAlignFloats(cl.device());
        long count = 0;
        long[] offsets = new long[parameters.size()];
        long end = 0;
        for (int i = 0; i < parameters.size(); i++) {
            offsets[i] = (end + align - 1) / align * align;
            end = offsets[i] + parameters.get(i).size();
            count += parameters.get(i).size();
        }
        if (end > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("A model of " + count + " parameters (" + end + " floats aligned to "
                    + align + ") exceeds 2^31 floats");
        }
        ClBuffer values = cl.buffer(Math.max(1, end));
        ClBuffer gradients;
        try {
            gradients = cl.buffer(Math.max(1, end));
        } catch (RuntimeException e) {
            values.close();
            throw e;
        }
        ParameterStore store = new ParameterStore(List.copyOf(parameters), count, values, gradients);
        for (int i = 0; i < parameters.size(); i++) {
            parameters.get(i).bind(store, offsets[i], names.get(i));
        }
        values.fill(0f);
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

    /** Total number of floats of the parameters (trainable parameters), padding not counted. */
    public long count() { return count; }

    /**
     * The length of the flat buffers in floats (at least one): {@link #count()} plus the zero padding
     * that aligns each parameter (see the class comment). Optimizers update this many.
     */
    public long floats() { return values.floats(); }

    /** The flat value buffer: {@link #floats()} floats, each parameter at its {@link Parameter#offset()}. */
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

    /** Closes the parameters' views, then both buffers. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            for (Parameter p : parameters) {
                p.closeView();
            }
            values.close();
            gradients.close();
        }
    }
}
