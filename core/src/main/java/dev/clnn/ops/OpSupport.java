package dev.clnn.ops;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.cl.ClKernel;
import dev.clnn.tensor.DType;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * Checks and launch shapes shared by the element-wise, pooling and layout operators. Every message
 * starts with the operator's name, so a caller sees which op rejected which tensor.
 */
final class OpSupport {
    /** Work-items per group of 1-D launches on GPUs: a multiple of every warp and wavefront width. */
    static final int GPU_GROUP = 256;

    private OpSupport() {
    }

    /**
     * Whether the switch {@code -Dproperty} is on: {@code on} (the default) or {@code off}.
     *
     * @throws IllegalArgumentException when the property has another value
     */
    static boolean switchedOn(String property) {
        String mode = System.getProperty(property, "on").trim().toLowerCase(java.util.Locale.ROOT);
        if (!mode.equals("on") && !mode.equals("off")) {
            throw new IllegalArgumentException("-D" + property + "=" + mode + " is not a mode; use on or off");
        }
        return mode.equals("on");
    }

    /** The element count of {@code shape}, which the kernels index with 32-bit ints. */
    static int elements(String op, Shape shape) {
        if (shape.size() > Integer.MAX_VALUE - 65536) {
            throw new IllegalArgumentException(op + ": shape " + shape + " has " + shape.size()
                    + " elements; kernels index at most 2^31 - 65537");
        }
        return (int) shape.size();
    }

    /**
     * Checks that {@code t} is given, open, lives in {@code cl} and has shape {@code expected}: the
     * one tensor check of every operator, naming the operator, the tensor's role and both shapes.
     *
     * @throws IllegalStateException    when the tensor was closed
     * @throws IllegalArgumentException when it is missing, lives elsewhere or has another shape
     */
    static void check(String op, String role, Tensor t, ClContext cl, Shape expected) {
        check(op, role, t, cl, expected, DType.FLOAT32);
    }

    /**
     * {@link #check}, for a tensor whose elements are {@code dtype}: the operators configured for
     * half-precision activations take those, every other tensor of every operator is fp32.
     */
    static void check(String op, String role, Tensor t, ClContext cl, Shape expected, DType dtype) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + role + " is missing; expected a tensor of shape " + expected);
        }
        t.ensureOpen();
        if (!t.shape().equals(expected)) {
            throw new IllegalArgumentException(op + ": " + role + " has shape " + t.shape() + " but " + expected
                    + " is configured");
        }
        if (t.context() != cl) {
            throw new IllegalArgumentException(op + ": " + role + " " + t.shape()
                    + " belongs to another OpenCL context than the one the op was configured in");
        }
        if (t.dtype() != dtype) {
            throw new IllegalArgumentException(op + ": " + role + " " + t.shape() + " holds " + t.dtype()
                    + " elements but " + dtype + " is configured" + (dtype == DType.FLOAT32
                    ? " (this operator computes on fp32 tensors; cast half ones with Cast)" : ""));
        }
    }

    /** {@link #check}, and rejects a tensor labelled NCHW for the operators that compute in NHWC. */
    static void checkNhwc(String op, String role, Tensor t, ClContext cl, Shape expected) {
        checkNhwc(op, role, t, cl, expected, DType.FLOAT32);
    }

    /** {@link #checkNhwc} for a tensor of {@code dtype} elements. */
    static void checkNhwc(String op, String role, Tensor t, ClContext cl, Shape expected, DType dtype) {
        check(op, role, t, cl, expected, dtype);
        if (t.layout() == dev.clnn.tensor.Layout.NCHW) {
            throw new IllegalArgumentException(op + ": " + role + " " + t.shape() + " is labelled NCHW; this operator"
                    + " computes in NHWC (convert at the model's edge)");
        }
    }

    /**
     * The checks of an operator that reads {@code x} and writes a different tensor {@code y}:
     * both as configured ({@link #check}) and not sharing a buffer ({@link #distinct}). Returns
     * whether there is anything to compute (false for an empty output).
     */
    static boolean checkCopy(String op, ClContext cl, Tensor x, Shape input, Tensor y, Shape output) {
        check(op, "input", x, cl, input);
        check(op, "output", y, cl, output);
        distinct(op, x, y);
        return output.size() > 0;
    }

    /** Rejects {@code x} and {@code y} sharing a buffer, for kernels that read other elements than they write. */
    static void distinct(String op, Tensor x, Tensor y) {
        if (x.buffer() == y.buffer()) {
            throw new IllegalArgumentException(op + ": input " + x.shape() + " and output " + y.shape()
                    + " share a buffer; this op cannot run in place");
        }
    }

    /**
     * The {@code (outer, dims[axis], inner)} view of a row-major tensor of {@code dims} around one
     * axis: {@code outer} the product of the dimensions before it, {@code inner} of those after it.
     */
    static int[] aroundAxis(int[] dims, int axis) {
        int outer = 1;
        int inner = 1;
        for (int k = 0; k < axis; k++) {
            outer *= dims[k];
        }
        for (int k = axis + 1; k < dims.length; k++) {
            inner *= dims[k];
        }
        return new int[] {outer, dims[axis], inner};
    }

    /** Rejects a work-group larger than the device runs. */
    static void checkWorkGroup(String op, KernelConfig<?> config, ClDevice device) {
        if (config.workGroupSize() > device.maxWorkGroupSize()) {
            throw new IllegalArgumentException(op + ": " + config + " needs work-groups of " + config.workGroupSize()
                    + "; " + device.name() + " runs at most " + device.maxWorkGroupSize());
        }
    }

    /**
     * Work-items per group of 1-D launches on CPUs. One fixed shape: left to the driver, PoCL shaped the
     * groups by each layer's range (often one group for the whole range, so one core) and compiled the
     * kernel once per shape on first launch (46 shapes of the batch-norm kernel for DenseNet-121).
     */
    static final int CPU_GROUP = 256;

    /**
     * Launches {@code k} over {@code n} work-items in one dimension, in groups of {@link #GPU_GROUP}
     * on GPUs and {@link #CPU_GROUP} on CPUs (the kernels bounds-check the rounded-up tail).
     */
    static void launch(ClKernel k, ClDevice device, long n) {
        long items = Math.max(1, n);
        long group = Math.min(device.isCpu() ? CPU_GROUP : GPU_GROUP, device.maxWorkGroupSize());
        k.launch(new long[] {roundUp(items, group)}, new long[] {group});
    }

    /** Launches {@code groups} work-groups of {@code group} work-items, one dimension. */
    static void launchGroups(ClKernel k, long groups, int group) {
        k.launch(new long[] {Math.max(1, groups) * group}, new long[] {group});
    }

    static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    static int ceilDiv(int value, int divisor) {
        return (value + divisor - 1) / divisor;
    }

    /** The smallest power of two at least {@code n} (1 for n <= 1). */
    static int nextPowerOfTwo(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    /** Runs {@code init} on a new {@code op} and returns it; closes it when {@code init} fails. */
    static <T extends AutoCloseable> T initialised(T op, java.util.function.Consumer<T> init) {
        try {
            init.accept(op);
        } catch (RuntimeException e) {
            try {
                op.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return op;
    }
}
