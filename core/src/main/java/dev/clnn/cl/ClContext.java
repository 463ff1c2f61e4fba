package dev.clnn.cl;

import static org.jocl.CL.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_mem;

/**
 * An OpenCL context on one device with a default in-order command queue (profiling enabled), the
 * buffers and programs made in it, and its share of the program cache.
 *
 * <p>Thread-safety: building programs, creating kernels and buffers, and the memory counters may
 * be used from any thread. Kernel objects ({@link ClKernel}) are not: their arguments are shared
 * state, so each thread needs its own (see {@link dev.clnn.models.Model}, which keeps one set per
 * concurrent caller). Work from several threads may share the default queue (enqueueing is
 * thread-safe in OpenCL) or use a queue each ({@link #createQueue()}, {@link ClQueue#bind()}).
 * Recording of profiling events ({@link #startRecording()}) is per thread. Closing the context
 * releases every program it built; buffers and queues belong to their creator and should be
 * closed first.
 *
 * <pre>{@code
 * try (ClContext cl = ClContext.create(Devices.selectOne("gpu"))) {
 *     ClBuffer a = cl.buffer(new float[] {1, 2, 3});
 *     ...
 * }
 * }</pre>
 */
public final class ClContext implements AutoCloseable {
    private final ClDevice device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final ProgramCache cache;
    private final Map<String, ClProgram> programs = new HashMap<>();
    /**
     * NOTE: with {@code -Dclnn.cl.deferRelease=true} buffers are released when the context closes
     * rather than when the buffer does. Only the Oclgrind test run sets it: Oclgrind's
     * uninitialised-value checker keeps stale state for memory a released buffer occupied and then
     * reports reads of a new, fully written buffer at the same address.
     */
    private final List<cl_mem> deferred = Boolean.getBoolean("clnn.cl.deferRelease") ? new ArrayList<>() : null;
    private final ThreadLocal<List<ClEvent>> recording = new ThreadLocal<>();
    private final ThreadLocal<ClQueue> bound = new ThreadLocal<>();
    private long allocatedBytes;
    private long peakBytes;
    private volatile boolean closed;

    private ClContext(ClDevice device, ProgramCache cache) {
        this.device = device;
        this.cache = cache;
        int[] err = new int[1];
        this.context = clCreateContext(null, 1, new cl_device_id[] {device.id}, null, null, err);
        ClException.check(err[0], "clCreateContext");
        this.queue = createQueue(err);
        if (err[0] != CL_SUCCESS) {
            clReleaseContext(context);
            ClException.check(err[0], "clCreateCommandQueue");
        }
    }

    /**
     * A new in-order queue on this context's device (profiling enabled); the caller owns it and
     * closes it before the context.
     */
    public ClQueue createQueue() {
        ensureOpen();
        int[] err = new int[1];
        cl_command_queue q = createQueue(err);
        ClException.check(err[0], "clCreateCommandQueue");
        return new ClQueue(this, q);
    }

    ClQueue.Binding bind(ClQueue queue) {
        ClQueue previous = bound.get();
        bound.set(queue);
        Thread owner = Thread.currentThread();
        return () -> {
            if (Thread.currentThread() == owner) {
                if (previous == null) {
                    bound.remove();
                } else {
                    bound.set(previous);
                }
            }
        };
    }

    @SuppressWarnings("deprecation")
    private cl_command_queue createQueue(int[] err) {
        // NOTE: clCreateCommandQueue is deprecated in OpenCL 2.0 but is the one call every 1.2 and
        // 3.0 driver (PoCL, NVIDIA, Mesa) accepts.
        return clCreateCommandQueue(context, device.id, CL_QUEUE_PROFILING_ENABLE, err);
    }

    /** A context on {@code device} using the default on-disk program cache. */
    public static ClContext create(ClDevice device) {
        return new ClContext(device, ProgramCache.shared());
    }

    /** A context on {@code device} with its own program cache (tests, tools). */
    public static ClContext create(ClDevice device, ProgramCache cache) {
        return new ClContext(device, cache);
    }

    /** A context on the device a spec selects (see {@link Devices}); blank means the default device. */
    public static ClContext create(String spec) {
        return create(Devices.selectOne(spec));
    }

    public ClDevice device() { return device; }

    public ProgramCache programCache() { return cache; }

