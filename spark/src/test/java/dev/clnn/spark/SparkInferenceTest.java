package dev.clnn.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import dev.clnn.cl.Devices;
import dev.clnn.models.Model;
import dev.clnn.onnx.OnnxImport;

/** Batch inference on a {@code local[2]} session gives what one JVM with a {@link Model} gives. */
class SparkInferenceTest {
    private static final int ROWS = 1000;
    private static final int BATCH = TestSpark.BATCH;
    private static final int EXAMPLE = 3 * 64 * 64;
    private static final int CLASSES = 10;

    static final StructType FEATURES = new StructType()
            .add("id", DataTypes.LongType, false)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    /** {@code rows} rows of {@link TestSpark#features} in {@code partitions} partitions, made on the executors. */
    static Dataset<Row> featureRows(SparkSession spark, int rows, int partitions) {
        return spark.range(0, rows, 1, partitions)
                .map((MapFunction<Long, Row>) id -> RowFactory.create(id, TestSpark.features(id, EXAMPLE)),
                        Encoders.row(FEATURES));
    }

    @Test
    void thousandRowsGiveExactlyTheSingleJvmPredictions() throws Exception {
        SparkSession spark = TestSpark.session();
        ExecutorModels.closeAll();          // earlier tests compiled the same model for the same batch size
        Dataset<Row> scored = SparkInference.onnx(TestSpark.mobilenet())
                .batchSize(BATCH).topK(5)
                .transform(featureRows(spark, ROWS, 6));
        List<Row> rows = scored.select("id", "prediction", "prediction_classes", "prediction_scores").collectAsList();
        assertEquals(ROWS, rows.size());
        // six partitions on two task threads, one compiled model: compiled once per device and batch size
        assertEquals(1, ExecutorModels.compiledCount());

        Map<Long, float[]> expected = singleJvm();
        for (Row r : rows) {
            long id = r.getLong(0);
            float[] want = expected.get(id);
            float[] got = floats(r.getList(1));
            assertArrayEquals(want, got, 0f, "row " + id);
            List<Integer> classes = r.getList(2);
            assertEquals(5, classes.size());
            assertEquals(argmax(want), classes.get(0), "row " + id + " top class");
            List<Float> scores = r.getList(3);
            for (int j = 1; j < scores.size(); j++) {
                assertTrue(scores.get(j - 1) >= scores.get(j), "row " + id + " scores in order " + scores);
            }
        }
    }

    /** The same rows through one {@link Model} in this JVM, in id order, batch by batch. */
    private static Map<Long, float[]> singleJvm() throws Exception {
        Map<Long, float[]> out = new HashMap<>();
        try (Model model = OnnxImport.load(TestSpark.mobilenet()).compile(Devices.defaultDevice(), BATCH)) {
            float[] in = new float[BATCH * EXAMPLE];
            float[] result = new float[BATCH * CLASSES];
            for (int start = 0; start < ROWS; start += BATCH) {
                int n = Math.min(BATCH, ROWS - start);
                java.util.Arrays.fill(in, 0f);
                for (int i = 0; i < n; i++) {
                    System.arraycopy(TestSpark.features(start + i, EXAMPLE), 0, in, i * EXAMPLE, EXAMPLE);
                }
                model.predict(in, 0, result, 0);
                for (int i = 0; i < n; i++) {
                    out.put((long) (start + i), java.util.Arrays.copyOfRange(result, i * CLASSES, (i + 1) * CLASSES));
                }
            }
        }
        return out;
    }

    static float[] floats(List<?> values) {
        float[] x = new float[values.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = ((Number) values.get(i)).floatValue();
        }
        return x;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
