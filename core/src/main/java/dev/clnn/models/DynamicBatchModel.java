package dev.clnn.models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Executable;
import dev.clnn.graph.Graph;
import dev.clnn.graph.Passes;
import dev.clnn.tensor.Shape;

/**
 * A network on one device that takes any batch size per call, as a service's requests come: the
 * batch is read from the input's length, the graph is compiled for it on first use and kept, and
 * every batch size shares one device copy of the weights.
 *
 * <pre>{@code
 * try (DynamicBatchModel model = DynamicBatchModel.compile(net, device, 64, DynamicBatchModel.Rounding.POWER_OF_TWO)) {
 *     float[] three = model.predict(threeImages);    // compiles for 4 (pads one example), then reuses it
 *     float[] one = model.predict(oneImage);         // compiles for 1
 * }
 * }</pre>
 *
 * <p>With {@link Rounding#POWER_OF_TWO} a batch runs at the next power of two (the input padded
 * with zeros, the padding's outputs dropped), so at most {@code log2(maxBatch) + 1} sizes are ever
 * compiled; with {@link Rounding#EXACT} each size is compiled as it is, and at most
 * {@link #maxCached()} are kept (the least recently used one that no call is running is closed).
 * A network of several inputs or outputs runs with {@link #predictAll(float[]...)}: every input
 * holds the same number of examples and is padded alike.
 * Thread-safe: calls at different batch sizes run at once; calls at the same size share its
 * {@link Model}'s lanes.
 */
public final class DynamicBatchModel implements AutoCloseable {
    /** How a requested batch size maps to a compiled one. */
    public enum Rounding { EXACT, POWER_OF_TWO }

    private static final int DEFAULT_MAX_CACHED = 8;

    private final ClContext cl;
    private final Graph graph;
    private final int maxBatch;
    private final Rounding rounding;
    private final long[] inPerExample;     // per graph input
    private final long[] outPerExample;    // per graph output
    private final Map<Integer, Entry> compiled = new LinkedHashMap<>(16, 0.75f, true);   // access order: LRU first
    private Executable sibling;     // the first compiled size: the weights' owner for the others
    private int maxCached = DEFAULT_MAX_CACHED;
    private boolean closed;
    private boolean contextClosed;

    private static final class Entry {
        final Model model;
        int users;

        Entry(Model model) {
            this.model = model;
        }
    }

    private DynamicBatchModel(ClContext cl, Graph graph, int maxBatch, Rounding rounding) {
        this.cl = cl;
        this.graph = graph;
        this.maxBatch = maxBatch;
        this.rounding = rounding;
        Map<String, Shape> one = graph.shapes(1);
        this.inPerExample = graph.inputNames().stream().mapToLong(v -> one.get(v).size()).toArray();
        this.outPerExample = graph.outputs().stream().mapToLong(v -> one.get(v).size()).toArray();
    }

    /**
     * Prepares {@code graph} for batches of 1 to {@code maxBatch} examples on {@code device} (in a
     * context of its own); nothing is compiled until the first call.
     *
     * @throws IllegalArgumentException when {@code maxBatch < 1} or the graph does not fit one example
     */
    public static DynamicBatchModel compile(Graph graph, ClDevice device, int maxBatch, Rounding rounding) {
        if (graph == null || device == null || rounding == null || maxBatch < 1) {
            throw new IllegalArgumentException("DynamicBatchModel needs a graph, a device, a rounding and maxBatch >= 1,"
                    + " got maxBatch " + maxBatch);
        }
        Graph optimized = Passes.optimize(graph, device);
        optimized.shapes(1);
        return new DynamicBatchModel(ClContext.create(device), optimized, maxBatch, rounding);
    }

    /** The shape of one example (of the first input): {@code input.length} must be a multiple of its size. */
    public Shape exampleShape() { return graph.exampleShape(); }

    /** Floats of (the first) output per example. */
    public long outputsPerExample() { return outPerExample[0]; }

    /** The optimised graph this model compiles: its inputs and outputs are those of the calls. */
    public Graph graph() { return graph; }

    public int maxBatch() { return maxBatch; }

    public Rounding rounding() { return rounding; }

    /** The most batch sizes kept compiled with {@link Rounding#EXACT} (default {@value #DEFAULT_MAX_CACHED}). */
    public synchronized int maxCached() { return maxCached; }

    public synchronized DynamicBatchModel maxCached(int sizes) {
        if (sizes < 1) {
            throw new IllegalArgumentException("maxCached must be at least 1, got " + sizes);
        }
        maxCached = sizes;
        return this;
    }

    /** The batch sizes compiled now, least recently used first. */
    public synchronized List<Integer> compiledBatchSizes() {
        return new ArrayList<>(compiled.keySet());
    }

    /** The batch size a call of {@code n} examples runs at: {@code n}, or the power of two at or above it. */
    public int compiledSize(int n) {
        if (rounding == Rounding.EXACT) {
            return n;
        }
        int p = Integer.highestOneBit(n);
        return p == n ? n : p << 1;
    }

