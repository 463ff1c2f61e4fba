package dev.clnn.spark;

import java.io.Serializable;
import java.util.List;

/**
 * Everything an executor needs besides the model bytes, shipped with each task: immutable and
 * small. The model itself travels once per executor as a broadcast variable.
 *
 * @param modelName    names the model in messages
 * @param modelKey     SHA-256 of the model bytes: the key of the executor's compiled-model cache
 * @param inputColumn  the column read
 * @param kind         what that column holds
 * @param outputColumn the column written: the model's output per row, {@code array<float>}
 * @param batchSize    rows per device call; the last batch of a partition is padded with zeros
 * @param topK         the classes kept per row (0: none)
 * @param labels       class names, by class index, for the labels column (empty: no labels)
 * @param deviceSpec   a device spec that overrides Spark's GPU assignment and CLNN_DEVICE, or null
 * @param image        how images are turned into the model's input (unused for float columns)
 */
record InferenceOptions(String modelName, String modelKey, String inputColumn, InputKind kind,
                        String outputColumn, int batchSize, int topK, List<String> labels,
                        String deviceSpec, ImagePreprocessing image) implements Serializable {
    private static final long serialVersionUID = 1L;

    InferenceOptions {
        labels = List.copyOf(labels);
    }

    String classesColumn() {
        return outputColumn + "_classes";
    }

    String scoresColumn() {
        return outputColumn + "_scores";
    }

    String labelsColumn() {
        return outputColumn + "_labels";
    }
}
