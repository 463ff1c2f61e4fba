package dev.clnn.cl;

import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;

/** A completion event of an enqueued command, with profiling times (queues are created with profiling on). */
public final class ClEvent implements AutoCloseable {
    final cl_event event;
    private final String label;
    private boolean closed;

    ClEvent(cl_event event, String label) {
        this.event = event;
        this.label = label;
    }

    /** Blocks until the command has finished. */
    public void waitFor() {
        ClException.check(clWaitForEvents(1, new cl_event[] {event}), "clWaitForEvents", label);
    }

    /** Device time from start to end of the command, in nanoseconds; waits for it first. */
    public long durationNanos() {
        waitFor();
        return profile(CL_PROFILING_COMMAND_END) - profile(CL_PROFILING_COMMAND_START);
    }

    public long startNanos() {
        waitFor();
        return profile(CL_PROFILING_COMMAND_START);
    }

    public long endNanos() {
        waitFor();
        return profile(CL_PROFILING_COMMAND_END);
    }

    /**
     * Total device time of {@code events} in nanoseconds: the sum of their durations (commands
     * of one in-order queue do not overlap).
     */
    public static long totalNanos(java.util.List<ClEvent> events) {
        long sum = 0;
        for (ClEvent e : events) {
            sum += e.durationNanos();
        }
        return sum;
    }

    /** The kernel or command this event belongs to. */
    public String label() { return label; }

    private long profile(int what) {
        long[] value = new long[1];
        ClException.check(clGetEventProfilingInfo(event, what, Sizeof.cl_ulong, Pointer.to(value), null),
                "clGetEventProfilingInfo", label);
        return value[0];
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            clReleaseEvent(event);
        }
    }
}
