package dev.clnn.ops;

import java.util.Locale;
import java.util.Map;

import dev.clnn.cl.ClDevice;

/**
 * Which kernel variant an operator runs, with its vector width and work-group size: read from the
 * tuning table for a device ({@link #tuned}), or given explicitly (tests, tuning). Immutable.
 *
 * <p>Each operator names its variants in its own {@code Variant} enum and documents which of the two
 * numbers it uses; the other is ignored.
 *
 * @param variant       the kernel variant
 * @param vectorWidth   floats per vector load and store: 1, 2, 4, 8 or 16 (tuning key {@code VW})
 * @param workGroupSize work-items per work-group of the variants that reduce or stage data in local
 *                      memory: a power of two (tuning key {@code WG})
 */
public record KernelConfig<V extends Enum<V>>(V variant, int vectorWidth, int workGroupSize) {

    /** Vector width when neither the caller nor the tuning table gives one. */
    public static final int DEFAULT_VECTOR_WIDTH = 4;
    /** Work-group size when neither the caller nor the tuning table gives one. */
    public static final int DEFAULT_WORK_GROUP_SIZE = 64;

    public KernelConfig {
        if (variant == null) {
            throw new IllegalArgumentException("A kernel configuration needs a variant");
        }
        if (vectorWidth != 1 && vectorWidth != 2 && vectorWidth != 4 && vectorWidth != 8 && vectorWidth != 16) {
            throw new IllegalArgumentException("Vector width must be 1, 2, 4, 8 or 16, got " + vectorWidth);
        }
        if (workGroupSize < 1 || Integer.bitCount(workGroupSize) != 1) {
            throw new IllegalArgumentException("Work-group size must be a power of two, got " + workGroupSize);
        }
    }

    /** {@code variant} with the default vector width and work-group size. */
    public static <V extends Enum<V>> KernelConfig<V> of(V variant) {
        return new KernelConfig<>(variant, DEFAULT_VECTOR_WIDTH, DEFAULT_WORK_GROUP_SIZE);
    }

    public static <V extends Enum<V>> KernelConfig<V> of(V variant, int vectorWidth, int workGroupSize) {
        return new KernelConfig<>(variant, vectorWidth, workGroupSize);
    }

    /**
     * The entry of the tuning table for {@code family} on {@code device}: {@code variant=<name>}
     * (an enum constant of {@code type}, any case) with optional {@code VW} and {@code WG}.
     * {@code general} when the table has no entry.
     *
     * @throws IllegalArgumentException when the entry names an unknown variant or a malformed number
     */
    public static <V extends Enum<V>> KernelConfig<V> tuned(String family, ClDevice device, Class<V> type) {
        Map<String, String> entry = Tuning.lookup(family, device);
        String name = entry.get("variant").toUpperCase(Locale.ROOT);
        V variant;
        try {
            variant = Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Tuning entry for " + family + " names variant '" + entry.get("variant")
                    + "'; " + type.getSimpleName() + " has " + java.util.Arrays.toString(type.getEnumConstants()));
        }
        return new KernelConfig<>(variant, number(entry, "VW", DEFAULT_VECTOR_WIDTH, family),
                number(entry, "WG", DEFAULT_WORK_GROUP_SIZE, family));
    }

    private static int number(Map<String, String> entry, String key, int fallback, String family) {
        String s = entry.get(key);
        if (s == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Tuning entry for " + family + ": " + key + " is not a number: " + s);
        }
    }

    /** The same configuration with another variant. */
    public KernelConfig<V> with(V other) {
        return new KernelConfig<>(other, vectorWidth, workGroupSize);
    }

    @Override
    public String toString() {
        return variant.name().toLowerCase(Locale.ROOT) + "(VW=" + vectorWidth + " WG=" + workGroupSize + ")";
    }
}