    /**
     * Runs {@code input}, the flattened examples (NHWC for images) of any batch from 1 to
     * {@link #maxBatch()}, and returns the outputs of exactly those examples, in order. For a
     * network of one input and one output.
     *
     * @throws IllegalArgumentException when the length is not a whole number of examples in range,
     *                                  or the network has several inputs or outputs (use
     *                                  {@link #predictAll(float[]...)})
     */
    public float[] predict(float[] input) {
        if (inPerExample.length != 1 || outPerExample.length != 1) {
            throw new IllegalArgumentException(graph.name() + " has inputs " + graph.inputNames() + " and outputs "
                    + graph.outputs() + "; use predictAll(float[]...)");
        }
        return predictAll(input)[0];
    }

    /**
     * Runs a batch of any size from 1 to {@link #maxBatch()} of a network of any number of inputs
     * and outputs: {@code inputs} are the flattened examples of every graph input, in
     * {@link Graph#inputs()} order, each holding the same number of examples; returns the outputs of
     * exactly those examples, in {@link Graph#outputs()} order.
     *
     * @throws IllegalArgumentException when the number of inputs differs, or a length is not a whole
     *                                  number of examples in range or not the first input's number
     */
    public float[][] predictAll(float[]... inputs) {
        int n = examples(inputs);
        int size = compiledSize(n);
        Entry e = acquire(size);
        try {
            if (size == n) {
                return e.model.predictAll(inputs);
            }
            float[][] padded = new float[inputs.length][];
            for (int k = 0; k < inputs.length; k++) {
                padded[k] = java.util.Arrays.copyOf(inputs[k], Math.toIntExact(size * inPerExample[k]));
            }
            float[][] out = e.model.predictAll(padded);
            for (int k = 0; k < out.length; k++) {
                out[k] = java.util.Arrays.copyOf(out[k], Math.toIntExact(n * outPerExample[k]));
            }
            return out;
        } finally {
            release(e);
        }
    }

    /** The number of examples {@code inputs} hold, checked. */
    private int examples(float[][] inputs) {
        if (inputs == null || inputs.length != inPerExample.length) {
            throw new IllegalArgumentException(graph.name() + " takes " + inPerExample.length + " input"
                    + (inPerExample.length == 1 ? "" : "s") + " " + graph.inputNames() + ", got "
                    + (inputs == null ? 0 : inputs.length));
        }
        int n = -1;
        for (int k = 0; k < inputs.length; k++) {
            float[] x = inputs[k];
            Graph.Input in = graph.inputs().get(k);
            if (x == null || x.length == 0 || x.length % inPerExample[k] != 0 || x.length / inPerExample[k] > maxBatch) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "The input%s has %s floats; %s takes 1 to "
                        + "%d examples of %s, a multiple of %d floats", inputs.length == 1 ? "" : " " + in.name(),
                        x == null ? "no" : x.length, graph.name(), maxBatch, in.exampleShape(), inPerExample[k]));
            }
            int m = (int) (x.length / inPerExample[k]);
            if (n >= 0 && m != n) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "Input %s holds %d examples and input %s "
                        + "%d; every input of %s takes the same batch", graph.inputs().get(0).name(), n, in.name(), m,
                        graph.name()));
            }
            n = m;
        }
        return n;
    }

    private Entry acquire(int size) {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException(graph.name() + ": this model was closed");
            }
            Entry e = compiled.get(size);
            if (e != null) {
                e.users++;
                return e;
            }
            // NOTE: compiled under the lock: compiles are rare (one per size) and share the weights' owner
            Executable x = sibling == null ? Executable.compile(cl, graph, size)
                    : Executable.compile(cl, graph, size, sibling);
            if (sibling == null) {
                sibling = x;
            }
            e = new Entry(Model.of(cl, x));
            e.users++;
            compiled.put(size, e);
            evict();
            return e;
        }
    }

    private synchronized void release(Entry e) {
        e.users--;
        if (closed && e.users == 0) {
            e.model.close();
            closeContextWhenIdle();
        }
    }

    /** After {@link #close}: the context goes when no call runs any more. */
    private void closeContextWhenIdle() {
        if (!contextClosed && compiled.values().stream().allMatch(x -> x.users == 0)) {
            contextClosed = true;
            cl.close();
        }
    }

    /** Closes the least recently used idle sizes beyond {@link #maxCached()} (never the weights' owner). */
    private void evict() {
        var it = compiled.entrySet().iterator();
        while (compiled.size() > maxCached && it.hasNext()) {
            Entry e = it.next().getValue();
            if (e.users == 0 && e.model.executable() != sibling) {
                e.model.close();
                it.remove();
            }
        }
    }

    /** Closes every compiled size and the context; calls still running finish first and close theirs. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Entry e : compiled.values()) {
            if (e.users == 0) {
                e.model.close();
            }
        }
        closeContextWhenIdle();
    }

    @Override
    public String toString() {
        return "DynamicBatchModel(" + graph.name() + ", 1.." + maxBatch + ", " + rounding + ", compiled "
                + compiledBatchSizes() + ")";
    }
}
