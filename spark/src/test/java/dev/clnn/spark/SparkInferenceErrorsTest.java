package dev.clnn.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.apache.spark.SparkException;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad model, a bad column or a bad row fails with one message that says what and where; nothing is written. */
class SparkInferenceErrorsTest {
    private static final int EXAMPLE = 3 * 64 * 64;

    @Test
    void bytesThatAreNoModelFailOnTheDriver() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkInference.onnx("not a model".getBytes(StandardCharsets.UTF_8), "broken.onnx"));
        assertTrue(e.getMessage().startsWith("clnn-spark: model broken.onnx cannot be run: "), e.getMessage());
    }

    @Test
    void aModelOfTwoInputsFailsOnTheDriver() {
        dev.clnn.graph.Graph.Builder g = dev.clnn.graph.Graph.builder("two", "a", dev.clnn.tensor.Shape.of(4));
        g.input("b", dev.clnn.tensor.Shape.of(4));
        g.add("sum", new dev.clnn.graph.Op.Binary(dev.clnn.ops.ElementwiseParams.add()), "a", "b");
        byte[] model = dev.clnn.onnx.GraphExport.toBytes(g.build("sum"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkInference.onnx(model, "two.onnx"));
        assertEquals("clnn-spark: model two.onnx has inputs [a, b] and outputs [output]; clnn-spark scores models of"
                + " one input and one output", e.getMessage());
    }

    @Test
    void aTruncatedModelFailsOnTheDriver() {
        byte[] model = TestSpark.mobilenetBytes();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkInference.onnx(Arrays.copyOf(model, model.length / 2), "half.onnx"));
        assertTrue(e.getMessage().contains("model half.onnx cannot be run"), e.getMessage());
    }

    @Test
    void aColumnOfTheWrongTypeIsNamed() {
        SparkSession spark = TestSpark.session();
        Dataset<Row> ints = spark.range(0, 4).selectExpr("id", "cast(id as int) as features");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkInference.onnx(TestSpark.mobilenetBytes(), "m.onnx").transform(ints));
        assertEquals("clnn-spark: input column 'features' has type int; expected " + InputKind.ACCEPTED, e.getMessage());
    }

    @Test
    void aMissingColumnAndATakenOutputColumnAreNamed() {
        SparkSession spark = TestSpark.session();
        Dataset<Row> rows = spark.range(0, 4).selectExpr("id", "array(cast(id as float)) as prediction");
        SparkInference inference = SparkInference.onnx(TestSpark.mobilenetBytes(), "m.onnx");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> inference.transform(rows));
        assertEquals("clnn-spark: no input column 'features'; the columns are [id, prediction]", missing.getMessage());
        IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
                () -> inference.inputColumn("prediction").transform(rows));
        assertTrue(taken.getMessage().contains("output column 'prediction' exists already"), taken.getMessage());
    }

    @Test
    void labelsThatDoNotMatchTheClassesAreRefused() {
        SparkSession spark = TestSpark.session();
        SparkInference inference = SparkInference.onnx(TestSpark.mobilenetBytes(), "m.onnx")
                .topK(3).labels(List.of("a", "b"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> inference.transform(SparkInferenceTest.featureRows(spark, 4, 1)));
        assertEquals("clnn-spark: 2 labels for model m.onnx, which has 10 classes", e.getMessage());
    }

    @Test
    void aRowOfTheWrongLengthFailsTheJobNamingItsPartitionAndNothingIsWritten(@TempDir Path tmp) throws IOException {
        SparkSession spark = TestSpark.session();
        // ids 0..39 in four partitions of ten; id 23 (partition 2, its row 3) is ten values short of an example
        Dataset<Row> rows = spark.range(0, 40, 1, 4).map((MapFunction<Long, Row>) id -> RowFactory.create(id,
                TestSpark.features(id, id == 23 ? EXAMPLE - 10 : EXAMPLE)), Encoders.row(SparkInferenceTest.FEATURES));
        Dataset<Row> scored = SparkInference.onnx(TestSpark.mobilenetBytes(), "m.onnx").batchSize(TestSpark.BATCH)
                .transform(rows);
        Path out = tmp.resolve("scored.parquet");
        SparkException e = assertThrows(SparkException.class,
                () -> scored.drop("features").write().mode(SaveMode.ErrorIfExists).parquet(out.toString()));
        String expected = "clnn-spark: partition 2, row 3 of the partition: column 'features' holds 12278 values; "
                + "model m.onnx takes 12288 per row (3, 64, 64)";
        assertTrue(fullMessage(e).contains(expected), fullMessage(e));
        assertFalse(Files.exists(out.resolve("_SUCCESS")), "no _SUCCESS marker after a failed job");
        assertEquals(List.of(), dataFiles(out), "no data files after a failed job");
    }

    @Test
    void anUndecodableImageFailsTheJobNamingItsPartitionAndPath() {
        SparkSession spark = TestSpark.session();
        StructType schema = new StructType().add("path", DataTypes.StringType).add("content", DataTypes.BinaryType);
        Dataset<Row> rows = spark.createDataFrame(List.of(
                RowFactory.create("a.png", ImageRows.png(1, 20, 30)),
                RowFactory.create("b.png", "not an image".getBytes(StandardCharsets.UTF_8))), schema).coalesce(1);
        Dataset<Row> scored = SparkInference.onnx(TestSpark.mobilenetBytes(), "m.onnx").inputColumn("content")
                .batchSize(TestSpark.BATCH).transform(rows);
        SparkException e = assertThrows(SparkException.class, scored::collectAsList);
        String expected = "clnn-spark: partition 0, row 1 of the partition (path b.png): cannot decode the image (12 bytes)";
        assertTrue(fullMessage(e).contains(expected), fullMessage(e));
    }

    /** Spark puts the task's exception into the job's message; the cause chain holds it too. */
    static String fullMessage(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append('\n');
        }
        return sb.toString();
    }

    private static List<Path> dataFiles(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().startsWith("part-")).toList();
        }
    }
}
