package dev.clnn.cl;

import static org.jocl.CL.*;

import java.nio.FloatBuffer;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_mem;

/**
 * A device buffer of a {@link ClContext}. Copies are blocking and ordered on the context's queue,
 * so a read sees every kernel enqueued before it. Offsets and lengths are in floats.
 */
public final class ClBuffer implements AutoCloseable {
    private final ClContext context;
    final cl_mem mem;
    private final long bytes;
    private boolean closed;

    ClBuffer(ClContext context, cl_mem mem, long bytes) {
        this.context = context;
        this.mem = mem;
        this.bytes = bytes;
    }

    public long bytes() { return bytes; }

    /** Capacity in floats. */
    public long floats() { return bytes / Sizeof.cl_float; }

    public ClContext context() { return context; }

    public boolean isClosed() { return closed; }

    /** Copies {@code src} to the start of this buffer. */
    public ClBuffer write(float[] src) {
        return write(src, 0, 0, src.length);
    }

    /** Copies {@code length} floats from {@code src[srcOffset..]} to this buffer at float {@code dstOffset}. */
    public ClBuffer write(float[] src, int srcOffset, long dstOffset, int length) {
        checkRange(dstOffset, length, src.length, srcOffset);
        return write(dstOffset, length, Pointer.to(src).withByteOffset((long) srcOffset * Sizeof.cl_float));
    }

    /** Copies the remaining floats of {@code src} (heap or direct) to the start of this buffer. */
    public ClBuffer write(FloatBuffer src) {
        int n = src.remaining();
        checkRange(0, n, n, 0);
        return write(0, n, Pointer.toBuffer(src));
    }

    /** A blocking write of {@code length} floats from {@code src} to float {@code dstOffset}; checked by the caller. */
    private ClBuffer write(long dstOffset, int length, Pointer src) {
        if (length > 0) {
            ClException.check(clEnqueueWriteBuffer(context.queue(), mem, CL_TRUE, dstOffset * Sizeof.cl_float,
                    (long) length * Sizeof.cl_float, src, 0, null, null), "clEnqueueWriteBuffer");
        }
        return this;
    }

    /** Reads the whole buffer into a new array. */
    public float[] read() {
        float[] out = new float[Math.toIntExact(floats())];
        read(out, 0, 0, out.length);
        return out;
    }

    /** Reads {@code length} floats at float {@code srcOffset} into {@code dst[dstOffset..]}. */
    public void read(float[] dst, int dstOffset, long srcOffset, int length) {
        checkRange(srcOffset, length, dst.length, dstOffset);
        if (length > 0) {
            ClException.check(clEnqueueReadBuffer(context.queue(), mem, CL_TRUE, srcOffset * Sizeof.cl_float,
                    (long) length * Sizeof.cl_float, Pointer.to(dst).withByteOffset((long) dstOffset * Sizeof.cl_float),
                    0, null, null), "clEnqueueReadBuffer");
        }
    }

    /** Reads the buffer's first {@code dst.remaining()} floats into {@code dst} (heap or direct), blocking. */
    public void read(FloatBuffer dst) {
        int n = dst.remaining();
        checkRange(0, n, n, 0);
        if (n > 0) {
            ClException.check(clEnqueueReadBuffer(context.queue(), mem, CL_TRUE, 0, (long) n * Sizeof.cl_float,
                    Pointer.toBuffer(dst), 0, null, null), "clEnqueueReadBuffer");
        }
    }

    /** Sets every float of the buffer to {@code value} (enqueued, not waited for). */
    public ClBuffer fill(float value) {
        ensureOpen();
        ClException.check(clEnqueueFillBuffer(context.queue(), mem, Pointer.to(new float[] {value}), Sizeof.cl_float,
                0, bytes, 0, null, null), "clEnqueueFillBuffer");
        return this;
    }

    /**
     * Enqueues a copy of {@code floats} floats from this buffer at {@code srcOffset} into
     * {@code dst} at {@code dstOffset}, on the calling thread's queue of the context (ordered after
     * the work enqueued there before it; not waited for).
     */
    public void copyTo(ClBuffer dst, long srcOffset, long dstOffset, long floats) {
        ensureOpen();
        dst.ensureOpen();
        if (floats < 0 || srcOffset < 0 || dstOffset < 0 || (srcOffset + floats) * Sizeof.cl_float > bytes
                || (dstOffset + floats) * Sizeof.cl_float > dst.bytes) {
            throw new IllegalArgumentException("Copy of " + floats + " floats from offset " + srcOffset + " of a buffer of "
                    + floats() + " to offset " + dstOffset + " of a buffer of " + dst.floats() + " does not fit");
        }
        if (dst.context != context) {
            throw new IllegalArgumentException("Copies between buffers of different OpenCL contexts go through the host");
        }
        if (floats == 0) {
            return;
        }
        ClException.check(clEnqueueCopyBuffer(context.queue(), mem, dst.mem, srcOffset * Sizeof.cl_float,
                dstOffset * Sizeof.cl_float, floats * Sizeof.cl_float, 0, null, null), "clEnqueueCopyBuffer");
    }

    private void checkRange(long deviceOffset, int length, int hostLength, int hostOffset) {
        ensureOpen();
        if (length < 0 || deviceOffset < 0 || hostOffset < 0 || (long) hostOffset + length > hostLength
                || (deviceOffset + length) * Sizeof.cl_float > bytes) {
            throw new IllegalArgumentException("Copy of " + length + " floats at device offset " + deviceOffset
                    + " and host offset " + hostOffset + " does not fit a buffer of " + floats()
                    + " floats and a host array of " + hostLength);
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("This buffer was closed; it can no longer be used");
        }
        context.ensureOpen();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            context.release(mem, bytes);
        }
    }
}
