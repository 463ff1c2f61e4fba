package dev.clnn.cl;

import static org.jocl.CL.*;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * Discovery of every OpenCL platform and device, and selection by a spec string.
 *
 * <p>A spec is one of: {@code all}; a device index ({@code 1}); a type ({@code cpu}, {@code gpu},
 * {@code igpu}, {@code dgpu} or its synonym {@code egpu}, {@code accelerator}); or a fragment of
 * the device, vendor or platform name ({@code nvidia}, {@code radeon}), matched without regard to
 * case. Several specs may be joined with commas. See {@link DeviceSpec} for how the default device
 * is chosen.
 */
public final class Devices {
    private static final System.Logger LOG = System.getLogger("dev.clnn.cl");
    private static volatile List<ClDevice> cached;

    private Devices() {
    }

    /**
     * Every device of every platform, in platform order. Discovery runs once per JVM.
     *
     * @throws NoOpenClException when no OpenCL runtime or platform is installed
     */
    public static List<ClDevice> all() {
        List<ClDevice> result = cached;
        if (result == null) {
            synchronized (Devices.class) {
                result = cached;
                if (result == null) {
                    result = discover();
                    cached = result;
                }
            }
        }
        return result;
    }

    /**
     * The devices a spec selects, never empty.
     *
     * @throws IllegalArgumentException naming the spec and listing the devices that exist
     */
    public static List<ClDevice> select(String spec) {
        return DeviceSpec.select(spec, all());
    }

    /** The first device a spec selects; {@code null} or blank means the default device. */
    public static ClDevice selectOne(String spec) {
        if (spec == null || spec.isBlank()) {
            return defaultDevice();
        }
        return select(spec).get(0);
    }

