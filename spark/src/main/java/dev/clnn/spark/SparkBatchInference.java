package dev.clnn.spark;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import dev.clnn.tensor.Npy;

/**
 * Scores a folder of images or an .npy batch with an ONNX model on Spark and writes the
 * predictions as Parquet: one row per image ({@code path}) or example ({@code index}), with the
 * model's output and, for classifiers, the top classes, their probabilities and labels.
 *
 * <pre>
 * spark-submit --class dev.clnn.spark.SparkBatchInference clnn-spark.jar \
 *     --model mobilenet.onnx --images hdfs:///photos --output hdfs:///photos-scored.parquet --labels labels.txt
 * </pre>
 *
 * Without {@code spark-submit} (no {@code spark.master} set) it runs on {@code local[*]}. Exit
 * codes: 0 done, 1 the job failed, 2 a usage mistake or an input the model cannot take.
 */
public final class SparkBatchInference {
    private SparkBatchInference() {
    }

    public static void main(String[] args) {
        BatchInferenceArgs a;
        try {
            a = BatchInferenceArgs.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("SparkBatchInference: " + e.getMessage());
            System.err.print(BatchInferenceArgs.USAGE);
            System.exit(2);
            return;
        }
        SparkConf conf = new SparkConf();
        SparkSession.Builder builder = SparkSession.builder().appName("clnn SparkBatchInference");
        if (!conf.contains("spark.master")) {
            builder.master("local[*]");
        }
        SparkSession spark = builder.getOrCreate();
        int status = 0;
        try {
            long rows = run(spark, a);
            System.out.println("SparkBatchInference: " + rows + " rows written to " + a.output());
        } catch (IllegalArgumentException e) {
            System.err.println("SparkBatchInference: " + e.getMessage());
            status = 2;
        } catch (IOException | RuntimeException e) {
            System.err.println("SparkBatchInference: " + e);
            status = 1;
        } finally {
            spark.stop();
        }
        System.exit(status);
    }

    /**
     * Runs the whole job on {@code spark}: reads the model and inputs, scores them, writes
     * {@code a.output()}; returns the rows written.
     *
     * @throws IllegalArgumentException when the output exists, or the model or inputs do not fit
     */
    static long run(SparkSession spark, BatchInferenceArgs a) throws IOException {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        org.apache.hadoop.fs.Path out = new org.apache.hadoop.fs.Path(a.output());
        if (out.getFileSystem(hadoop).exists(out)) {
            throw new IllegalArgumentException(a.output() + " exists already; choose another --output");
        }
        String modelName = new org.apache.hadoop.fs.Path(a.model()).getName();
        SparkInference inference = SparkInference.onnx(read(a.model(), hadoop), modelName)
                .batchSize(a.batchSize()).device(a.device()).normalize(a.mean(), a.std())
                .concurrency(a.concurrency());
        if (inference.classifier()) {
            inference.topK(a.topK());
        }
        if (a.labels() != null) {
            inference.labels(labels(read(a.labels(), hadoop)));
        }
        Dataset<Row> input = a.images() != null ? images(spark, a.images()) : npy(spark, a.npy());
        if (a.partitions() > 0) {
            input = input.repartition(a.partitions());
        }
        String column = a.images() != null ? "content" : "features";
        Dataset<Row> scored = inference.inputColumn(column).transform(input).drop(column);
        // Spark's file committer: task outputs go to a temporary folder and are moved into place when
        // the whole job succeeds; a failed job leaves no data files and no _SUCCESS marker
        scored.write().mode(SaveMode.ErrorIfExists).parquet(a.output());
        return spark.read().parquet(a.output()).count();
    }

    /** PNG and JPEG files under {@code dir}: columns {@code path} and {@code content}. */
    static Dataset<Row> images(SparkSession spark, String dir) {
        return spark.read().format("binaryFile")
                .option("pathGlobFilter", "*.{png,PNG,jpg,JPG,jpeg,JPEG}")
                .option("recursiveFileLookup", "true")
                .load(dir)
                .select("path", "content");
    }

    /** The examples of an .npy batch: columns {@code index} and {@code features}. */
    static Dataset<Row> npy(SparkSession spark, String file) throws IOException {
        Npy.Array array = Npy.read(Path.of(file));
        int[] dims = array.shape().dims();
        if (dims.length < 2) {
            throw new IllegalArgumentException(file + " holds shape " + array.shape()
                    + "; expected a batch (N, ...) of at least two dimensions");
        }
        int n = dims[0];
        int size = (int) (array.shape().size() / Math.max(1, n));
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create((long) i, Arrays.copyOfRange(array.data(), i * size, (i + 1) * size)));
        }
        StructType schema = new StructType().add("index", DataTypes.LongType, false)
                .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        return spark.createDataFrame(rows, schema);
    }

    private static byte[] read(String file, Configuration hadoop) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(file);
        FileSystem fs = p.getFileSystem(hadoop);
        if (!fs.exists(p)) {
            throw new IllegalArgumentException("no such file: " + file);
        }
        try (InputStream in = fs.open(p)) {
            return in.readAllBytes();
        }
    }

    private static List<String> labels(byte[] text) {
        List<String> lines = new ArrayList<>(new String(text, StandardCharsets.UTF_8).lines().map(String::strip).toList());
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }
}
