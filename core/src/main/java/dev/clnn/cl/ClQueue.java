package dev.clnn.cl;

import static org.jocl.CL.*;

import org.jocl.cl_command_queue;

/**
 * A second in-order command queue of a {@link ClContext}, so that several threads can keep one
 * device busy at once without ordering each other's work (a GPU overlaps the commands of separate
 * queues; PoCL runs them on its thread pool). Work goes to this queue only while it is
 * {@link #bind() bound} to the calling thread; otherwise kernels and copies use the context's
 * default queue.
 *
 * <pre>{@code
 * try (ClQueue q = cl.createQueue();
 *      ClQueue.Binding b = q.bind()) {      // this thread's launches, copies and finish() use q
 *     op.run(x, y);
 *     float[] out = y.toArray();            // blocking read on q: sees op's result
 * }
 * }</pre>
 *
 * <p>Commands of different queues are not ordered with respect to each other: data written on
 * one queue by a non-blocking command must be finished there before another queue reads it.
 */
public final class ClQueue implements AutoCloseable {
    private final ClContext context;
    final cl_command_queue queue;
    private boolean closed;

    ClQueue(ClContext context, cl_command_queue queue) {
        this.context = context;
        this.queue = queue;
    }

    public ClContext context() { return context; }

    /**
     * Makes this the queue of the calling thread's work on the context until the binding is
     * closed, which restores the previous one. Bindings nest.
     */
    public Binding bind() {
        if (closed) {
            throw new IllegalStateException("This command queue on " + context.device().name() + " was closed");
        }
        return context.bind(this);
    }

    /** Blocks until every command enqueued on this queue has finished. */
    public void finish() {
        if (!closed) {
            ClException.check(clFinish(queue), "clFinish");
        }
    }

    /** Waits for the queue's commands, then releases it; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            clFinish(queue);
            clReleaseCommandQueue(queue);
        }
    }

    /** A queue bound to a thread; closing it restores the thread's previous queue. */
    public interface Binding extends AutoCloseable {
        @Override
        void close();
    }
}
