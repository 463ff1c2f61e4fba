package dev.clnn.cl;

/**
 * No OpenCL runtime is installed, or it reports no platform. The message is one paragraph
 * that says what to install.
 */
public final class NoOpenClException extends ClException {
    private static final long serialVersionUID = 1L;

    /** {@code CL_PLATFORM_NOT_FOUND_KHR}: what the ICD loader returns when no driver is registered. */
    static final int PLATFORM_NOT_FOUND = -1001;

    NoOpenClException(String cause) {
        super(PLATFORM_NOT_FOUND, "clGetPlatformIDs", null, null);
        this.cause = cause;
    }

    private final String cause;

    @Override
    public String getMessage() {
        return "No OpenCL platform was found (" + cause + "). clnn runs on any OpenCL device, but it needs "
                + "an OpenCL driver and the ICD loader. On Debian or Ubuntu, install the CPU runtime with "
                + "'sudo apt-get install pocl-opencl-icd ocl-icd-libopencl1 ocl-icd-opencl-dev' (./clnn does this "
                + "for you when run as root; ocl-icd-opencl-dev provides the name libOpenCL.so, which JOCL opens, "
                + "where only libOpenCL.so.1 exists); for a GPU, install its vendor's OpenCL driver (NVIDIA: the driver package that "
                + "provides libnvidia-opencl; AMD: ROCm or Mesa rusticl; Intel: intel-opencl-icd). "
                + "'clinfo' lists what the system sees.";
    }
}
