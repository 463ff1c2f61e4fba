package dev.clnn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import picocli.CommandLine;

/** clnn's version: {@code clnn -V} and the {@code "clnn"} field of every JSON document. */
final class Version implements CommandLine.IVersionProvider {
    private static final String UNKNOWN = "(development build)";

    @Override
    public String[] getVersion() {
        return new String[] {"clnn " + get(),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }

    /**
     * The jar manifest's {@code Implementation-Version}; when running from {@code target/classes}
     * (no manifest) the version Maven wrote into {@code version.properties} at build time.
     */
    static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        if (v != null) {
            return v;
        }
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String filtered = p.getProperty("version");
                if (filtered != null && !filtered.isBlank() && !filtered.startsWith("${")) {
                    return filtered;
                }
            }
        } catch (IOException e) {
            // fall through: a version is nice to have, never worth failing a command for
        }
        return UNKNOWN;
    }
}
