package dev.clnn.cl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

import dev.clnn.io.Locations;

/**
 * Device spec strings and the default device.
 *
 * <p>The default device is, in order: the {@code CLNN_DEVICE} environment variable (or the
 * {@code clnn.device} system property), the default saved with {@link #saveDefault(String)}
 * (by {@code clnn devices --select SPEC}), the best discrete GPU, the best integrated GPU, the CPU.
 */
public final class DeviceSpec {
    /** Environment variable that overrides the saved default device. */
    public static final String ENV = "CLNN_DEVICE";
    private static final String CONFIG_KEY = "device";

    private DeviceSpec() {
    }

    /**
     * The devices a spec selects from {@code devices}, in index order, never empty.
     *
     * @throws IllegalArgumentException when nothing matches; the message lists the devices that exist
     */
    public static List<ClDevice> select(String spec, List<ClDevice> devices) {
        if (spec == null || spec.isBlank()) {
            return List.of(defaultDevice(devices));
        }
        Set<ClDevice> chosen = new LinkedHashSet<>();
        for (String part : spec.split(",")) {
            String term = part.trim().toLowerCase(Locale.ROOT);
            if (term.isEmpty()) {
                continue;
            }
            List<ClDevice> matched = match(term, devices);
            if (matched.isEmpty()) {
                throw new IllegalArgumentException("No OpenCL device matches '" + part.trim()
                        + "'. Use an index, cpu, gpu, igpu, dgpu/egpu, accelerator, a name fragment or all. "
                        + "The devices on this machine are:\n" + Devices.describeAll(devices).stripTrailing());
            }
            chosen.addAll(matched);
        }
        List<ClDevice> result = new ArrayList<>(chosen);
        result.sort((a, b) -> Integer.compare(a.index(), b.index()));
        return List.copyOf(result);
    }

    private static List<ClDevice> match(String term, List<ClDevice> devices) {
        List<ClDevice> out = new ArrayList<>();
        if (term.chars().allMatch(Character::isDigit)) {
            int index = Integer.parseInt(term);
            for (ClDevice d : devices) {
                if (d.index() == index) {
                    out.add(d);
                }
            }
            return out;
        }
        for (ClDevice d : devices) {
            boolean ok;
            switch (term) {
                case "all": ok = true; break;
                case "cpu": ok = d.isCpu(); break;
                case "gpu": ok = d.isGpu(); break;
                case "igpu": ok = d.isIntegratedGpu(); break;
                case "dgpu":
                case "egpu": ok = d.isDiscreteGpu(); break;
                case "accelerator": ok = d.type() == DeviceType.ACCELERATOR; break;
                default: ok = d.searchText().contains(term);
            }
            if (ok) {
                out.add(d);
            }
        }
        return out;
    }

    /**
     * The default device of {@code devices}: {@code CLNN_DEVICE}, else the saved default, else
     * the best GPU (discrete before integrated, then most compute units), else the first device.
     */
    public static ClDevice defaultDevice(List<ClDevice> devices) {
        String configured = configuredSpec();
        if (configured != null) {
            return select(configured, devices).get(0);
        }
        ClDevice best = null;
        for (ClDevice d : devices) {
            if (best == null || rank(d) > rank(best)) {
                best = d;
            }
        }
        return best;
    }

    private static long rank(ClDevice d) {
        long base = d.isDiscreteGpu() ? 3 : d.isIntegratedGpu() ? 2 : d.isCpu() ? 1 : 0;
        return base * 1_000_000L + d.computeUnits();
    }

    /** The spec from {@code CLNN_DEVICE} / {@code -Dclnn.device}, else the saved default, else {@code null}. */
    public static String configuredSpec() {
        String fromProperty = System.getProperty("clnn.device");
        if (fromProperty != null && !fromProperty.isBlank()) {
            return fromProperty.trim();
        }
        String fromEnv = System.getenv(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        return savedDefault();
    }

    /** The spec saved by {@link #saveDefault(String)}, or {@code null}. */
    public static String savedDefault() {
        Path file = configFile();
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
        String spec = p.getProperty(CONFIG_KEY);
        return spec == null || spec.isBlank() ? null : spec.trim();
    }

    /**
     * Saves {@code spec} as the default device after checking it selects a device here.
     * The file is replaced atomically, never left half-written.
     */
    public static Path saveDefault(String spec) throws IOException {
        select(spec, Devices.all());
        Path file = configFile();
        Files.createDirectories(file.getParent());
        Properties p = new Properties();
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IllegalArgumentException e) {
                p.clear();
            }
        }
        p.setProperty(CONFIG_KEY, spec.trim());
        Path tmp = Files.createTempFile(file.getParent(), "config", ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "clnn settings");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    /**
     * Where settings live: {@code -Dclnn.config.dir}, else {@code $CLNN_CONFIG_DIR}, else
     * {@code $XDG_CONFIG_HOME/clnn}, else {@code ~/.config/clnn}.
     */
    public static Path configFile() {
        return configDir().resolve("config.properties");
    }

    static Path configDir() {
        String dir = Locations.setting("clnn.config.dir", "CLNN_CONFIG_DIR");
        return dir != null ? Path.of(dir) : Locations.configHome();
    }
}
