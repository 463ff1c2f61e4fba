package dev.clnn.spark;

import java.util.List;
import java.util.stream.Collectors;

import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;

/**
 * Spark's GPU discovery for clnn: prints {@code {"name":"gpu","addresses":["0","2"]}}, the clnn
 * device indices of this machine's OpenCL GPUs, for {@code spark.executor.resource.gpu.discoveryScript}
 * (through {@code clnn-gpu-discovery.sh}, which runs this class). Spark hands each task some of these
 * addresses; {@link ExecutorDevice} maps them back to devices. Prints an empty list when there is
 * no GPU (Spark then refuses to start an executor that asked for one) and exits 1, with one line
 * on standard error, when there is no OpenCL at all.
 */
public final class GpuDiscovery {
    private GpuDiscovery() {
    }

    public static void main(String[] args) {
        List<ClDevice> devices;
        try {
            devices = Devices.all();
        } catch (RuntimeException e) {
            System.err.println("clnn-gpu-discovery: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.println(json(devices));
    }

    /** The resource JSON for the GPUs among {@code devices}. */
    static String json(List<ClDevice> devices) {
        String addresses = devices.stream().filter(ClDevice::isGpu)
                .map(d -> "\"" + d.index() + "\"").collect(Collectors.joining(","));
        return "{\"name\":\"" + ExecutorDevice.GPU + "\",\"addresses\":[" + addresses + "]}";
    }
}