    /** The default device: {@code CLNN_DEVICE}, else the saved default, else the best GPU, else the CPU. */
    public static ClDevice defaultDevice() {
        ClDevice chosen = DeviceSpec.defaultDevice(all());
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "Default OpenCL device: " + chosen + " (" + whyDefault() + ")");
        }
        return chosen;
    }

    /** Where the default came from, in {@link DeviceSpec#configuredSpec()}'s order. */
    private static String whyDefault() {
        String property = System.getProperty("clnn.device");
        if (property != null && !property.isBlank()) {
            return "-Dclnn.device=" + property.trim();
        }
        String env = System.getenv(DeviceSpec.ENV);
        if (env != null && !env.isBlank()) {
            return DeviceSpec.ENV + "=" + env.trim();
        }
        String saved = DeviceSpec.savedDefault();
        if (saved != null) {
            return "saved default '" + saved + "' in " + DeviceSpec.configFile();
        }
        return "none configured: the discrete GPU, else the integrated GPU, else the CPU, with the most compute units";
    }

    /** A table of the devices that exist, one line each, for error messages. */
    public static String describeAll(List<ClDevice> devices) {
        StringBuilder sb = new StringBuilder();
        for (ClDevice d : devices) {
            sb.append("  ").append(d).append('\n');
        }
        return sb.toString();
    }

    private static List<ClDevice> discover() {
        // before any driver loads: a driver may replace the JVM's signal handlers as it does
        SignalChaining.checkOnce();
        cl_platform_id[] platforms;
        try {
            setExceptionsEnabled(false);
            int[] count = new int[1];
            int status = clGetPlatformIDs(0, null, count);
            if (status == NoOpenClException.PLATFORM_NOT_FOUND || (status == CL_SUCCESS && count[0] == 0)) {
                throw new NoOpenClException("the OpenCL ICD loader found no registered driver");
            }
            ClException.check(status, "clGetPlatformIDs");
            platforms = new cl_platform_id[count[0]];
            ClException.check(clGetPlatformIDs(platforms.length, platforms, null), "clGetPlatformIDs");
        } catch (LinkageError e) {
            // UnsatisfiedLinkError the first time JOCL fails to open libOpenCL.so, NoClassDefFoundError after
            throw new NoOpenClException("the OpenCL loader library libOpenCL.so could not be loaded: " + e.getMessage());
        }
        List<ClDevice> devices = new ArrayList<>();
        for (cl_platform_id platform : platforms) {
            int[] n = new int[1];
            int status = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, null, n);
            if (status == CL_DEVICE_NOT_FOUND || n[0] == 0) {
                continue;
            }
            ClException.check(status, "clGetDeviceIDs");
            cl_device_id[] ids = new cl_device_id[n[0]];
            ClException.check(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, ids.length, ids, null), "clGetDeviceIDs");
            for (cl_device_id id : ids) {
                devices.add(describe(devices.size(), platform, id));
            }
        }
        if (devices.isEmpty()) {
            throw new NoOpenClException("OpenCL platforms exist but none reports a device");
        }
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, platforms.length + " OpenCL platform(s), " + devices.size() + " device(s):\n"
                    + describeAll(devices).stripTrailing());
        }
        return List.copyOf(devices);
    }

    private static ClDevice describe(int index, cl_platform_id platform, cl_device_id id) {
        long type = deviceLong(id, CL_DEVICE_TYPE, 8);
        DeviceType kind = (type & CL_DEVICE_TYPE_GPU) != 0 ? DeviceType.GPU
                : (type & CL_DEVICE_TYPE_CPU) != 0 ? DeviceType.CPU
                : (type & CL_DEVICE_TYPE_ACCELERATOR) != 0 ? DeviceType.ACCELERATOR : DeviceType.OTHER;
        List<String> extensions = new ArrayList<>(Arrays.asList(deviceString(id, CL_DEVICE_EXTENSIONS).trim().split("\\s+")));
        extensions.removeIf(String::isEmpty);
        extensions.sort(Comparator.naturalOrder());
        return new ClDevice(index, platform, id,
                platformString(platform, CL_PLATFORM_NAME),
                platformString(platform, CL_PLATFORM_VENDOR),
                deviceString(id, CL_DEVICE_VENDOR),
                deviceString(id, CL_DEVICE_NAME),
                kind,
                deviceLong(id, CL_DEVICE_HOST_UNIFIED_MEMORY, 4) != 0,
                (int) deviceLong(id, CL_DEVICE_MAX_COMPUTE_UNITS, 4),
                (int) deviceLong(id, CL_DEVICE_MAX_CLOCK_FREQUENCY, 4),
                deviceLong(id, CL_DEVICE_GLOBAL_MEM_SIZE, 8),
                deviceLong(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE, 8),
                deviceLong(id, CL_DEVICE_LOCAL_MEM_SIZE, 8),
                deviceLong(id, CL_DEVICE_LOCAL_MEM_TYPE, 4) == CL_LOCAL,
                deviceLong(id, CL_DEVICE_MAX_WORK_GROUP_SIZE, 8),
                baseAddressAlignBytes(id),
                extensions,
                deviceString(id, CL_DEVICE_OPENCL_C_VERSION),
                deviceString(id, CL_DEVICE_VERSION),
                deviceString(id, CL_DRIVER_VERSION));
    }

    /**
     * {@code CL_DEVICE_MEM_BASE_ADDR_ALIGN} in bytes, at least a float's width. The device reports
     * bits; the full profile asks for at least 1024 (the size of a long16), but a driver that reports
     * less, or a width that is no multiple of a float, gets the next multiple of a float.
     */
    private static int baseAddressAlignBytes(cl_device_id id) {
        long bytes = Math.max(Sizeof.cl_float, deviceLong(id, CL_DEVICE_MEM_BASE_ADDR_ALIGN, 4) / 8);
        return (int) ((bytes + Sizeof.cl_float - 1) / Sizeof.cl_float * Sizeof.cl_float);
    }

    static String deviceString(cl_device_id id, int param) {
        long[] size = new long[1];
        ClException.check(clGetDeviceInfo(id, param, 0, null, size), "clGetDeviceInfo");
        byte[] bytes = new byte[(int) size[0]];
        ClException.check(clGetDeviceInfo(id, param, bytes.length, Pointer.to(bytes), null), "clGetDeviceInfo");
        return cString(bytes);
    }

    private static String platformString(cl_platform_id id, int param) {
        long[] size = new long[1];
        ClException.check(clGetPlatformInfo(id, param, 0, null, size), "clGetPlatformInfo");
        byte[] bytes = new byte[(int) size[0]];
        ClException.check(clGetPlatformInfo(id, param, bytes.length, Pointer.to(bytes), null), "clGetPlatformInfo");
        return cString(bytes);
    }

    /** Reads a scalar device property of {@code width} bytes (4: cl_uint/cl_bool, 8: cl_ulong/size_t). */
    private static long deviceLong(cl_device_id id, int param, int width) {
        byte[] bytes = new byte[8];
        ClException.check(clGetDeviceInfo(id, param, width, Pointer.to(bytes), null), "clGetDeviceInfo");
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        return width == 4 ? Integer.toUnsignedLong(buffer.getInt(0)) : buffer.getLong(0);
    }

    private static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8).trim();
    }
}
