package dev.clnn.cl;

import java.util.List;
import java.util.Locale;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * One OpenCL device as discovery found it: what it is, and the limits kernels are configured by.
 * Immutable; obtain instances from {@link Devices}.
 */
public final class ClDevice {
    private final int index;
    private final String platformName;
    private final String platformVendor;
    private final String vendor;
    private final String name;
    private final DeviceType type;
    private final boolean unifiedMemory;
    private final int computeUnits;
    private final int clockMhz;
    private final long globalMemBytes;
    private final long maxAllocBytes;
    private final long localMemBytes;
    private final boolean localMemDedicated;
    private final long maxWorkGroupSize;
    private final int baseAddressAlignBytes;
    private final List<String> extensions;
    private final String openclCVersion;
    private final String deviceVersion;
    private final String driverVersion;
    final cl_platform_id platform;
    final cl_device_id id;

    ClDevice(int index, cl_platform_id platform, cl_device_id id, String platformName, String platformVendor,
             String vendor, String name, DeviceType type, boolean unifiedMemory, int computeUnits, int clockMhz,
             long globalMemBytes, long maxAllocBytes, long localMemBytes, boolean localMemDedicated,
             long maxWorkGroupSize, int baseAddressAlignBytes, List<String> extensions, String openclCVersion,
             String deviceVersion, String driverVersion) {
        this.index = index;
        this.platform = platform;
        this.id = id;
        this.platformName = platformName;
        this.platformVendor = platformVendor;
        this.vendor = vendor;
        this.name = name;
        this.type = type;
        this.unifiedMemory = unifiedMemory;
        this.computeUnits = computeUnits;
        this.clockMhz = clockMhz;
        this.globalMemBytes = globalMemBytes;
        this.maxAllocBytes = maxAllocBytes;
        this.localMemBytes = localMemBytes;
        this.localMemDedicated = localMemDedicated;
        this.maxWorkGroupSize = maxWorkGroupSize;
        this.baseAddressAlignBytes = baseAddressAlignBytes;
        this.extensions = List.copyOf(extensions);
        this.openclCVersion = openclCVersion;
        this.deviceVersion = deviceVersion;
        this.driverVersion = driverVersion;
    }

    /** Position in {@link Devices#all()}; stable for one machine and driver set. */
    public int index() { return index; }
    public String platformName() { return platformName; }
    public String platformVendor() { return platformVendor; }
    public String vendor() { return vendor; }
    public String name() { return name; }
    public DeviceType type() { return type; }
    /** {@code CL_DEVICE_HOST_UNIFIED_MEMORY}: the device shares memory with the host. */
    public boolean unifiedMemory() { return unifiedMemory; }
    public int computeUnits() { return computeUnits; }
    public int clockMhz() { return clockMhz; }
    public long globalMemBytes() { return globalMemBytes; }
    public long maxAllocBytes() { return maxAllocBytes; }
    public long localMemBytes() { return localMemBytes; }
    /** Local memory is real on-chip memory ({@code CL_LOCAL}) rather than emulated in global memory. */
    public boolean localMemDedicated() { return localMemDedicated; }
    public long maxWorkGroupSize() { return maxWorkGroupSize; }
    /**
     * {@code CL_DEVICE_MEM_BASE_ADDR_ALIGN}, in bytes (the device reports bits): where a sub-buffer
     * ({@link ClBuffer#region}) may start, e.g. 128 on PoCL's CPU device.
     */
    public int baseAddressAlignBytes() { return baseAddressAlignBytes; }
    public List<String> extensions() { return extensions; }
    public String openclCVersion() { return openclCVersion; }
    public String deviceVersion() { return deviceVersion; }
    public String driverVersion() { return driverVersion; }

    public boolean isCpu() { return type == DeviceType.CPU; }
    public boolean isGpu() { return type == DeviceType.GPU; }

    /** A GPU that shares memory with the host: an integrated GPU. */
    public boolean isIntegratedGpu() { return type == DeviceType.GPU && unifiedMemory; }

    /** A GPU with its own memory: a discrete card, internal or external. */
    public boolean isDiscreteGpu() { return type == DeviceType.GPU && !unifiedMemory; }

    public boolean hasExtension(String extension) { return extensions.contains(extension); }

    /** "CPU", "integrated GPU", "discrete GPU", "accelerator" or "other": the label used in tables. */
    public String kind() {
        switch (type) {
            case CPU: return "CPU";
            case GPU: return unifiedMemory ? "integrated GPU" : "discrete GPU";
            case ACCELERATOR: return "accelerator";
            default: return "other";
        }
    }

    /** Lower-case text that name-fragment specs match: name, vendor and platform. */
    String searchText() {
        return (name + " " + vendor + " " + platformName + " " + platformVendor).toLowerCase(Locale.ROOT);
    }

    /** A stable identity for caches: platform, device name, driver and device versions. */
    public String identity() {
        return platformName + "|" + name + "|" + driverVersion + "|" + deviceVersion;
    }

    @Override
    public String toString() {
        return "[" + index + "] " + name + " (" + kind() + ", " + platformName + ")";
    }
}
