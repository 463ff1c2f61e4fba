package dev.clnn.models;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.clnn.nn.WeightsFile;
import dev.clnn.tensor.Shape;

/**
 * Parameters stored in a clnn weights file ({@link WeightsFile}, what {@code Sequential.save} and
 * {@code clnn train --save} write), by their Keras names: a trained network runs in a model builder
 * ({@code MnistCnn.build(FileWeights.read(path))}) or in {@code clnn bench --weights FILE}.
 * A parameter the builder asks for must be in the file with exactly the shape asked.
 */
public final class FileWeights implements WeightSource {
    private final Path file;
    private final Map<String, WeightsFile.Entry> entries;

    private FileWeights(Path file, Map<String, WeightsFile.Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    /**
     * Reads every tensor of {@code file}.
     *
     * @throws IOException when the file is missing, truncated or corrupt (one message naming it)
     */
    public static FileWeights read(Path file) throws IOException {
        Map<String, WeightsFile.Entry> byName = new LinkedHashMap<>();
        for (WeightsFile.Entry e : WeightsFile.read(file)) {
            if (byName.put(e.name(), e) != null) {
                throw new IOException(file + ": the parameter " + e.name() + " is stored twice");
            }
        }
        return new FileWeights(file, byName);
    }

    /** The parameter names in the file, in file order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    @Override
    public float[] get(String name, Shape shape, Kind kind, int fanIn) {
        WeightsFile.Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException(file + " has no parameter " + name + " (it has " + summary()
                    + "); was it saved from this network?");
        }
        if (!e.shape().equals(shape)) {
            throw new IllegalArgumentException(file + ": parameter " + name + " has shape " + e.shape()
                    + ", the network needs " + shape);
        }
        return e.data().clone();
    }

    private String summary() {
        String all = String.join(", ", entries.keySet());
        return entries.isEmpty() ? "none" : all.length() > 200 ? all.substring(0, 200) + "..." : all;
    }

    @Override
    public String toString() {
        return "weights from " + file + " (" + entries.size() + " tensors)";
    }
}
