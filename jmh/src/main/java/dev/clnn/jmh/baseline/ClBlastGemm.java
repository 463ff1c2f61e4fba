package dev.clnn.jmh.baseline;

import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.blast.CLBlast;
import org.jocl.blast.CLBlastLayout;
import org.jocl.blast.CLBlastTranspose;

import dev.clnn.cl.ClDevice;

/**
 * CLBlast's SGEMM on a device, as a baseline beside clnn in the same JMH run. It works on raw
 * JOCL handles of its own context (clnn keeps JOCL inside its cl package), finding the device by
 * platform and device name.
 */
public final class ClBlastGemm implements AutoCloseable {
    private final cl_context context;
    private final cl_command_queue queue;
    private final cl_mem a;
    private final cl_mem b;
    private final cl_mem c;
    private final int m;
    private final int n;
    private final int k;

    @SuppressWarnings("deprecation")
    public ClBlastGemm(ClDevice device, int m, int n, int k) {
        this.m = m;
        this.n = n;
        this.k = k;
        setExceptionsEnabled(true);
        CLBlast.setExceptionsEnabled(true);
        cl_device_id id = find(device);
        context = clCreateContext(null, 1, new cl_device_id[] {id}, null, null, null);
        queue = clCreateCommandQueue(context, id, 0, null);
        a = filled((long) m * k);
        b = filled((long) k * n);
        c = clCreateBuffer(context, CL_MEM_READ_WRITE, (long) m * n * Sizeof.cl_float, null, null);
        run(); // NOTE: CLBlast compiles its kernels on the first call; keep that out of the measurement
    }

    private cl_mem filled(long floats) {
        float[] data = new float[Math.toIntExact(floats)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (i % 13) * 0.1f - 0.6f;
        }
        return clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, floats * Sizeof.cl_float,
                Pointer.to(data), null);
    }

    private static cl_device_id find(ClDevice device) {
        int[] np = new int[1];
        clGetPlatformIDs(0, null, np);
        cl_platform_id[] platforms = new cl_platform_id[np[0]];
        clGetPlatformIDs(platforms.length, platforms, null);
        int index = 0;
        for (cl_platform_id p : platforms) {
            int[] nd = new int[1];
            if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, null, nd) != CL_SUCCESS) {
                continue;
            }
            cl_device_id[] ids = new cl_device_id[nd[0]];
            clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, ids.length, ids, null);
            for (cl_device_id id : ids) {
                if (index++ == device.index()) {
                    return id;
                }
            }
        }
        throw new IllegalStateException("Device " + device + " not found for CLBlast");
    }

    /** One SGEMM, waited for. */
    public void run() {
        org.jocl.cl_event event = new org.jocl.cl_event();
        CLBlast.CLBlastSgemm(CLBlastLayout.CLBlastLayoutRowMajor, CLBlastTranspose.CLBlastTransposeNo,
                CLBlastTranspose.CLBlastTransposeNo, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n, queue, event);
        clWaitForEvents(1, new org.jocl.cl_event[] {event});
        clReleaseEvent(event);
    }

    @Override
    public void close() {
        clReleaseMemObject(a);
        clReleaseMemObject(b);
        clReleaseMemObject(c);
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
