package dev.clnn.vision;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Class names of a classifier, by output index. Immutable.
 *
 * <p>{@link #imagenet()} is bundled: the 1,000 ImageNet-1k classes in the order every
 * ImageNet classifier uses (torchvision's names, where a few duplicates of the original synset
 * names are told apart, e.g. "crane" and "crane bird").
 */
public final class Labels {
    private static final String IMAGENET_RESOURCE = "imagenet_labels.txt";
    private static volatile Labels imagenet;

    private final List<String> names;
    private final String source;

    private Labels(List<String> names, String source) {
        this.names = List.copyOf(names);
        this.source = source;
    }

    /** Labels from a list, index {@code i} naming output {@code i}. */
    public static Labels of(List<String> names) {
        return new Labels(names, names.size() + " labels");
    }

    public static Labels of(String... names) {
        return of(List.of(names));
    }

    /**
     * Reads a UTF-8 file of one label per line (a byte-order mark, {@code \r} line ends and blank
     * lines at the end are ignored; a blank line elsewhere is an empty label).
     *
     * @throws IllegalArgumentException if the file holds no labels
     */
    public static Labels read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    private static Labels read(InputStream in, String source) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines.add(lines.isEmpty() && line.startsWith("\uFEFF") ? line.substring(1) : line);
            }
        }
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no labels (one per line expected)");
        }
        return new Labels(lines, source);
    }

    /** The 1,000 ImageNet-1k class names, index 0 "tench" to 999 "toilet tissue". */
    public static Labels imagenet() {
        Labels l = imagenet;
        if (l == null) {
            try (InputStream in = Labels.class.getResourceAsStream(IMAGENET_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the bundled resource dev/clnn/vision/" + IMAGENET_RESOURCE
                            + " is missing from clnn-core");
                }
                l = read(in, "ImageNet labels");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            imagenet = l;
        }
        return l;
    }

    /**
     * The bundled labels that fit a classifier with {@code classes} outputs: ImageNet for 1,000;
     * "background" followed by ImageNet for 1,001 (TensorFlow-slim models); none otherwise.
     */
    public static Optional<Labels> standard(int classes) {
        if (classes == 1000) {
            return Optional.of(imagenet());
        }
        if (classes == 1001) {
            List<String> names = new ArrayList<>(1001);
            names.add("background");
            names.addAll(imagenet().names);
            return Optional.of(new Labels(names, "ImageNet labels with background"));
        }
        return Optional.empty();
    }

    public int size() {
        return names.size();
    }

    /** The name of class {@code index}. */
    public String get(int index) {
        return names.get(Objects.checkIndex(index, names.size()));
    }

    /** All names, unmodifiable. */
    public List<String> names() {
        return names;
    }

    /** Where these labels came from (the file, or a description), for messages. */
    public String source() {
        return source;
    }

    /**
     * Checks that there is one label per class.
     *
     * @throws IllegalArgumentException naming both counts when they differ
     */
    public Labels requireClasses(int classes) {
        if (classes != names.size()) {
            throw new IllegalArgumentException(source + " holds " + names.size() + " labels but the model has "
                    + classes + " classes; one label per class, in output order, is needed");
        }
        return this;
    }

    @Override
    public String toString() {
        return source + " (" + names.size() + " labels)";
    }
}
