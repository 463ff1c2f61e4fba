package dev.clnn.cl;

import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;

/**
 * A kernel with its arguments. Set the arguments, then {@link #launch} on the calling thread's
 * queue of the context. Closed with its program, or earlier by its user.
 *
 * <p>Not thread-safe: the arguments are state of the kernel object (OpenCL does not make
 * {@code clSetKernelArg} safe on one kernel from several threads); give each thread its own.
 */
public final class ClKernel implements AutoCloseable {
    private final ClContext context;
    private final cl_kernel kernel;
    private final String name;
    private final ClProgram program;
    private volatile boolean closed;
    // the last range launched with local == null on a CPU, and the work-groups chosen for it
    private long[] lastGlobal;
    private long[] lastLocal;
    // the value each argument was last set to (ClBuffer, Integer, Float or Long), to skip setting it again
    private Object[] lastArgs = new Object[16];

    ClKernel(ClContext context, cl_kernel kernel, String name, ClProgram program) {
        this.context = context;
        this.kernel = kernel;
        this.name = name;
        this.program = program;
    }

    public String name() { return name; }

    public ClKernel arg(int index, ClBuffer buffer) {
        buffer.ensureOpen();
        return unchanged(index, buffer) ? this : set(index, buffer, Sizeof.cl_mem, Pointer.to(buffer.mem));
    }

    public ClKernel arg(int index, int value) {
        return unchanged(index, value) ? this : set(index, value, Sizeof.cl_int, Pointer.to(new int[] {value}));
    }

    public ClKernel arg(int index, float value) {
        return unchanged(index, value) ? this : set(index, value, Sizeof.cl_float, Pointer.to(new float[] {value}));
    }

    public ClKernel arg(int index, long value) {
        return unchanged(index, value) ? this : set(index, value, Sizeof.cl_long, Pointer.to(new long[] {value}));
    }

    /** Sets every argument in order: {@link ClBuffer}, Integer, Float or Long. */
    public ClKernel args(Object... values) {
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            if (v instanceof ClBuffer) {
                arg(i, (ClBuffer) v);
            } else if (v instanceof Integer) {
                arg(i, (int) (Integer) v);
            } else if (v instanceof Float) {
                arg(i, (float) (Float) v);
            } else if (v instanceof Long) {
                arg(i, (long) (Long) v);
            } else {
                throw new IllegalArgumentException("Kernel " + name + " argument " + i + " has unsupported type "
                        + (v == null ? "null" : v.getClass().getSimpleName()));
            }
        }
        return this;
    }

    /**
     * Whether argument {@code index} already holds {@code value} (the same {@link ClBuffer} object, or an
     * equal number of the same type). An operator re-binds its buffers before every launch, and in a
     * compiled graph they are the same each run: skipping the driver call saves a JNI crossing and the
     * driver's work per argument, which at batch 1 is a measurable share of a launch.
     */
    private boolean unchanged(int index, Object value) {
        ensureOpen();
        return index < lastArgs.length && value.equals(lastArgs[index]);
    }

    private ClKernel set(int index, Object remembered, long size, Pointer value) {
        ensureOpen();
        if (index >= lastArgs.length) {
            lastArgs = java.util.Arrays.copyOf(lastArgs, Math.max(index + 1, 2 * lastArgs.length));
        }
        lastArgs[index] = null;     // unknown until the driver has accepted it
        ClException.check(clSetKernelArg(kernel, index, size, value), "clSetKernelArg(" + index + ")", name);
        lastArgs[index] = remembered;
        return this;
    }

    /**
     * Enqueues the kernel over {@code global} work-items in groups of {@code local}. Each global
     * size must be a multiple of the local size. With {@code local == null} a GPU's driver chooses;
     * on a CPU the work-groups come from {@link WorkGroups} (enough groups for every core), unless
     * {@code -Dclnn.cl.cpuWorkGroups=driver} leaves them to the driver there too.
     */
    public void launch(long[] global, long[] local) {
        if (context.recording()) {
            context.record(launchProfiled(global, local));
        } else {
            enqueue(global, local, null);
        }
    }

    /** Like {@link #launch} but returns the command's event, for profiling; the caller closes it. */
    public ClEvent launchProfiled(long[] global, long[] local) {
        cl_event event = new cl_event();
        enqueue(global, local, event);
        return new ClEvent(event, name);
    }

    private void enqueue(long[] global, long[] local, cl_event event) {
        ensureOpen();
        if (local == null && context.device().isCpu() && !DRIVER_CHOOSES_ON_CPU) {
            local = cpuLocal(global);
        }
        if (local != null) {
            for (int i = 0; i < global.length; i++) {
                if (local[i] <= 0 || global[i] % local[i] != 0) {
                    throw new IllegalArgumentException("Kernel " + name + ": global size " + global[i]
                            + " in dimension " + i + " is not a multiple of the local size " + local[i]);
                }
            }
        }
        ClException.check(clEnqueueNDRangeKernel(context.queue(), kernel, global.length, null, global, local, 0,
                null, event), "clEnqueueNDRangeKernel", name);
    }

    private static final boolean DRIVER_CHOOSES_ON_CPU =
            "driver".equals(System.getProperty("clnn.cl.cpuWorkGroups"));

    private long[] cpuLocal(long[] global) {
        if (!java.util.Arrays.equals(global, lastGlobal)) {
            ClDevice d = context.device();
            long[] kernelMax = new long[1];
            ClException.check(clGetKernelWorkGroupInfo(kernel, d.id, CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t,
                    Pointer.to(kernelMax), null), "clGetKernelWorkGroupInfo", name);
            lastLocal = WorkGroups.forCpu(global, d.computeUnits(), Math.min(d.maxWorkGroupSize(), kernelMax[0]));
            lastGlobal = global.clone();
        }
        return lastLocal;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Kernel " + name + " was closed with its program");
        }
        context.ensureOpen();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        clReleaseKernel(kernel);
        program.forget(this);
    }
}
