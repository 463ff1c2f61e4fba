package dev.clnn.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.spark.sql.SparkSession;

/** The tests' one {@code local[2]} session (started once per test JVM) and their model fixture. */
final class TestSpark {
    /**
     * The batch size of every test: programs are compiled per batch size, and on a loaded 2-core
     * machine each compile of the model costs tens of seconds; one size compiles once per run.
     */
    static final int BATCH = 8;

    private static SparkSession session;

    private TestSpark() {
    }

    static synchronized SparkSession session() {
        if (session == null) {
            session = SparkSession.builder()
                    .appName("clnn-spark tests")
                    .master("local[2]")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .getOrCreate();
        }
        return session;
    }

    /** MobileNet v2, alpha 0.25, 64 x 64: input (N, 3, 64, 64) NCHW, output (N, 10). */
    static Path mobilenet() {
        return Path.of(System.getProperty("clnn.test.onnx", "../core/src/test/resources/onnx"))
                .resolve("mobilenet_v2_025_64.onnx");
    }

    static byte[] mobilenetBytes() {
        try {
            return Files.readAllBytes(mobilenet());
        } catch (IOException e) {
            throw new IllegalStateException("the test model is missing: " + mobilenet(), e);
        }
    }

    /** The example of row {@code id}: {@code size} floats in [-1, 1), the same in every JVM. */
    static float[] features(long id, int size) {
        return SparkThroughput.features(id, size);
    }
}
