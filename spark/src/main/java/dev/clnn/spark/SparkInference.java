package dev.clnn.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import dev.clnn.onnx.OnnxFormatException;
import dev.clnn.onnx.OnnxImport;
import dev.clnn.onnx.OnnxModel;
import dev.clnn.tensor.Shape;

/**
 * Batch inference of an ONNX model over a Spark {@code Dataset<Row>}: one input column in, the
 * model's output per row (and, for classifiers, the top classes) out.
 *
 * <pre>{@code
 * Dataset<Row> images = spark.read().format("binaryFile").load("hdfs:///photos");   // path, ..., content
 * Dataset<Row> scored = SparkInference.onnx(Path.of("mobilenet.onnx"))
 *         .inputColumn("content").batchSize(32).topK(5).labels(imagenetLabels)
 *         .transform(images);                       // + prediction, prediction_classes, prediction_scores, prediction_labels
 * scored.drop("content").write().parquet("hdfs:///photos-scored");
 * }</pre>
 *
 * <p>The input column is {@code array<float>} or {@code array<double>} (one example, flattened in
 * the model's input layout, e.g. {@code (3, 224, 224)}), {@code binary} (an encoded PNG or JPEG)
 * or {@code string} (the path of one, on any file system Hadoop reads). Images are resized to the
 * model's input and normalised with {@link #normalize}'s statistics.
 *
 * <p>The model is imported once on the driver, so that a bad model or column fails before any
 * task runs, and its bytes are broadcast once. Each executor compiles it once per device and
 * batch size and keeps it for every later partition and job; a task's device is the one
 * {@link #device} names, else the GPU Spark's resource scheduling assigned to the task, else
 * {@code CLNN_DEVICE}, else the default device. A row the model cannot take (a wrong length, an
 * undecodable image, a null) fails the job with a message naming the partition and the row.
 *
 * <p>Not thread-safe while being configured; {@link #transform} may then be called any number of times.
 */
public final class SparkInference {
    private final byte[] modelBytes;
    private final String modelName;
    private final String modelKey;
    private final OnnxModel model;
    private String inputColumn = "features";
    private String outputColumn = "prediction";
    private int batchSize = 32;
    private int topK;
    private List<String> labels = List.of();
    private String device;
    private float[] mean = ImagePreprocessing.IMAGENET_MEAN;
    private float[] std = ImagePreprocessing.IMAGENET_STD;
    private int concurrency = 4;

    private SparkInference(byte[] modelBytes, String modelName) {
        this.modelBytes = modelBytes.clone();
        this.modelName = modelName;
        this.modelKey = sha256(this.modelBytes);
        try {
            this.model = OnnxImport.load(this.modelBytes, null, modelName);
        } catch (OnnxFormatException e) {
            throw new IllegalArgumentException("clnn-spark: model " + modelName + " cannot be run: " + e.getMessage(), e);
        }
        if (model.inputNames().size() != 1 || model.outputNames().size() != 1) {
            throw new IllegalArgumentException("clnn-spark: model " + modelName + " has inputs " + model.inputNames()
                    + " and outputs " + model.outputNames() + "; clnn-spark scores models of one input and one output");
        }
    }

    /**
     * A model from its ONNX bytes (external data is not supported); {@code name} names it in messages.
     *
     * @throws IllegalArgumentException when the bytes are not an ONNX model clnn can run, or the model
     *                                  has several inputs or outputs, saying why
     */
    public static SparkInference onnx(byte[] bytes, String name) {
        return new SparkInference(bytes, name);
    }

    /** A model from an ONNX file on the driver's file system. */
    public static SparkInference onnx(Path file) throws IOException {
        return new SparkInference(Files.readAllBytes(file), String.valueOf(file.getFileName()));
    }

    /** The column read (default {@code features}). */
    public SparkInference inputColumn(String column) {
        this.inputColumn = requireName(column, "input column");
        return this;
    }

    /**
     * The column written (default {@code prediction}), {@code array<float>}: the model's output
     * for the row, flattened. With {@link #topK} also {@code <name>_classes} ({@code array<int>},
     * best first), {@code <name>_scores} ({@code array<float>}, their probabilities) and, with
     * {@link #labels}, {@code <name>_labels} ({@code array<string>}).
     */
    public SparkInference outputColumn(String column) {
        this.outputColumn = requireName(column, "output column");
        return this;
    }

