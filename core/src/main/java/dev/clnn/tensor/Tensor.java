package dev.clnn.tensor;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;

/**
 * A tensor on an OpenCL device: a buffer plus a {@link Shape}, a {@link DType} and a
 * {@link Layout}. The creator owns it and closes it; a tensor used after {@link #close()} fails
 * with a clear message. A {@link #reshape} view shares the buffer and never frees it.
 */
public final class Tensor implements AutoCloseable {
    private final ClBuffer buffer;
    private final Shape shape;
    private final Layout layout;
    private final DType dtype;
    private final Tensor owner;
    private final boolean ownsBuffer;
    private boolean closed;

    private Tensor(ClBuffer buffer, Shape shape, Layout layout, DType dtype, Tensor owner, boolean ownsBuffer) {
        this.buffer = buffer;
        this.shape = shape;
        this.layout = layout;
        this.dtype = dtype;
        this.owner = owner;
        this.ownsBuffer = ownsBuffer;
    }

    /** A new fp32 tensor with undefined contents. */
    public static Tensor allocate(ClContext cl, Shape shape, Layout layout) {
        return allocate(cl, shape, layout, DType.FLOAT32);
    }

    /**
     * A new tensor of {@code dtype} elements with undefined contents. A {@link DType#FLOAT16} tensor
     * holds activations that kernels built for half storage read and write; the host reads and writes
     * it through a {@code Cast} to and from fp32, not through {@link #toArray} or {@link #copyFrom}.
     */
    public static Tensor allocate(ClContext cl, Shape shape, Layout layout, DType dtype) {
        return new Tensor(cl.buffer(dtype.floatsFor(shape.size())), shape, layout, dtype, null, true);
    }

    /** A new row-major fp32 tensor with undefined contents. */
    public static Tensor allocate(ClContext cl, Shape shape) {
        return allocate(cl, shape, Layout.ROW_MAJOR);
    }

    /** A new tensor holding a copy of {@code data}, whose length must equal the shape's size. */
    public static Tensor of(ClContext cl, Shape shape, Layout layout, float[] data) {
        checkLength(shape, data.length);
        return filled(cl, shape, layout, b -> b.write(data));
    }

    public static Tensor of(ClContext cl, Shape shape, float[] data) {
        return of(cl, shape, Layout.ROW_MAJOR, data);
    }

    /** A new tensor holding a copy of the remaining floats of {@code data}. */
    public static Tensor of(ClContext cl, Shape shape, Layout layout, FloatBuffer data) {
        checkLength(shape, data.remaining());
        return filled(cl, shape, layout, b -> b.write(data));
    }

    /** A new tensor whose buffer {@code write} fills; released again when that fails. */
    private static Tensor filled(ClContext cl, Shape shape, Layout layout, java.util.function.Consumer<ClBuffer> write) {
        Tensor t = allocate(cl, shape, layout);
        try {
            write.accept(t.buffer);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    /**
     * A tensor over the first {@code shape.size()} floats of an existing buffer, which stays owned by
     * its creator: closing the tensor does not free it. Executors use this to place many values in
     * a few reused buffers.
     */
    public static Tensor wrap(ClBuffer buffer, Shape shape, Layout layout) {
        return wrap(buffer, shape, layout, DType.FLOAT32);
    }

    /** As {@link #wrap(ClBuffer, Shape, Layout)}, for elements of {@code dtype}. */
    public static Tensor wrap(ClBuffer buffer, Shape shape, Layout layout, DType dtype) {
        if (buffer.floats() < dtype.floatsFor(shape.size())) {
            throw new IllegalArgumentException("A buffer of " + buffer.floats() + " floats cannot hold a " + dtype
                    + " tensor of shape " + shape);
        }
        return new Tensor(buffer, shape, layout, dtype, null, false);
    }

    /** Reads a float32 {@code .npy} file onto the device. */
    public static Tensor readNpy(ClContext cl, Path file, Layout layout) throws IOException {
        Npy.Array a = Npy.read(file);
        return of(cl, a.shape(), layout, a.data());
    }

    private static void checkLength(Shape shape, long length) {
        if (length != shape.size()) {
            throw new IllegalArgumentException("Tensor of shape " + shape + " needs " + shape.size()
                    + " floats, got " + length);
        }
    }

    public Shape shape() { return shape; }

    public Layout layout() { return layout; }

    /** How the elements are stored: fp32, or half-precision activations. */
    public DType dtype() { return dtype; }

    /** The device buffer; valid while the tensor is open. */
    public ClBuffer buffer() {
        ensureOpen();
        return buffer;
    }

    public ClContext context() { return buffer.context(); }

    /** Copies the tensor to a new host array. */
    public float[] toArray() {
        ensureOpen();
        ensureFloat32("read");
        float[] out = new float[shape.sizeAsInt()];
        buffer.read(out, 0, 0, out.length);
        return out;
    }

    /** Overwrites the tensor with {@code data} (same number of elements). */
    public Tensor copyFrom(float[] data) {
        ensureOpen();
        ensureFloat32("written");
        checkLength(shape, data.length);
        buffer.write(data);
        return this;
    }

    /** Writes the tensor as a float32 {@code .npy} file, atomically. */
    public void writeNpy(Path file) throws IOException {
        Npy.write(file, shape, toArray());
    }

    /** A view with another shape of the same size (and the given layout label); shares the buffer. */
    public Tensor reshape(Shape newShape, Layout newLayout) {
        ensureOpen();
        if (newShape.size() != shape.size()) {
            throw new IllegalArgumentException("Cannot reshape " + shape + " (" + shape.size() + " elements) to "
                    + newShape + " (" + newShape.size() + " elements)");
        }
        return new Tensor(buffer, newShape, newLayout, dtype, owner == null ? this : owner, false);
    }

    public Tensor reshape(Shape newShape) {
        return reshape(newShape, layout);
    }

    public boolean isClosed() {
        return closed || (owner != null && owner.isClosed()) || buffer.isClosed();
    }

    private void ensureFloat32(String how) {
        if (dtype != DType.FLOAT32) {
            throw new IllegalStateException("Tensor " + shape + " holds " + dtype + " elements; it is " + how
                    + " by the host through a Cast to and from FLOAT32 (dev.clnn.ops.Cast)");
        }
    }

    /** Fails with a clear message when the tensor (or the tensor it views) was closed. */
    public void ensureOpen() {
        if (isClosed()) {
            throw new IllegalStateException("Tensor " + shape + " was used after close()");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (ownsBuffer) {
                buffer.close();
            }
        }
    }

    @Override
    public String toString() {
        return "Tensor" + shape + " " + layout + (dtype == DType.FLOAT32 ? "" : " " + dtype)
                + (isClosed() ? " (closed)" : "");
    }
}
