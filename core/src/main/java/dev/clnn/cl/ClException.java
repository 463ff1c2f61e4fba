package dev.clnn.cl;

import org.jocl.CL;

/**
 * An OpenCL call failed. Carries the status (for example {@code CL_OUT_OF_RESOURCES}), the
 * call that returned it and, where one was running, the kernel.
 */
public class ClException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String call;
    private final String kernel;

    public ClException(int status, String call, String kernel, String detail) {
        super(message(status, call, kernel, detail));
        this.status = status;
        this.call = call;
        this.kernel = kernel;
    }

    public ClException(int status, String call) {
        this(status, call, null, null);
    }

    /** The OpenCL status code, negative for errors. */
    public int status() {
        return status;
    }

    /** The symbolic name of {@link #status()}, for example {@code CL_OUT_OF_RESOURCES}. */
    public String statusName() {
        return statusName(status);
    }

    /** The OpenCL function that failed, for example {@code clEnqueueNDRangeKernel}. */
    public String call() {
        return call;
    }

    /** The kernel involved, or {@code null}. */
    public String kernel() {
        return kernel;
    }

    /** Throws a {@link ClException} unless {@code status} is {@code CL_SUCCESS}. */
    static void check(int status, String call) {
        if (status != CL.CL_SUCCESS) {
            throw new ClException(status, call);
        }
    }

    static void check(int status, String call, String kernel) {
        if (status != CL.CL_SUCCESS) {
            throw new ClException(status, call, kernel, null);
        }
    }

    public static String statusName(int status) {
        if (status == NoOpenClException.PLATFORM_NOT_FOUND) {
            return "CL_PLATFORM_NOT_FOUND_KHR";
        }
        String name;
        try {
            name = CL.stringFor_errorCode(status);
        } catch (LinkageError e) {
            name = null;    // JOCL could not load the OpenCL library: there is no name table to ask
        }
        return name == null || !name.startsWith("CL_") ? "CL status " + status : name;
    }

    private static String message(int status, String call, String kernel, String detail) {
        StringBuilder sb = new StringBuilder(statusName(status)).append(" from ").append(call);
        if (kernel != null) {
            sb.append(" (kernel ").append(kernel).append(')');
        }
        String hint = hint(status);
        if (hint != null) {
            sb.append(": ").append(hint);
        }
        if (detail != null && !detail.isEmpty()) {
            sb.append('\n').append(detail);
        }
        return sb.toString();
    }

    private static String hint(int status) {
        switch (status) {
            case CL.CL_OUT_OF_RESOURCES:
            case CL.CL_MEM_OBJECT_ALLOCATION_FAILURE:
            case CL.CL_OUT_OF_HOST_MEMORY:
                return "the device ran out of memory or resources; use a smaller batch or size, or another device";
            case CL.CL_INVALID_WORK_GROUP_SIZE:
                return "the work-group size does not fit this device";
            case CL.CL_INVALID_BUFFER_SIZE:
                return "the buffer size is zero or larger than the device allows";
            default:
                return null;
        }
    }
}
