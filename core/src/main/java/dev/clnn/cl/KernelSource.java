package dev.clnn.cl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OpenCL C source of one kernel file, loaded from the {@code clnn-kernels} resources
 * ({@code dev/clnn/kernels/<family>/<op>.cl}), with the hash that keys the program cache.
 */
public final class KernelSource {
    private static final String ROOT = "dev/clnn/kernels/";
    private static final Map<String, KernelSource> LOADED = new ConcurrentHashMap<>();

    private final String path;
    private final String text;
    private final String sha256;

    private KernelSource(String path, String text) {
        this.path = path;
        this.text = text;
        this.sha256 = Hashing.sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Loads {@code family/op.cl} from the kernels resources.
     *
     * @throws IllegalArgumentException when no such resource exists
     */
    public static KernelSource load(String relativePath) {
        return LOADED.computeIfAbsent(relativePath, KernelSource::read);
    }

    /** A source given as text, for kernels generated at run time and for tests. */
    public static KernelSource of(String name, String text) {
        return new KernelSource(name, text);
    }

    /**
     * This source with the text of the kernels resource {@code header} in front (shared
     * definitions such as {@code common/activation.cl}); the cache key covers both.
     */
    public KernelSource withHeader(String header) {
        KernelSource h = load(header);
        return new KernelSource(header + "+" + path, h.text + "\n#line 1\n" + text);
    }

    private static KernelSource read(String relativePath) {
        String resource = ROOT + relativePath;
        ClassLoader loader = KernelSource.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("No kernel source '" + resource
                        + "' on the class path; is clnn-kernels a dependency of this build?");
            }
            return new KernelSource(relativePath, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read kernel source " + resource, e);
        }
    }

    /** The path below {@code dev/clnn/kernels/}, for messages. */
    public String path() { return path; }

    public String text() { return text; }

    /** SHA-256 of the text, hex. */
    public String sha256() { return sha256; }

    @Override
    public String toString() { return path; }
}
