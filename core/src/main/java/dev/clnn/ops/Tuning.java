package dev.clnn.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import dev.clnn.cl.ClDevice;

/**
 * The tuning table ({@code dev/clnn/kernels/tuning.properties} in clnn-kernels): kernel variant
 * and parameters per family and device, most specific entry first. A system property
 * {@code clnn.tune.<family>} overrides the table for one run.
 */
public final class Tuning {
    private static final String RESOURCE = "dev/clnn/kernels/tuning.properties";
    private static final Properties TABLE = load();

    private Tuning() {
    }

    /**
     * The parameters for {@code family} on {@code device}, as an ordered map that always holds a
     * {@code variant} key.
     */
    public static Map<String, String> lookup(String family, ClDevice device) {
        Map<String, String> found = find(family, device);
        return found == null ? Map.of("variant", "general") : found;
    }

    /** Like {@link #lookup} but {@code null} when neither the table nor an override has an entry. */
    public static Map<String, String> find(String family, ClDevice device) {
        String override = System.getProperty("clnn.tune." + family);
        if (override != null && !override.isBlank()) {
            return parse(override, "-Dclnn.tune." + family);
        }
        String type = device.type().name().toLowerCase(Locale.ROOT);
        String vendor = squash(device.vendor() + " " + device.platformVendor());
        String name = squash(device.name());
        String best = null;
        int bestScore = -1;
        for (String key : TABLE.stringPropertyNames()) {
            String[] parts = key.split("\\.");
            if (parts.length < 2 || !parts[0].equals(family) || !parts[1].equals(type)) {
                continue;
            }
            if (parts.length > 2 && !vendor.contains(parts[2])) {
                continue;
            }
            if (parts.length > 3 && !name.contains(parts[3])) {
                continue;
            }
            if (parts.length > bestScore) {
                bestScore = parts.length;
                best = key;
            }
        }
        if (best == null) {
            return null;
        }
        return parse(TABLE.getProperty(best), RESOURCE + " key " + best);
    }

    static Map<String, String> parse(String value, String where) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String token : value.trim().split("[\\s,]+")) {
            int eq = token.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("Malformed tuning entry '" + token + "' in " + where
                        + ": expected NAME=value");
            }
            out.put(token.substring(0, eq), token.substring(eq + 1));
        }
        if (!out.containsKey("variant")) {
            throw new IllegalArgumentException("Tuning entry in " + where + " names no variant: " + value);
        }
        return out;
    }

    private static String squash(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("\\s+", "");
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Tuning.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + RESOURCE, e);
        }
        return p;
    }
}
