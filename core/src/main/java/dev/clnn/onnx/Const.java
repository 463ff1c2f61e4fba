package dev.clnn.onnx;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * A tensor known at load time (an initializer, a {@code Constant}, or a folded shape computation):
 * its dimensions and its elements in C order, as floats ({@code f}) or as integers ({@code l}, for
 * ONNX's integer and bool types). In integer tensors computed from {@code Shape}, {@link #BATCH}
 * stands for the batch size, unknown until the model is compiled.
 *
 * <p>An initializer's elements are decoded on first use ({@link #lazy}): its dimensions and type
 * are known at once, so an operator whose checks fail on the shape fails before a large tensor is
 * read, and a tensor only its shape is taken from is never read at all.
 */
final class Const {
    /**
     * The batch size, in shape computations (any arithmetic on it gives it back): a value no
     * exporter writes (they use INT64_MIN and INT64_MAX as "to the end" in Slice).
     */
    static final long BATCH = Long.MIN_VALUE / 2 + 0xBA7C4L;

    /** How many multiples of the batch size the markers {@link #batchTimes} can stand for. */
    private static final long MAX_BATCH_FACTOR = 1L << 40;

    /**
     * The batch size times {@code k} (k at least 1), in shape computations: the first dimension of
     * a value that merges the batch with {@code k} rows of each example (a Reshape to
     * {@code (N * k, ...)}, as attention and window partitions do). {@code batchTimes(1)} is {@link #BATCH}.
     */
    static long batchTimes(long k) {
        if (k < 1 || k >= MAX_BATCH_FACTOR) {
            throw new OnnxFormatException("a shape computation gives the batch size times " + k
                    + ", which clnn cannot represent");
        }
        return BATCH + (k - 1);
    }

    /** Whether {@code v} is the batch size or a multiple of it ({@link #batchTimes}). */
    static boolean isBatch(long v) {
        return v >= BATCH && v < BATCH + (MAX_BATCH_FACTOR - 1);
    }

    /** The k of a {@link #batchTimes} marker. */
    static long batchFactor(long v) {
        return v - BATCH + 1;
    }

    private final int[] dims;
    private final boolean integer;
    private float[] f;
    private long[] l;
    /** Decodes the elements; null once they are here. */
    private Supplier<Const> pending;

    Const(int[] dims, float[] f, long[] l) {
        this.dims = dims;
        this.integer = l != null;
        this.f = f;
        this.l = l;
    }

    private Const(int[] dims, boolean integer, Supplier<Const> pending) {
        this.dims = dims;
        this.integer = integer;
        this.pending = pending;
    }

    static Const ofFloats(int[] dims, float[] f) {
        return new Const(dims, f, null);
    }

    static Const ofLongs(int[] dims, long[] l) {
        return new Const(dims, null, l);
    }

    /** A tensor of {@code dims} whose elements {@code data} decodes when first asked for. */
    static Const lazy(int[] dims, boolean integer, Supplier<Const> data) {
        return new Const(dims, integer, data);
    }

    /** The dimensions (not a copy). */
    int[] dims() { return dims; }

    /** The float elements, or null for an integer tensor. */
    float[] f() {
        load();
        return f;
    }

    /** The integer elements, or null for a float tensor. */
    long[] l() {
        load();
        return l;
    }

    private void load() {
        if (pending != null) {
            Const c = pending.get();
            f = c.f;
            l = c.l;
            pending = null;
        }
    }

    boolean isInteger() { return integer; }

    int rank() { return dims.length; }

    int size() {
        if (pending != null) {
            return (int) count(dims);
        }
        return integer ? l.length : f.length;
    }

    boolean dependsOnBatch() {
        if (!integer) {
            return false;
        }
        for (long v : l()) {
            if (isBatch(v)) {
                return true;
            }
        }
        return false;
    }

    /** The elements as floats. */
    float[] floats() {
        if (!integer) {
            return f();
        }
        long[] l = l();
        float[] r = new float[l.length];
        for (int i = 0; i < r.length; i++) {
            if (isBatch(l[i])) {
                throw new OnnxFormatException("a value computed from the batch size is used as float data");
            }
            r[i] = l[i];
        }
        return r;
    }

    /** The elements as integers (floats truncated). */
    long[] longs() {
        if (integer) {
            return l();
        }
        float[] f = f();
        long[] r = new long[f.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = (long) f[i];
        }
        return r;
    }

    /** The single element of a scalar or one-element tensor. */
    double scalar(String what) {
        if (size() != 1) {
            throw new OnnxFormatException(what + " must hold one value, got shape " + Arrays.toString(dims));
        }
        return isInteger() ? l()[0] : f()[0];
    }

    /** The elements as ints, failing on the batch marker or overflow. */
    int[] ints(String what) {
        if (size() == 0) {
            return new int[0];
        }
        // one conversion for all elements: a float tensor converts to longs afresh on every longs()
        long[] l = longs();
        int[] r = new int[l.length];
        for (int i = 0; i < r.length; i++) {
            long v = l[i];
            if (isBatch(v)) {
                throw new OnnxFormatException(what + " depends on the batch size, which clnn only knows at compile"
                        + " time");
            }
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new OnnxFormatException(what + " value " + v + " is out of range");
            }
            r[i] = (int) v;
        }
        return r;
    }

    /** Same elements, other dimensions (the sizes must agree). */
    Const reshape(int[] newDims) {
        if (pending != null) {
            // stays unread: a reshaped initializer only its shape is taken from is never decoded
            return lazy(newDims, integer, () -> {
                load();
                return reshape(newDims);
            });
        }
        return isInteger() ? ofLongs(newDims, l) : ofFloats(newDims, f);
    }

    static long count(int[] dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    static int[] strides(int[] dims) {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int k = dims.length - 1; k >= 0; k--) {
            s[k] = acc;
            acc *= dims[k];
        }
        return s;
    }

    /** A new tensor of {@code dims} whose element i is this tensor's element {@code src[i]}. */
    Const gather(int[] newDims, int[] src) {
        if (isInteger()) {
            long[] l = l();
            long[] r = new long[src.length];
            for (int i = 0; i < src.length; i++) {
                r[i] = l[src[i]];
            }
            return ofLongs(newDims, r);
        }
        float[] f = f();
        float[] r = new float[src.length];
        for (int i = 0; i < src.length; i++) {
            r[i] = f[src[i]];
        }
        return ofFloats(newDims, r);
    }

    /** Dimensions permuted: output axis k is input axis {@code perm[k]}. */
    Const transpose(int[] perm) {
        int rank = dims.length;
        int[] out = new int[rank];
        for (int k = 0; k < rank; k++) {
            out[k] = dims[perm[k]];
        }
        int[] inStrides = strides(dims);
        int n = size();
        int[] src = new int[n];
        int[] idx = new int[rank];
        for (int i = 0; i < n; i++) {
            int s = 0;
            for (int k = 0; k < rank; k++) {
                s += idx[k] * inStrides[perm[k]];
            }
            src[i] = s;
            for (int k = rank - 1; k >= 0; k--) {
                if (++idx[k] < out[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
        return gather(out, src);
    }

    @Override
    public String toString() {
        return "Const" + Arrays.toString(dims);
    }
}
