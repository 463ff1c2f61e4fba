package dev.clnn.cl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery on the real runtime, and spec selection on real and on described devices. */
class DevicesTest {

    @AfterEach
    void clearProperties() {
        System.clearProperty("clnn.config.dir");
        System.clearProperty("clnn.device");
    }

    @Test
    void discoversAtLeastOneDeviceWithItsProperties() {
        List<ClDevice> all = Devices.all();
        assertFalse(all.isEmpty(), "CI needs an OpenCL device; none was found");
        for (int i = 0; i < all.size(); i++) {
            ClDevice d = all.get(i);
            assertEquals(i, d.index());
            assertFalse(d.name().isBlank(), "device name");
            assertFalse(d.platformName().isBlank(), "platform name");
            assertTrue(d.computeUnits() > 0, d + " compute units");
            assertTrue(d.globalMemBytes() > 0, d + " global memory");
            assertTrue(d.maxAllocBytes() > 0 && d.maxAllocBytes() <= d.globalMemBytes(), d + " max allocation");
            assertTrue(d.localMemBytes() > 0, d + " local memory");
            assertTrue(d.maxWorkGroupSize() >= 1, d + " work-group size");
            assertTrue(d.openclCVersion().startsWith("OpenCL C"), d.openclCVersion());
            assertFalse(d.driverVersion().isBlank(), "driver version");
            assertTrue(d.extensions().stream().noneMatch(String::isBlank));
        }
    }

    @Test
    void selectsRealDevicesByIndexTypeAndName() {
        List<ClDevice> all = Devices.all();
        assertEquals(all, Devices.select("all"));
        ClDevice first = all.get(0);
        assertEquals(List.of(first), Devices.select("0"));
        String fragment = first.name().substring(0, Math.min(6, first.name().length())).toUpperCase();
        assertTrue(Devices.select(fragment).contains(first), "name fragments match regardless of case");
        String type = first.isCpu() ? "cpu" : first.isGpu() ? "gpu" : "accelerator";
        assertTrue(Devices.select(type).contains(first));
    }

    @Test
    void unknownSpecListsTheDevicesThatExist() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Devices.select("no-such-device-xyz"));
        assertTrue(e.getMessage().contains("No OpenCL device matches 'no-such-device-xyz'"), e.getMessage());
        assertTrue(e.getMessage().contains(Devices.all().get(0).name()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Devices.select("99"));
    }

    @Test
    void typeSpecsDistinguishIntegratedAndDiscreteGpus() {
        List<ClDevice> fake = List.of(
                fake(0, "Intel Xeon", DeviceType.CPU, true, 16),
                fake(1, "Intel Iris Xe", DeviceType.GPU, true, 96),
                fake(2, "NVIDIA H200", DeviceType.GPU, false, 132),
                fake(3, "Radeon RX 7900", DeviceType.GPU, false, 96));
        assertEquals(List.of(fake.get(0)), DeviceSpec.select("cpu", fake));
        assertEquals(List.of(fake.get(1)), DeviceSpec.select("igpu", fake));
        assertEquals(List.of(fake.get(2), fake.get(3)), DeviceSpec.select("dgpu", fake));
        assertEquals(DeviceSpec.select("dgpu", fake), DeviceSpec.select("egpu", fake));
        assertEquals(List.of(fake.get(1), fake.get(2), fake.get(3)), DeviceSpec.select("gpu", fake));
        assertEquals(List.of(fake.get(3)), DeviceSpec.select("radeon", fake));
        assertEquals(List.of(fake.get(0), fake.get(2)), DeviceSpec.select("h200, 0", fake));
        assertThrows(IllegalArgumentException.class, () -> DeviceSpec.select("accelerator", fake));
    }

    @Test
    void defaultPrefersTheLargestDiscreteGpuThenIntegratedThenCpu(@TempDir Path config) {
        System.setProperty("clnn.config.dir", config.toString());
        ClDevice cpu = fake(0, "Xeon", DeviceType.CPU, true, 16);
        ClDevice igpu = fake(1, "Iris", DeviceType.GPU, true, 96);
        ClDevice small = fake(2, "RTX 3050", DeviceType.GPU, false, 20);
        ClDevice big = fake(3, "H200", DeviceType.GPU, false, 132);
        assertEquals(big, DeviceSpec.defaultDevice(List.of(cpu, igpu, small, big)));
        assertEquals(igpu, DeviceSpec.defaultDevice(List.of(cpu, igpu)));
        assertEquals(cpu, DeviceSpec.defaultDevice(List.of(cpu)));
        System.setProperty("clnn.device", "iris");
        assertEquals(igpu, DeviceSpec.defaultDevice(List.of(cpu, igpu, small, big)));
    }

    @Test
    void savedDefaultIsUsedAndRejectsUnknownSpecs(@TempDir Path config) throws Exception {
        System.setProperty("clnn.config.dir", config.toString());
        assertNull(DeviceSpec.savedDefault());
        ClDevice first = Devices.all().get(0);
        Path file = DeviceSpec.saveDefault(String.valueOf(first.index()));
        assertTrue(Files.isRegularFile(file));
        assertEquals(String.valueOf(first.index()), DeviceSpec.savedDefault());
        assertEquals(first, Devices.defaultDevice());
        String before = Files.readString(file);
        assertThrows(IllegalArgumentException.class, () -> DeviceSpec.saveDefault("no-such-device-xyz"));
        assertEquals(before, Files.readString(file), "a rejected spec must not change the saved default");
        try (var stream = Files.list(config)) {
            assertEquals(1, stream.count(), "no temporary files left behind");
        }
    }

    @Test
    void theDefaultDeviceAndWhyAreLogged(@TempDir Path config) {
        System.setProperty("clnn.config.dir", config.toString());
        try (dev.clnn.testing.LogCapture log = dev.clnn.testing.LogCapture.of("dev.clnn.cl")) {
            ClDevice chosen = Devices.defaultDevice();
            String expected = "Default OpenCL device: " + chosen;
            assertTrue(log.contains(java.util.logging.Level.FINE, expected), log.lines().toString());
            System.setProperty("clnn.device", "0");
            Devices.selectOne(null);
            assertTrue(log.contains(java.util.logging.Level.FINE, "(-Dclnn.device=0)"), log.lines().toString());
        }
    }

    @Test
    void noOpenClMessageSaysWhatToInstall() {
        String message = new NoOpenClException("test").getMessage();
        assertTrue(message.contains("pocl-opencl-icd"), message);
        assertTrue(message.contains("No OpenCL platform"), message);
    }

    static ClDevice fake(int index, String name, DeviceType type, boolean unified, int units) {
        return FakeDevices.of(index, "Test", name, type, unified, units);
    }
}
