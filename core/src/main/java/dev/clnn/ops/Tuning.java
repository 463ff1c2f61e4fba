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
 * and parameters per family and device, most specific entry first. Before the table, in this order:
 * a trial entry of the calling thread ({@link #trial}, what {@code clnn tune} times), a system
 * property {@code clnn.tune.<family>} (one run), and the device's tuning file ({@link TuningCache},
 * what {@code clnn tune} keeps).
 */
public final class Tuning {
    private static final String RESOURCE = "dev/clnn/kernels/tuning.properties";
    private static final Properties TABLE = load();
    private static final ThreadLocal<Map<String, Map<String, String>>> TRIAL = new ThreadLocal<>();

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
        Map<String, Map<String, String>> trial = TRIAL.get();
        if (trial != null && trial.containsKey(family)) {
            return trial.get(family);
        }
        String override = System.getProperty("clnn.tune." + family);
        if (override != null && !override.isBlank()) {
            return parse(override, "-Dclnn.tune." + family);
        }
        Map<String, String> tuned = trial != null ? null : TuningCache.find(family, device);
        if (tuned != null) {
            return tuned;
        }
        return fromTable(family, device);
    }

    /** The built-in table's entry for {@code family} on {@code device}, or null; no file or override. */
    public static Map<String, String> fromTable(String family, ClDevice device) {
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

    /**
     * Makes {@code entries} (family to entry) the calling thread's choice until the returned handle
     * is closed: compiles on this thread then use them before anything else, and the table (never
     * the tuning file) for the other families. For timing candidates against the table.
     */
    public static Trial trial(Map<String, Map<String, String>> entries) {
        Map<String, Map<String, String>> before = TRIAL.get();
        Map<String, Map<String, String>> now = new java.util.HashMap<>(before == null ? Map.of() : before);
        entries.forEach((family, entry) -> now.put(family, Map.copyOf(parse(format(entry), "trial " + family))));
        TRIAL.set(Map.copyOf(now));
        return () -> {
            if (before == null) {
                TRIAL.remove();
            } else {
                TRIAL.set(before);
            }
        };
    }

    /** A {@link #trial} in force; closing it restores the thread's earlier choice. */
    public interface Trial extends AutoCloseable {
        @Override
        void close();
    }

    /** An entry as the table writes it: {@code variant=...} first, then the other keys. */
    public static String format(Map<String, String> entry) {
        if (entry.get("variant") == null) {
            throw new IllegalArgumentException("A tuning entry needs a variant: " + entry);
        }
        StringBuilder sb = new StringBuilder("variant=").append(entry.get("variant"));
        new java.util.TreeMap<>(entry).forEach((k, v) -> {
            if (!k.equals("variant")) {
                sb.append(' ').append(k).append('=').append(v);
            }
        });
        return sb.toString();
    }

    /** Parses {@code NAME=value} tokens separated by spaces or commas; a variant is required. */
    public static Map<String, String> parse(String value, String where) {
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
