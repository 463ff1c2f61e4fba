package dev.clnn.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.clnn.cl.Devices;
import dev.clnn.models.Model;
import dev.clnn.onnx.OnnxImport;
import dev.clnn.onnx.OnnxModel;

/** A folder of images, read by Spark's binaryFile source or by path, scored like one JVM scores them. */
class SparkImagesTest {
    private static final int IMAGES = 7;
    private static final int CLASSES = 10;

    @Test
    void imagesAsBytesAndAsPathsGiveTheSingleJvmPredictionsAndLabels(@TempDir Path dir) throws Exception {
        Map<String, byte[]> files = new HashMap<>();
        for (int i = 0; i < IMAGES; i++) {
            byte[] png = ImageRows.png(i, 40 + 9 * i, 30 + 5 * i);      // sizes unlike the model's 64 x 64
            Path file = dir.resolve("img" + i + ".png");
            Files.write(file, png);
            files.put(file.toUri().getPath(), png);
        }
        Files.writeString(dir.resolve("notes.txt"), "not an image; the glob leaves it out");
        List<String> labels = new ArrayList<>();
        for (int c = 0; c < CLASSES; c++) {
            labels.add("class" + c);
        }
        SparkSession spark = TestSpark.session();
        Dataset<Row> images = spark.read().format("binaryFile").option("pathGlobFilter", "*.png")
                .load(dir.toString()).repartition(3);
        SparkInference inference = SparkInference.onnx(TestSpark.mobilenet()).inputColumn("content")
                .batchSize(TestSpark.BATCH).topK(3).labels(labels);
        List<Row> byBytes = inference.transform(images)
                .select("path", "prediction", "prediction_classes", "prediction_labels").collectAsList();
        List<Row> byPath = inference.inputColumn("path").transform(images.select("path"))
                .select("path", "prediction").collectAsList();
        assertEquals(IMAGES, byBytes.size());
        assertEquals(IMAGES, byPath.size());

        Map<String, float[]> expected = singleJvm(files);
        for (Row r : byBytes) {
            String path = Path.of(java.net.URI.create(r.getString(0))).toString();
            float[] want = expected.get(path);
            assertArrayEquals(want, SparkInferenceTest.floats(r.getList(1)), 0f, path);
            List<Integer> classes = r.getList(2);
            List<String> names = r.getList(3);
            for (int j = 0; j < classes.size(); j++) {
                assertEquals("class" + classes.get(j), names.get(j));
            }
        }
        for (Row r : byPath) {
            String path = Path.of(java.net.URI.create(r.getString(0))).toString();
            assertArrayEquals(expected.get(path), SparkInferenceTest.floats(r.getList(1)), 0f, path + " by path");
        }
    }

    /** Each image decoded by the module's preprocessing and run alone (the rest of its batch zeros) in this JVM. */
    private static Map<String, float[]> singleJvm(Map<String, byte[]> files) throws Exception {
        OnnxModel onnx = OnnxImport.load(TestSpark.mobilenet());
        ImagePreprocessing prep = ModelShapes.imageInput("m", onnx.exampleShape(),
                ImagePreprocessing.IMAGENET_MEAN, ImagePreprocessing.IMAGENET_STD);
        Map<String, float[]> out = new HashMap<>();
        try (Model model = onnx.compile(Devices.defaultDevice(), TestSpark.BATCH)) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                float[] in = new float[TestSpark.BATCH * prep.size()];
                prep.decode(f.getValue(), in, 0);
                out.put(f.getKey(), java.util.Arrays.copyOf(model.predict(in), CLASSES));
            }
        }
        return out;
    }
}
