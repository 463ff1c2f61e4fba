package dev.clnn.cl;

import static org.jocl.CL.*;

import org.jocl.cl_kernel;
import org.jocl.cl_program;

/**
 * A built program of a {@link ClContext}; owned and closed by the context. Creating kernels is
 * thread-safe. The program keeps only its open kernels (to release them when it closes): a kernel
 * closed by its operator is forgotten, so a long-lived context does not grow with every model
 * compiled and closed in it.
 */
public final class ClProgram implements AutoCloseable {
    private final ClContext context;
    private final KernelSource kernelSource;
    private cl_program program;
    private boolean rebuilt;
    private final String source;
    private final BuildOptions options;
    private final Children<ClKernel> kernels = new Children<>();

    ClProgram(ClContext context, cl_program program, KernelSource source, BuildOptions options) {
        this.context = context;
        this.program = program;
        this.kernelSource = source;
        this.source = source.path();
        this.options = options;
    }

    /**
     * A new kernel object for {@code name}. Each call returns a separate kernel with its own
     * arguments, so two operators can use the same program without disturbing each other.
     */
    public synchronized ClKernel kernel(String name) {
        context.ensureOpen();
        int[] err = new int[1];
        cl_kernel k = clCreateKernel(program, name, err);
        if (err[0] == CL_INVALID_KERNEL_NAME && !rebuilt) {
            // NOTE: a cached binary can load cleanly and still be another program (a cache file
            // swapped or written by a broken driver); rebuild from source once before giving up.
            rebuilt = true;
            cl_program fresh = context.programCache().rebuild(context.handle(), context.device(), kernelSource,
                    options);
            clReleaseProgram(program);      // kernels made from it keep it alive as long as they need it
            program = fresh;
            k = clCreateKernel(program, name, err);
        }
        if (err[0] != CL_SUCCESS) {
            throw new ClException(err[0], "clCreateKernel", name, "in " + source + " [" + options + "]");
        }
        ClKernel kernel = new ClKernel(context, k, name, this);
        kernels.add(kernel);
        return kernel;
    }

    public String source() { return source; }

    public BuildOptions options() { return options; }

    /** Open kernels of this program (for leak checks). */
    int openKernels() {
        return kernels.count();
    }

    void forget(ClKernel kernel) {
        kernels.forget(kernel);
    }

    /** Closes the open kernels, then releases the program; under the lock {@link #kernel} takes. */
    @Override
    public synchronized void close() {
        if (kernels.close(ClKernel::close)) {
            clReleaseProgram(program);
        }
    }
}
