package dev.clnn.testing;

import java.util.List;
import java.util.stream.Stream;

import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;

/**
 * The devices device tests run on: every OpenCL device present, or those {@code -Dclnn.test.devices=SPEC}
 * selects. Never empty: with no OpenCL device the tests fail with the reason (they do not skip).
 */
public final class TestDevices {
    private TestDevices() {
    }

    public static List<ClDevice> all() {
        String spec = System.getProperty("clnn.test.devices", "all");
        return Devices.select(spec);
    }

    /**
     * True on Oclgrind's simulator (test.sh runs the operator tests under it): tests then use
     * their small shape lists, which must still reach every variant and fast path.
     */
    public static boolean isSimulator(ClDevice device) {
        return device.name().toLowerCase(java.util.Locale.ROOT).contains("oclgrind");
    }

    /** Every device paired with every one of {@code variants}: arguments {@code (device, variant)}. */
    public static Stream<org.junit.jupiter.params.provider.Arguments> crossedWith(java.util.Collection<?> variants) {
        return all().stream().flatMap(d -> variants.stream()
                .map(v -> org.junit.jupiter.params.provider.Arguments.of(d, v)));
    }

    /** Every device paired with every element of {@code variants}. */
    public static Stream<org.junit.jupiter.params.provider.Arguments> crossedWith(Object[] variants) {
        return crossedWith(java.util.Arrays.asList(variants));
    }

    /** For {@code @MethodSource}. */
    public static Stream<ClDevice> stream() {
        return all().stream();
    }
}
