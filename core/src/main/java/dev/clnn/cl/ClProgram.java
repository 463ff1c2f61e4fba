package dev.clnn.cl;

import static org.jocl.CL.*;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

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
    private final Set<ClKernel> kernels = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

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
    synchronized int openKernels() {
        return kernels.size();
    }

    synchronized void forget(ClKernel kernel) {
        kernels.remove(kernel);
    }

    @Override
    public void close() {
        List<ClKernel> open;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = List.copyOf(kernels);
            kernels.clear();
        }
        for (ClKernel k : open) {
            k.close();
        }
        clReleaseProgram(program);
    }
}
