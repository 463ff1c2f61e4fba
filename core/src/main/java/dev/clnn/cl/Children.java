package dev.clnn.cl;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The objects an OpenCL object hands out and releases with itself (a program's kernels, a buffer's
 * regions), and whether it was closed. Thread-safe. A child closed on its own is {@link #forget
 * forgotten}, so a long-lived parent does not grow with every child it ever made; closing the
 * parent closes the children still open, once.
 *
 * @param <T> the child's type; children are told apart by identity
 */
final class Children<T> {
    /** The open children; null until the first (most parents never have one). */
    private Set<T> open;
    private volatile boolean closed;

    synchronized void add(T child) {
        if (open == null) {
            open = Collections.newSetFromMap(new IdentityHashMap<>());
        }
        open.add(child);
    }

    /** Drops a child that was closed on its own. */
    synchronized void forget(T child) {
        if (open != null) {
            open.remove(child);
        }
    }

    /** How many children are open (for leak checks). */
    synchronized int count() {
        return open == null ? 0 : open.size();
    }

    /** Whether the parent was closed ({@link #close} ran). */
    boolean isClosed() {
        return closed;
    }

    /**
     * Marks the parent closed and hands each open child to {@code closeChild}, outside the lock (a
     * closing child may {@link #forget} itself). True the first time, false when it was closed already.
     */
    boolean close(Consumer<? super T> closeChild) {
        List<T> children;
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
            children = open == null ? List.of() : List.copyOf(open);
            open = null;
        }
        children.forEach(closeChild);
        return true;
    }
}
