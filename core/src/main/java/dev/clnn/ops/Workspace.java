package dev.clnn.ops;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;

/**
 * Device scratch memory shared by operators that run one after another on one command queue, such
 * as the steps of one lane of a compiled graph: each operator {@linkplain #reserve reserves} what a
 * run needs while it is configured, and the workspace holds one buffer of the largest reservation, so
 * a network's intermediate products cost the largest layer's, not their sum. An operator's contents
 * of the workspace are dead once its run is enqueued; the next operator on the same queue may
 * overwrite them. Operators on different queues (different lanes, threads) need workspaces of their
 * own.
 *
 * <p>An operator configured without one makes a workspace of its own.
 */
public final class Workspace implements AutoCloseable {
    private final ClContext cl;
    private long reserved;
    private ClBuffer buffer;
    private boolean closed;

    public Workspace(ClContext cl) {
        this.cl = cl;
    }

    /** Makes room for {@code floats} floats; the buffer grows (by reallocation) on the next {@link #buffer()}. */
    public synchronized void reserve(long floats) {
        ensureOpen();
        reserved = Math.max(reserved, floats);
    }

    /** Floats reserved so far: the size of the buffer once allocated. */
    public synchronized long reserved() {
        return reserved;
    }

    /**
     * The buffer of at least the reserved size, allocated (or grown) now if needed. A grown buffer
     * replaces the old one, whose release the driver defers until the commands already enqueued on it
     * have finished.
     *
     * @throws IllegalStateException when the workspace was closed
     */
    public synchronized ClBuffer buffer() {
        ensureOpen();
        if (buffer == null || buffer.floats() < reserved) {
            ClBuffer grown = cl.buffer(Math.max(1, reserved));
            if (buffer != null) {
                buffer.close();
            }
            buffer = grown;
        }
        return buffer;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("This workspace was closed");
        }
    }

    /** Releases the buffer; idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (buffer != null) {
                buffer.close();
                buffer = null;
            }
        }
    }

    @Override
    public String toString() {
        return "Workspace(" + reserved + " floats)";
    }
}