    /** Rows per device call (default 32); the last batch of a partition is padded. */
    public SparkInference batchSize(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("clnn-spark: batch size must be at least 1; got " + rows);
        }
        this.batchSize = rows;
        return this;
    }

    /** Keeps the {@code k} most probable classes of a classifier's output {@code (N, classes)}; 0: none. */
    public SparkInference topK(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("clnn-spark: top-k must not be negative; got " + k);
        }
        this.topK = k;
        return this;
    }

    /** Class names by index, one per class of the output, for the labels column. */
    public SparkInference labels(List<String> names) {
        this.labels = List.copyOf(names);
        return this;
    }

    /**
     * A device spec for every task ({@code cpu}, {@code gpu}, an index, a name fragment; several,
     * comma-joined, or {@code all}: partition {@code p} runs on the {@code p mod n}-th). Null (the
     * default): Spark's GPU assignment, else {@code CLNN_DEVICE}, else the default device.
     */
    public SparkInference device(String spec) {
        this.device = spec == null || spec.isBlank() ? null : spec.trim();
        return this;
    }

    /** Per-channel (R, G, B) mean and standard deviation of image inputs after scaling to [0, 1]; ImageNet's by default. */
    public SparkInference normalize(float[] mean, float[] std) {
        this.mean = mean.clone();
        this.std = std.clone();
        return this;
    }

    /** How many tasks of one executor may run the model at once (default 4); each holds one batch on the device. */
    public SparkInference concurrency(int tasks) {
        if (tasks < 1) {
            throw new IllegalArgumentException("clnn-spark: concurrency must be at least 1; got " + tasks);
        }
        this.concurrency = tasks;
        return this;
    }

    /** Whether the model is a classifier: its output is {@code (N, classes)}, so {@link #topK} applies. */
    public boolean classifier() {
        return model.outputShape(1).rank() == 2;
    }

    /** The schema {@link #transform} returns for input rows of {@code input}: the input's columns, then the outputs. */
    public StructType outputSchema(StructType input) {
        return plan(input).schema();
    }

    /**
     * Appends the model's outputs to every row of {@code rows}, lazily (nothing runs until an action).
     *
     * @throws IllegalArgumentException at once when the input column is missing or of the wrong
     *                                  type, an output column exists already, or the options do
     *                                  not fit the model
     */
    public Dataset<Row> transform(Dataset<Row> rows) {
        Plan plan = plan(rows.schema());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(rows.sparkSession().sparkContext());
        Broadcast<byte[]> bytes = sc.broadcast(modelBytes);
        PartitionInference task = new PartitionInference(bytes, plan.options(), plan.column(),
                plan.exampleSize(), plan.exampleShape(), concurrency);
        return rows.mapPartitions(task, Encoders.row(plan.schema()));
    }

    private record Plan(InferenceOptions options, int column, int exampleSize, String exampleShape, StructType schema) {
    }

    private Plan plan(StructType input) {
        List<String> names = Arrays.asList(input.fieldNames());
        int column = names.indexOf(inputColumn);
        if (column < 0) {
            throw new IllegalArgumentException("clnn-spark: no input column '" + inputColumn + "'; the columns are "
                    + names);
        }
        InputKind kind = InputKind.of(inputColumn, input.fields()[column].dataType());
        try {
            model.checkBatch(batchSize);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("clnn-spark: " + e.getMessage() + " (set batchSize to match)", e);
        }
        Shape example = model.exampleShape();
        int classes = (int) (model.outputShape(1).size());
        checkClassifier(classes);
        ImagePreprocessing image = kind.isImage() ? ModelShapes.imageInput(modelName, example, mean, std) : null;
        InferenceOptions options = new InferenceOptions(modelName, modelKey, inputColumn, kind, outputColumn,
                batchSize, topK, labels, device, image);
        StructType schema = ModelShapes.outputSchema(input, options);
        return new Plan(options, column, (int) example.size(), example.toString(), schema);
    }

    private void checkClassifier(int classes) {
        Shape out = model.outputShape(1);
        if (topK > 0 && out.rank() != 2) {
            throw new IllegalArgumentException("clnn-spark: top-k needs a classifier's output (N, classes); model "
                    + modelName + " returns " + out);
        }
        if (!labels.isEmpty() && labels.size() != classes) {
            throw new IllegalArgumentException("clnn-spark: " + labels.size() + " labels for model " + modelName
                    + ", which has " + classes + " classes");
        }
    }

    private static String requireName(String column, String what) {
        if (column == null || column.isBlank()) {
            throw new IllegalArgumentException("clnn-spark: the " + what + " needs a name");
        }
        return column;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }
}
