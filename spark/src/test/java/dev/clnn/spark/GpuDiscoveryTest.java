package dev.clnn.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;

/** The discovery JSON and the mapping of Spark's GPU addresses back to devices, on the devices present. */
class GpuDiscoveryTest {
    @Test
    void listsTheIndicesOfGpusOnly() {
        List<ClDevice> devices = Devices.all();
        StringBuilder gpus = new StringBuilder();
        for (ClDevice d : devices) {
            if (d.isGpu()) {
                gpus.append(gpus.length() == 0 ? "" : ",").append('"').append(d.index()).append('"');
            }
        }
        assertEquals("{\"name\":\"gpu\",\"addresses\":[" + gpus + "]}", GpuDiscovery.json(devices));
        assertEquals("{\"name\":\"gpu\",\"addresses\":[]}", GpuDiscovery.json(List.of()));
    }

    @Test
    void anAddressIsAGpusIndexOrAClearError() {
        List<ClDevice> devices = Devices.all();
        for (ClDevice d : devices) {
            String address = Integer.toString(d.index());
            if (d.isGpu()) {
                assertEquals(d, ExecutorDevice.assigned(address, devices));
            } else {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> ExecutorDevice.assigned(address, devices));
                assertTrue(e.getMessage().startsWith("clnn-spark: Spark assigned GPU address '" + address
                        + "', but OpenCL device " + address + " is " + d.kind() + ", not a GPU."), e.getMessage());
            }
        }
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> ExecutorDevice.assigned("99", devices));
        assertTrue(none.getMessage().contains("but no OpenCL device has index 99. Run the GPU discovery script"),
                none.getMessage());
        IllegalArgumentException uuid = assertThrows(IllegalArgumentException.class,
                () -> ExecutorDevice.assigned("GPU-8f3c", devices));
        assertTrue(uuid.getMessage().contains("'GPU-8f3c', but it is not an OpenCL device index"), uuid.getMessage());
    }
}
