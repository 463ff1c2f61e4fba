package dev.clnn.graph;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import dev.clnn.cl.ClContext;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * The device copies of a graph's constants (weights, biases, constant operands), uploaded once
 * and shared by every {@link Lane} of an {@link Executable}: a second concurrent caller costs its
 * activations and kernel objects, not another copy of the weights. Keyed by the identity of the
 * host array the op holds. Executables of the same graph at other batch sizes may share them
 * ({@link Executable#compile(ClContext, Graph, int, Executable)}). Thread-safe.
 */
final class Constants implements AutoCloseable {
    private final ClContext cl;
    private final Map<float[], Tensor> uploaded = new IdentityHashMap<>();
    private final List<Tensor> all = new ArrayList<>();
    private int owners = 1;
    private boolean closed;

    Constants(ClContext cl) {
        this.cl = cl;
    }

    /** The device copy of {@code data} as a tensor of {@code shape} (row-major), uploaded on first use. */
    synchronized Tensor of(Shape shape, float[] data) {
        if (closed) {
            throw new IllegalStateException("The constants of this executable were released");
        }
        Tensor t = uploaded.get(data);
        if (t == null) {
            t = Tensor.of(cl, shape, Layout.ROW_MAJOR, data);
            uploaded.put(data, t);
            all.add(t);
        }
        return t.shape().equals(shape) ? t : t.reshape(shape, Layout.ROW_MAJOR);
    }

    /** One more executable shares these constants; each owner closes once. */
    synchronized Constants share() {
        if (closed) {
            throw new IllegalStateException("The constants of this executable were released");
        }
        owners++;
        return this;
    }

    /** Releases one owner's claim; the device copies go with the last one. */
    @Override
    public synchronized void close() {
        if (!closed && --owners == 0) {
            closed = true;
            all.forEach(Tensor::close);
            all.clear();
            uploaded.clear();
        }
    }
}
