package dev.clnn.ops;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import dev.clnn.cl.ClDevice;
import dev.clnn.io.Locations;
import dev.clnn.io.AtomicFiles;

/**
 * Tuned kernel configurations per device, written by {@code clnn tune} and read by every compile on
 * that device before the built-in table ({@link Tuning}). One file per device and driver version in
 * {@link #directory()}:
 *
 * <pre>
 * # clnn tuning: written by clnn tune; edits make the file ignored
 * format = 1
 * device = NVIDIA H200
 * driver = 580.159.04
 * conv2d = variant=implicit_gemm
 * activation = variant=vector VW=8
 * checksum = (SHA-256 of the lines above, from "format")
 * </pre>
 *
 * <p>A file is trusted only as a whole: one that is unreadable, of another format, for another device
 * or driver version (stale), with an unknown family or a malformed entry, or whose checksum does
 * not match (edited or truncated) is ignored with a WARNING on the logger {@code dev.clnn.ops}, and
 * the table applies. Files are written atomically ({@link AtomicFiles}).
 *
 * <p>The directory is {@code -Dclnn.tuning.dir}, else {@code $CLNN_TUNING_DIR}, else
 * {@code $XDG_CACHE_HOME/clnn/tuning}, else {@code ~/.cache/clnn/tuning}; {@code -Dclnn.tuning.cache=off}
 * (or {@code CLNN_TUNING_CACHE=off}) turns reading off.
 */
public final class TuningCache {
    /** The families a file may name: those the operators read from the table. */
    public static final Set<String> FAMILIES = Set.of("gemm_cpu", "gemm_tiled", "gemm_splitk", "activation",
            "softmax", "pool2d", "globalpool", "eltwise", "pad", "transpose", "concat", "slice", "batchnorm",
            "layernorm", "conv2d", "depthwise");
    static final int FORMAT = 1;
    private static final System.Logger LOG = System.getLogger("dev.clnn.ops");
    private static final String HEADER = "# clnn tuning: written by clnn tune; edits make the file ignored";
    private static final Map<String, Optional<Map<String, Map<String, String>>>> LOADED = new ConcurrentHashMap<>();
    /** A device's file-name hash, computed once: every operator's configure looks its family up. */
    private static final Map<String, String> IDS = new ConcurrentHashMap<>();

    private TuningCache() {
    }

    /** Where tuning files live (see the class comment). */
    public static Path directory() {
        String dir = Locations.setting("clnn.tuning.dir", "CLNN_TUNING_DIR");
        return dir != null ? Path.of(dir) : Locations.cacheHome().resolve("tuning");
    }

    /** Whether compiles read tuning files (on unless turned off). */
    public static boolean enabled() {
        String p = System.getProperty("clnn.tuning.cache");
        if (p == null) {
            p = System.getenv("CLNN_TUNING_CACHE");
        }
        return p == null || !p.trim().equalsIgnoreCase("off");
    }

    /** The file for {@code device}: its name made file-safe, and a hash of name, vendor and driver. */
    public static Path file(ClDevice device) {
        String safe = device.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        if (safe.length() > 48) {
            safe = safe.substring(0, 48);
        }
        String key = device.name() + "\n" + device.vendor() + "\n" + device.platformName() + "\n"
                + device.driverVersion();
        String id = IDS.computeIfAbsent(key, k -> sha256(k).substring(0, 12));
        return directory().resolve(safe + "-" + id + ".properties");
    }

    /** The tuned entry for {@code family} on {@code device}, or null (no file, not trusted, or not tuned). */
    static Map<String, String> find(String family, ClDevice device) {
        if (!enabled()) {
            return null;
        }
        Path f = file(device);
        Optional<Map<String, Map<String, String>>> entries = LOADED.computeIfAbsent(f.toString(), k -> load(f, device));
        return entries.map(m -> m.get(family)).orElse(null);
    }

    /** Every trusted entry for {@code device}, by family (empty when there is no trusted file). */
    public static Map<String, Map<String, String>> entries(ClDevice device) {
        return load(file(device), device).orElse(Map.of());
    }

