package dev.clnn.cl;

import java.util.List;

/** Devices described by their properties alone, with no driver behind them: for rules that read only those. */
public final class FakeDevices {
    private FakeDevices() {
    }

    /** A device of the given vendor, name, type and compute units; nothing can be built or run on it. */
    public static ClDevice of(int index, String vendor, String name, DeviceType type, boolean unified, int units) {
        return new ClDevice(index, null, null, "Test Platform", vendor, vendor, name, type, unified, units, 1000,
                1L << 30, 1L << 28, 1L << 16, true, 1024, 128, List.of(), "OpenCL C 1.2", "OpenCL 1.2", "1.0");
    }

    /** The GPU machine's H200 as NVIDIA's driver describes it: 132 compute units. */
    public static ClDevice h200() {
        return of(0, "NVIDIA Corporation", "NVIDIA H200", DeviceType.GPU, false, 132);
    }
}