    /** A new uninitialised buffer of {@code floats} floats. */
    public ClBuffer buffer(long floats) {
        ensureOpen();
        long bytes = Math.max(1, floats) * Sizeof.cl_float;
        if (bytes > device.maxAllocBytes()) {
            throw new IllegalArgumentException("A buffer of " + bytes + " bytes exceeds the largest allocation "
                    + device.name() + " allows (" + device.maxAllocBytes() + " bytes); use a smaller size or batch");
        }
        int[] err = new int[1];
        cl_mem mem = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, err);
        ClException.check(err[0], "clCreateBuffer");
        synchronized (this) {
            allocatedBytes += bytes;
            peakBytes = Math.max(peakBytes, allocatedBytes);
        }
        return new ClBuffer(this, mem, bytes);
    }

    /**
     * Pinned host memory of {@code floats} floats for copies between Java arrays and this context's
     * buffers ({@link ClHostBuffer}).
     *
     * @throws ClException when the driver cannot allocate or map it
     */
    public ClHostBuffer hostBuffer(long floats) {
        ensureOpen();
        return new ClHostBuffer(this, floats);
    }

    /** A new buffer holding a copy of {@code data}. */
    public ClBuffer buffer(float[] data) {
        ClBuffer b = buffer(data.length);
        try {
            return b.write(data);
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    /**
     * The program for {@code source} built with {@code options}: from this context's memory,
     * else from the disk cache, else compiled now (and stored).
     *
     * @throws ProgramBuildException with the build log when the source does not compile
     */
    public synchronized ClProgram program(KernelSource source, BuildOptions options) {
        ensureOpen();
        String key = ProgramCache.key(device, source, options);
        ClProgram p = programs.get(key);
        if (p == null) {
            p = new ClProgram(this, cache.build(context, device, source, options), source, options);
            programs.put(key, p);
        }
        return p;
    }

    /** Shorthand: a kernel of the program built from a kernels resource. */
    public ClKernel kernel(String resource, BuildOptions options, String kernelName) {
        return program(KernelSource.load(resource), options).kernel(kernelName);
    }

    /**
     * Starts recording a profiling event for every kernel the calling thread launches on this
     * context, so a caller can time work it does not launch itself (a layer, a whole model) with
     * device timestamps.
     */
    public void startRecording() {
        ensureOpen();
        if (recording.get() != null) {
            throw new IllegalStateException("Kernel launches are already being recorded on this context");
        }
        recording.set(new ArrayList<>());
    }

    /**
     * Stops recording and returns the events of the kernels launched since {@link #startRecording()};
     * the caller closes them ({@link ClEvent#close()}).
     */
    public List<ClEvent> stopRecording() {
        List<ClEvent> out = recording.get();
        recording.remove();
        return out == null ? List.of() : out;
    }

    /** Whether the calling thread's kernel launches are being recorded. */
    boolean recording() {
        return recording.get() != null;
    }

    void record(ClEvent event) {
        recording.get().add(event);
    }

    /** Blocks until every command enqueued on the calling thread's queue has finished. */
    public void finish() {
        ensureOpen();
        ClException.check(clFinish(queue()), "clFinish");
    }

    /** Submits the commands enqueued on the calling thread's queue without waiting. */
    public void flush() {
        ensureOpen();
        ClException.check(clFlush(queue()), "clFlush");
    }

    /** Kernel objects of this context's programs that are open now (for leak checks). */
    public synchronized int openKernels() {
        int n = 0;
        for (ClProgram p : programs.values()) {
            n += p.openKernels();
        }
        return n;
    }

    /** Bytes of the buffers of this context that are open now. */
    public synchronized long allocatedBytes() {
        return allocatedBytes;
    }

    /** The most bytes of buffers open at once since the context was made or {@link #resetPeak()}. */
    public synchronized long peakBytes() {
        return peakBytes;
    }

    /** Starts measuring {@link #peakBytes()} afresh from what is allocated now. */
    public synchronized void resetPeak() {
        peakBytes = allocatedBytes;
    }

    void release(cl_mem mem, long bytes) {
        synchronized (this) {
            allocatedBytes -= bytes;
            if (deferred != null && !closed) {
                deferred.add(mem);
                return;
            }
        }
        clReleaseMemObject(mem);
    }

    /** The calling thread's queue: the one bound with {@link ClQueue#bind()}, else the default queue. */
    cl_command_queue queue() {
        ClQueue q = bound.get();
        return q == null ? queue : q.queue;
    }

    cl_context handle() { return context; }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("This OpenCL context on " + device.name() + " was closed");
        }
    }

    public boolean isClosed() { return closed; }

    @Override
    public void close() {
        List<ClProgram> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(programs.values());
            programs.clear();
        }
        clFinish(queue);
        List<ClEvent> events = recording.get();
        if (events != null) {
            events.forEach(ClEvent::close);
            recording.remove();
        }
        for (ClProgram p : all) {
            p.close();
        }
        if (deferred != null) {
            deferred.forEach(org.jocl.CL::clReleaseMemObject);
            deferred.clear();
        }
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
