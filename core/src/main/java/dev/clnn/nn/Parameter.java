package dev.clnn.nn;

import dev.clnn.cl.ClBuffer;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * One trainable tensor of a layer (a kernel, a bias) and its gradient. Both live in the flat
 * buffers of a {@link ParameterStore}, at the same {@link #offset()}, so an optimizer updates
 * every parameter of a model in one launch; {@link #view()} shows the values as a tensor of their
 * own, in place, for the operators that take whole tensors.
 *
 * <p>A layer creates its parameters in {@link Layer#build}; they have storage once a store is
 * allocated for them ({@link ParameterStore#allocate}).
 */
public final class Parameter {
    private final String name;
    private final Shape shape;
    private final Initializer initializer;
    private String qualifiedName;
    private ParameterStore store;
    private long offset = -1;
    /** The region of the store's value buffer that {@link #view} wraps; made on first use. */
    private ClBuffer region;
    private Tensor view;

    /**
     * @param name        the parameter's name within its layer ({@code kernel}, {@code bias})
     * @param shape       its shape, e.g. a dense kernel {@code (IN, OUT)}
     * @param initializer how its initial values are drawn
     */
    public Parameter(String name, Shape shape, Initializer initializer) {
        if (shape.size() < 1) {
            throw new IllegalArgumentException("Parameter " + name + " has no elements: shape " + shape);
        }
        this.name = name;
        this.shape = shape;
        this.initializer = initializer;
        this.qualifiedName = name;
    }

    /** The name within its model, {@code <layer>/<parameter>} (e.g. {@code dense_1/kernel}), once bound. */
    public String name() { return qualifiedName; }

    public Shape shape() { return shape; }

    public Initializer initializer() { return initializer; }

    /** Number of floats. */
    public int size() { return shape.sizeAsInt(); }

    /** Float offset of the values in {@link #values()} and of the gradient in {@link #gradients()}. */
    public long offset() {
        bound();
        return offset;
    }

    /** The store's flat value buffer (this parameter starts at {@link #offset()}). */
    public ClBuffer values() {
        return bound().values();
    }

    /** The store's flat gradient buffer (this parameter's gradient starts at {@link #offset()}). */
    public ClBuffer gradients() {
        return bound().gradients();
    }

    /**
     * The values as a row-major tensor of {@link #shape()}, in place: a region (OpenCL sub-buffer)
     * of the store's value buffer at {@link #offset()}, so it always holds the current values, and
     * a write through it is a write of the parameter (call {@link ParameterStore#changed()} after
     * one). Made on the first call and kept; the store owns it and closes it with its buffers, and
     * closing the returned tensor itself frees nothing.
     */
    public Tensor view() {
        ClBuffer values = bound().values();
        if (region == null) {
            region = values.region(offset, size());
        }
        if (view == null || view.isClosed()) {
            view = Tensor.wrap(region, shape, Layout.ROW_MAJOR);
        }
        return view;
    }

    /** Closes the {@link #view()}'s region; for {@link ParameterStore#close()}. */
    void closeView() {
        if (region != null) {
            region.close();
            region = null;
            view = null;
        }
    }

    /** Copies the values to a new host array (blocking). */
    public float[] read() {
        float[] out = new float[size()];
        values().read(out, 0, offset, out.length);
        return out;
    }

    /** Overwrites the values from {@code data}, of {@link #size()} floats (blocking). */
    public void write(float[] data) {
        if (data.length != size()) {
            throw new IllegalArgumentException("Parameter " + qualifiedName + " of shape " + shape + " needs "
                    + size() + " floats, got " + data.length);
        }
        values().write(data, 0, offset(), data.length);
        store.changed();
    }

    /** The store's {@link ParameterStore#version()}: grows whenever the values change. */
    long version() {
        return bound().version();
    }

    /** Copies the gradient of the last backward pass to a new host array (blocking). */
    public float[] readGradient() {
        float[] out = new float[size()];
        gradients().read(out, 0, offset(), out.length);
        return out;
    }

    void bind(ParameterStore store, long offset, String qualifiedName) {
        if (this.store != null) {
            throw new IllegalStateException("Parameter " + this.qualifiedName + " already has storage");
        }
        this.store = store;
        this.offset = offset;
        this.qualifiedName = qualifiedName;
    }

    private ParameterStore bound() {
        if (store == null) {
            throw new IllegalStateException("Parameter " + qualifiedName + " has no storage yet: allocate a "
                    + "ParameterStore for its layer (Sequential does this when it is built)");
        }
        return store;
    }

    @Override
    public String toString() {
        return qualifiedName + shape;
    }
}
