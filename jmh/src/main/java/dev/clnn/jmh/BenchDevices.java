package dev.clnn.jmh;

import java.util.List;
import java.util.stream.Collectors;

import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;

/**
 * The devices the suites run on: every device found, or those {@code -Djmh.devices=SPEC} selects.
 * Benchmarks take the device as a {@code @Param} holding its index; {@link Runner} fills the
 * parameter with every selected device, so the default is all of them.
 */
public final class BenchDevices {
    private BenchDevices() {
    }

    public static List<ClDevice> selected() {
        String spec = System.getProperty("jmh.devices", "all");
        return Devices.select(spec);
    }

    /** The indices of {@link #selected()}, as JMH parameter values. */
    public static String[] indices() {
        return selected().stream().map(d -> String.valueOf(d.index())).toArray(String[]::new);
    }

    /** The device of a parameter value. */
    public static ClDevice byIndex(String index) {
        return Devices.select(index).get(0);
    }

    /** A column heading: "1: NVIDIA H200 (discrete GPU)". */
    public static String label(ClDevice d) {
        return d.index() + ": " + d.name() + " (" + d.kind() + ")";
    }

    static String describe() {
        return selected().stream().map(BenchDevices::label).collect(Collectors.joining(", "));
    }
}
