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
    private final long inPerExample;
    private final long outPerExample;
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
        this.inPerExample = graph.inputShape(1).size();
        this.outPerExample = graph.shapes(1).get(graph.output()).size();
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
        Graph optimized = Passes.optimize(graph);
        optimized.shapes(1);
        return new DynamicBatchModel(ClContext.create(device), optimized, maxBatch, rounding);
    }

    /** The shape of one example: {@code input.length} must be a multiple of its size. */
    public Shape exampleShape() { return graph.exampleShape(); }

    /** Floats of output per example. */
    public long outputsPerExample() { return outPerExample; }

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
     * {@link #maxBatch()}, and returns the outputs of exactly those examples, in order.
     *
     * @throws IllegalArgumentException when the length is not a whole number of examples in range
     */
    public float[] predict(float[] input) {
        if (input == null || input.length == 0 || input.length % inPerExample != 0
                || input.length / inPerExample > maxBatch) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "The input has %s floats; %s takes 1 to %d "
                    + "examples of %s, a multiple of %d floats", input == null ? "no" : input.length, graph.name(),
                    maxBatch, graph.exampleShape(), inPerExample));
        }
        int n = (int) (input.length / inPerExample);
        int size = compiledSize(n);
        Entry e = acquire(size);
        try {
            if (size == n) {
                return e.model.predict(input);
            }
            float[] padded = new float[Math.toIntExact(size * inPerExample)];
            System.arraycopy(input, 0, padded, 0, input.length);
            float[] out = e.model.predict(padded);
            return java.util.Arrays.copyOf(out, Math.toIntExact(n * outPerExample));
        } finally {
            release(e);
        }
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
