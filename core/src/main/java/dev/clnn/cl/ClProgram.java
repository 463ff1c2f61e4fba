package dev.clnn.cl;

import static org.jocl.CL.*;

import java.util.ArrayList;
import java.util.List;

import org.jocl.cl_kernel;
import org.jocl.cl_program;

/** A built program of a {@link ClContext}; owned and closed by the context. */
public final class ClProgram implements AutoCloseable {
    private final ClContext context;
    private final cl_program program;
    private final String source;
    private final BuildOptions options;
    private final List<ClKernel> kernels = new ArrayList<>();
    private boolean closed;

    ClProgram(ClContext context, cl_program program, String source, BuildOptions options) {
        this.context = context;
        this.program = program;
        this.source = source;
        this.options = options;
    }

    /**
     * A new kernel object for {@code name}. Each call returns a separate kernel with its own
     * arguments, so two operators can use the same program without disturbing each other.
     */
    public ClKernel kernel(String name) {
        context.ensureOpen();
        int[] err = new int[1];
        cl_kernel k = clCreateKernel(program, name, err);
        if (err[0] != CL_SUCCESS) {
            throw new ClException(err[0], "clCreateKernel", name, "in " + source + " [" + options + "]");
        }
        ClKernel kernel = new ClKernel(context, k, name);
        kernels.add(kernel);
        return kernel;
    }

    public String source() { return source; }

    public BuildOptions options() { return options; }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            for (ClKernel k : kernels) {
                k.close();
            }
            clReleaseProgram(program);
        }
    }
}
