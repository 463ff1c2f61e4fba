package dev.clnn.io;

import java.nio.file.Path;

/**
 * Where clnn keeps files of its own: a folder named by a system property or an environment
 * variable, else under the XDG base directories ({@code $XDG_CACHE_HOME/clnn} or
 * {@code ~/.cache/clnn}, {@code $XDG_CONFIG_HOME/clnn} or {@code ~/.config/clnn}).
 */
public final class Locations {
    private Locations() {
    }

    /**
     * The system property {@code property}, else the environment variable {@code env}; null when
     * neither is set to a non-blank value.
     */
    public static String setting(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? null : v;
    }

    /** {@code $XDG_CACHE_HOME/clnn}, else {@code ~/.cache/clnn}. */
    public static Path cacheHome() {
        return home("XDG_CACHE_HOME", ".cache");
    }

    /** {@code $XDG_CONFIG_HOME/clnn}, else {@code ~/.config/clnn}. */
    public static Path configHome() {
        return home("XDG_CONFIG_HOME", ".config");
    }

    private static Path home(String xdgVariable, String dotFolder) {
        String xdg = System.getenv(xdgVariable);
        return xdg != null && !xdg.isBlank() ? Path.of(xdg, "clnn")
                : Path.of(System.getProperty("user.home"), dotFolder, "clnn");
    }
}
