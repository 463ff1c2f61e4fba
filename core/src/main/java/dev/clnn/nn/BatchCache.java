package dev.clnn.nn;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Per-batch-size workspaces of a layer (activations, gradients, configured GEMMs), least recently
 * used first out. Training needs two sizes at most (the batch and an epoch's smaller last batch);
 * keeping {@link #CAPACITY} bounds the memory an odd {@code predict} size can pin.
 */
final class BatchCache<W extends AutoCloseable> implements AutoCloseable {
    static final int CAPACITY = 3;

    private final LinkedHashMap<Integer, W> entries = new LinkedHashMap<>(8, 0.75f, true);
    private final IntFunction<W> factory;

    BatchCache(IntFunction<W> factory) {
        this.factory = factory;
    }

    /** The workspace for batch size {@code n}, made on first use. */
    W get(int n) {
        W w = entries.get(n);
        if (w == null) {
            if (entries.size() >= CAPACITY) {
                Iterator<Map.Entry<Integer, W>> it = entries.entrySet().iterator();
                LayerBase.closeAll(it.next().getValue());
                it.remove();
            }
            w = factory.apply(n);
            entries.put(n, w);
        }
        return w;
    }

    /** The workspace for batch size {@code n} if one exists, else null. */
    W peek(int n) {
        return entries.get(n);
    }

    @Override
    public void close() {
        for (W w : entries.values()) {
            LayerBase.closeAll(w);
        }
        entries.clear();
    }
}
