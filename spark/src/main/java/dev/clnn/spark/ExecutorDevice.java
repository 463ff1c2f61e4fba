package dev.clnn.spark;

import java.util.List;
import java.util.Map;

import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;

/**
 * The OpenCL device of a task without a {@code device} option ({@link SparkInference#device}):
 * the GPU Spark assigned to the task when GPU scheduling is configured ({@code spark.executor.resource.gpu.amount} and {@code spark.task.resource.gpu.amount},
 * with {@link GpuDiscovery}'s script, whose addresses are clnn device indices); otherwise
 * {@code CLNN_DEVICE} and the default rules of {@link Devices#defaultDevice()}.
 */
final class ExecutorDevice {
    /** The resource name Spark's GPU scheduling uses. */
    static final String GPU = "gpu";

    private ExecutorDevice() {
    }

    /** The device of a task that has no {@code device} option. */
    static ClDevice forTask(TaskContext task) {
        Map<String, ResourceInformation> resources = task == null ? Map.of() : task.resourcesJMap();
        ResourceInformation gpu = resources.get(GPU);
        if (gpu != null && gpu.addresses().length > 0) {
            return assigned(gpu.addresses()[0], Devices.all());
        }
        return Devices.defaultDevice();
    }

    /**
     * The device a GPU address names. Addresses are the clnn device indices {@link GpuDiscovery}
     * lists; an address that names no GPU means the cluster runs another discovery script.
     *
     * @throws IllegalArgumentException naming the address and the devices that exist
     */
    static ClDevice assigned(String address, List<ClDevice> devices) {
        String why;
        try {
            int index = Integer.parseInt(address.trim());
            ClDevice device = devices.stream().filter(d -> d.index() == index).findFirst().orElse(null);
            if (device != null && device.isGpu()) {
                return device;
            }
            why = device == null ? "no OpenCL device has index " + index
                    : "OpenCL device " + index + " is " + device.kind() + ", not a GPU";
        } catch (NumberFormatException e) {
            why = "it is not an OpenCL device index";
        }
        throw new IllegalArgumentException("clnn-spark: Spark assigned GPU address '" + address + "', but " + why
                + ". Run the GPU discovery script of clnn-spark (spark.executor.resource.gpu.discoveryScript), "
                + "which lists OpenCL GPUs by clnn index. The devices on this executor are:\n"
                + Devices.describeAll(devices).stripTrailing());
    }
}
