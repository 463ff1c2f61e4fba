package dev.clnn.cl;

import static org.jocl.CL.*;

import java.nio.FloatBuffer;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_buffer_region;
import org.jocl.cl_mem;

/**
 * A device buffer of a {@link ClContext}. Copies are blocking and ordered on the context's queue,
 * so a read sees every kernel enqueued before it. Offsets and lengths are in floats.
 *
 * <p>A buffer may also be a {@link #region} of another: an OpenCL sub-buffer, the same memory seen
 * from an offset, which kernels take like any buffer. Work on a region and on its parent must be
 * ordered (one in-order queue, or events): OpenCL leaves concurrent writes to both undefined.
 */
public final class ClBuffer implements AutoCloseable {
    private final ClContext context;
    final cl_mem mem;
    private final long bytes;
    /** The buffer this one is a region of, or null. */
    private final ClBuffer parent;
    /** The open regions of this buffer, closed before it, and whether it was closed. */
    private final Children<ClBuffer> regions = new Children<>();

    ClBuffer(ClContext context, cl_mem mem, long bytes) {
        this(context, mem, bytes, null);
    }

    private ClBuffer(ClContext context, cl_mem mem, long bytes, ClBuffer parent) {
        this.context = context;
        this.mem = mem;
        this.bytes = bytes;
        this.parent = parent;
    }

    public long bytes() { return bytes; }

    /** Capacity in floats. */
    public long floats() { return bytes / Sizeof.cl_float; }

    public ClContext context() { return context; }

    /** Whether this buffer, or the buffer it is a {@link #region} of, was closed. */
    public boolean isClosed() { return regions.isClosed() || (parent != null && parent.isClosed()); }

    /** Whether this buffer is a {@link #region} of another. */
    public boolean isRegion() { return parent != null; }

    /**
     * A sub-buffer over {@code floats} floats of this buffer from float {@code offsetFloats}: the same
     * memory, so writes through either are seen through the other (see the class comment on
     * ordering). The offset must be a multiple of the device's base address alignment ({@link
     * ClDevice#baseAddressAlignBytes()}, 32 floats on PoCL's CPU device); {@link
     * #regionAlignFloats()} gives it in floats. The region owns no memory of its own (it adds
     * nothing to {@link ClContext#allocatedBytes()}); closing it leaves this buffer open, and closing
     * this buffer first closes its open regions.
     *
     * @throws IllegalArgumentException when the region is empty, does not fit this buffer, starts at
     *                                  a misaligned offset, or this buffer is itself a region (OpenCL
     *                                  has no sub-buffers of sub-buffers)
     * @throws IllegalStateException    when this buffer was closed
     */
    public ClBuffer region(long offsetFloats, long floats) {
        ensureOpen();
        if (parent != null) {
            throw new IllegalArgumentException("A region of a region: OpenCL makes sub-buffers only of whole buffers;"
                    + " take the region of the parent buffer instead");
        }
        if (floats < 1 || offsetFloats < 0 || offsetFloats + floats > floats()) {
            throw new IllegalArgumentException("A region of " + floats + " floats at offset " + offsetFloats
                    + " does not fit a buffer of " + floats() + " floats (regions hold at least one float)");
        }
        long align = regionAlignFloats();
        if (offsetFloats % align != 0) {
            throw new IllegalArgumentException("A region at float " + offsetFloats + " (byte "
                    + offsetFloats * Sizeof.cl_float + ") is misaligned: " + context.device().name()
                    + " starts sub-buffers only at multiples of " + context.device().baseAddressAlignBytes()
                    + " bytes (" + align + " floats, CL_DEVICE_MEM_BASE_ADDR_ALIGN)");
        }
        int[] err = new int[1];
        cl_mem sub = clCreateSubBuffer(mem, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION,
                new cl_buffer_region(offsetFloats * Sizeof.cl_float, floats * Sizeof.cl_float), err);
        ClException.check(err[0], "clCreateSubBuffer");
        ClBuffer region = new ClBuffer(context, sub, floats * Sizeof.cl_float, this);
        regions.add(region);
        return region;
    }

    /** The offsets a {@link #region} may start at are the multiples of this many floats. */
    public long regionAlignFloats() {
        return regionAlignFloats(context.device());
    }

    /** The offsets a {@link #region} of a buffer on {@code device} may start at are the multiples of this. */
    public static long regionAlignFloats(ClDevice device) {
        return device.baseAddressAlignBytes() / Sizeof.cl_float;
    }

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

    /**
     * Enqueues a write of {@code floats} floats from {@code src} to float {@code dstOffset} without
     * waiting: {@code src} must be memory that stays put and unchanged until the queue has run it
     * (pinned host memory, {@link ClHostBuffer}).
     */
    void writeAsync(long dstOffset, long floats, Pointer src) {
        ensureOpen();
        if (dstOffset < 0 || floats < 0 || dstOffset + floats > floats()) {
            throw new IllegalArgumentException("A write of " + floats + " floats at " + dstOffset
                    + " overruns a buffer of " + floats());
        }
        if (floats > 0) {
            ClException.check(clEnqueueWriteBuffer(context.queue(), mem, CL_FALSE, dstOffset * Sizeof.cl_float,
                    floats * Sizeof.cl_float, src, 0, null, null), "clEnqueueWriteBuffer");
        }
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
        if (isClosed()) {
            String which = regions.isClosed() || parent == null ? "This buffer was" : "This region's parent buffer was";
            throw new IllegalStateException(which + " closed; it can no longer be used");
        }
        context.ensureOpen();
    }

    /** Releases the buffer; a buffer's open regions first, a region without touching its parent. */
    @Override
    public void close() {
        if (!regions.close(ClBuffer::close)) {
            return;
        }
        if (parent != null) {
            parent.regions.forget(this);
            context.release(mem, 0);
        } else {
            context.release(mem, bytes);
        }
    }
}
