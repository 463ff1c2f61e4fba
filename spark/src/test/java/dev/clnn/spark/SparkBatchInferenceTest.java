package dev.clnn.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.clnn.cl.Devices;
import dev.clnn.models.Model;
import dev.clnn.onnx.OnnxImport;
import dev.clnn.tensor.Npy;
import dev.clnn.tensor.Shape;

/** The example main: an .npy batch or a folder of images in, a Parquet file of predictions out. */
class SparkBatchInferenceTest {
    private static final int N = 13;
    private static final int EXAMPLE = 3 * 64 * 64;

    @Test
    void anNpyBatchBecomesParquetRowsWithTheSingleJvmPredictions(@TempDir Path tmp) throws Exception {
        float[] data = new float[N * EXAMPLE];
        for (int i = 0; i < N; i++) {
            System.arraycopy(TestSpark.features(i, EXAMPLE), 0, data, i * EXAMPLE, EXAMPLE);
        }
        Path npy = tmp.resolve("x.npy");
        Npy.write(npy, Shape.of(N, 3, 64, 64), data);
        Path labels = tmp.resolve("labels.txt");
        Files.writeString(labels, "zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n\n");
        Path out = tmp.resolve("out.parquet");
        SparkSession spark = TestSpark.session();
        long written = SparkBatchInference.run(spark, BatchInferenceArgs.parse(new String[] {"--model",
                TestSpark.mobilenet().toString(), "--npy", npy.toString(), "--output", out.toString(),
                "--batch-size", String.valueOf(TestSpark.BATCH), "--top-k", "2", "--labels", labels.toString(), "--partitions", "3"}));
        assertEquals(N, written);
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        List<Row> rows = spark.read().parquet(out.toString()).orderBy("index").collectAsList();
        assertEquals(List.of("index", "prediction", "prediction_classes", "prediction_scores", "prediction_labels"),
                Arrays.asList(rows.get(0).schema().fieldNames()));
        try (Model model = OnnxImport.load(TestSpark.mobilenet()).compile(Devices.defaultDevice(), TestSpark.BATCH)) {
            float[] in = new float[TestSpark.BATCH * EXAMPLE];
            for (Row r : rows) {
                int i = (int) r.getLong(0);
                Arrays.fill(in, 0f);
                System.arraycopy(data, i * EXAMPLE, in, 0, EXAMPLE);
                float[] want = Arrays.copyOf(model.predict(in), 10);
                assertArrayEquals(want, SparkInferenceTest.floats(r.getList(1)), 0f, "row " + i);
                List<String> names = r.getList(4);
                assertEquals(2, names.size());
            }
        }
        IllegalArgumentException again = assertThrows(IllegalArgumentException.class,
                () -> SparkBatchInference.run(spark, BatchInferenceArgs.parse(new String[] {"--model",
                        TestSpark.mobilenet().toString(), "--npy", npy.toString(), "--output", out.toString()})));
        assertEquals(out + " exists already; choose another --output", again.getMessage());
    }

    @Test
    void aFolderOfImagesBecomesOneRowPerImage(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("photos/sub"));
        Files.write(dir.resolve("a.png"), ImageRows.png(1, 50, 40));
        Files.write(dir.getParent().resolve("b.PNG"), ImageRows.png(2, 64, 64));
        Files.write(dir.resolve("c.jpg"), ImageRows.encode(javax.imageio.ImageIO.read(
                new java.io.ByteArrayInputStream(ImageRows.png(3, 30, 70))), "jpg"));
        Files.writeString(dir.resolve("readme.txt"), "skipped");
        Path out = tmp.resolve("scored");
        SparkSession spark = TestSpark.session();
        long written = SparkBatchInference.run(spark, BatchInferenceArgs.parse(new String[] {"--model",
                TestSpark.mobilenet().toString(), "--images", tmp.resolve("photos").toString(), "--output",
                out.toString(), "--top-k", "3", "--batch-size", String.valueOf(TestSpark.BATCH)}));
        assertEquals(3, written);
        List<Row> rows = spark.read().parquet(out.toString()).orderBy("path").collectAsList();
        assertEquals(List.of("path", "prediction", "prediction_classes", "prediction_scores"),
                Arrays.asList(rows.get(0).schema().fieldNames()));
        assertTrue(rows.get(0).getString(0).endsWith("photos/b.PNG"), rows.get(0).getString(0));
        assertEquals(3, rows.get(1).getList(2).size());
    }

    @Test
    void usageMistakesAreNamed() {
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> BatchInferenceArgs.parse(
                new String[] {"--model", "m.onnx", "--output", "o", "--npy", "x.npy", "--images", "d"}));
        assertEquals("give one of --images and --npy", both.getMessage());
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class, () -> BatchInferenceArgs.parse(
                new String[] {"--batch-size", "zero"}));
        assertEquals("--batch-size takes a whole number of at least 0; got 'zero'", batch.getMessage());
        IllegalArgumentException mean = assertThrows(IllegalArgumentException.class, () -> BatchInferenceArgs.parse(
                new String[] {"--mean", "0.5,0.5"}));
        assertEquals("--mean takes three numbers, R,G,B; got '0.5,0.5'", mean.getMessage());
    }
}
