package dev.clnn.ops;

import java.util.ArrayList;
import java.util.List;

/**
 * The lifecycle every operator shares: it owns device resources (kernel objects, packed weights,
 * tables, inner operators) registered with {@link #own}; {@link #close} releases them once, in the
 * order they were registered, and afterwards {@link #ensureOpen} makes every {@code run} fail
 * with {@link IllegalStateException} instead of reaching the driver with released objects.
 */
public abstract class DeviceOp implements AutoCloseable {
    private final List<AutoCloseable> owned = new ArrayList<>();
    private boolean closed;

    /** Registers {@code resource} (null is ignored) to be closed with the operator; returns it. */
    protected final <T extends AutoCloseable> T own(T resource) {
        if (resource != null) {
            owned.add(resource);
        }
        return resource;
    }

    /** What the operator is, for the closed message: "Conv2d (input ..., output ...)"; its toString by default. */
    protected String describe() {
        return toString();
    }

    /** Throws {@link IllegalStateException} once the operator is closed. */
    protected final void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("This " + describe() + " was closed");
        }
    }

    /** Releases what the operator owns; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (AutoCloseable r : owned) {
            try {
                r.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException(describe() + ": releasing " + r + " failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