    /**
     * Writes {@code entries} (family to {@code NAME=value} map, each with a variant) as the tuning
     * file of {@code device}, atomically, replacing any earlier one; later compiles use them.
     *
     * @throws IllegalArgumentException for an unknown family or an entry without a variant
     */
    public static Path write(ClDevice device, Map<String, Map<String, String>> entries) throws IOException {
        StringBuilder body = new StringBuilder();
        body.append("format = ").append(FORMAT).append('\n');
        body.append("device = ").append(oneLine(device.name())).append('\n');
        body.append("driver = ").append(oneLine(device.driverVersion())).append('\n');
        for (Map.Entry<String, Map<String, String>> e : new TreeMap<>(entries).entrySet()) {
            if (!FAMILIES.contains(e.getKey())) {
                throw new IllegalArgumentException("Unknown tuning family " + e.getKey() + "; known: " + FAMILIES);
            }
            String value = Tuning.format(e.getValue());
            Tuning.parse(value, "tuning entry " + e.getKey());
            body.append(e.getKey()).append(" = ").append(value).append('\n');
        }
        String text = HEADER + "\n" + body + "checksum = " + sha256(body.toString()) + "\n";
        Path f = file(device);
        Files.createDirectories(f.getParent());
        AtomicFiles.write(f, text);
        LOADED.remove(f.toString());
        return f;
    }

    /** Forgets what was read, so the next compile reads the files again (tests, after {@code clnn tune}). */
    public static void reload() {
        LOADED.clear();
    }

    /** The entries of a trusted file, or empty with a logged warning for one that exists but is not trusted. */
    static Optional<Map<String, Map<String, String>>> load(Path f, ClDevice device) {
        List<String> lines;
        try {
            lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return ignored(f, "it cannot be read (" + e.getMessage() + ")");
        }
        StringBuilder body = new StringBuilder();
        Map<String, String> fields = new LinkedHashMap<>();
        String checksum = null;
        for (String line : lines) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            int eq = t.indexOf('=');
            if (eq <= 0) {
                return ignored(f, "a line is not 'key = value': " + t);
            }
            String key = t.substring(0, eq).strip();
            String value = t.substring(eq + 1).strip();
            if (key.equals("checksum")) {
                checksum = value;
                break;
            }
            if (fields.put(key, value) != null) {
                return ignored(f, "it names " + key + " twice");
            }
            body.append(key).append(" = ").append(value).append('\n');
        }
        if (!String.valueOf(FORMAT).equals(fields.get("format"))) {
            return ignored(f, "its format is " + fields.get("format") + ", this clnn reads " + FORMAT);
        }
        if (checksum == null || !checksum.equals(sha256(body.toString()))) {
            return ignored(f, checksum == null ? "it has no checksum (truncated?)" : "its checksum does not match"
                    + " (edited or damaged)");
        }
        if (!oneLine(device.name()).equals(fields.get("device"))
                || !oneLine(device.driverVersion()).equals(fields.get("driver"))) {
            return ignored(f, "it was tuned for " + fields.get("device") + " driver " + fields.get("driver")
                    + ", not " + device.name() + " driver " + device.driverVersion() + " (stale: run clnn tune again)");
        }
        Map<String, Map<String, String>> entries = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (Set.of("format", "device", "driver").contains(e.getKey())) {
                continue;
            }
            if (!FAMILIES.contains(e.getKey())) {
                return ignored(f, "it names an unknown family " + e.getKey());
            }
            try {
                entries.put(e.getKey(), Map.copyOf(Tuning.parse(e.getValue(), f + " key " + e.getKey())));
            } catch (IllegalArgumentException bad) {
                return ignored(f, bad.getMessage());
            }
        }
        return Optional.of(Map.copyOf(entries));
    }

    private static Optional<Map<String, Map<String, String>>> ignored(Path f, String why) {
        LOG.log(Level.WARNING, "Ignoring tuning file " + f + ": " + why + "; the built-in table applies");
        return Optional.empty();
    }

    private static String oneLine(String s) {
        return s.replaceAll("[\\r\\n=]+", " ").strip();
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }
}
