package dev.clnn.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;
import dev.clnn.graph.Graph;
import dev.clnn.models.MobileNetV1;
import dev.clnn.models.MobileNetV2;
import dev.clnn.models.Model;
import dev.clnn.models.RandomWeights;
import dev.clnn.onnx.GraphExport;
import dev.clnn.onnx.OnnxImport;
import dev.clnn.onnx.OnnxModel;

/**
 * Throughput of batch inference: one JVM calling a {@link Model} (from one thread, and from as many
 * threads as Spark has task slots) against {@link SparkInference} on {@code local[N]} sessions, the
 * same model, rows and batch size, in one process and one run. Rows are synthetic (seeded) and
 * cached in Spark's memory before timing; compilation is excluded (a warm-up run of each).
 *
 * <pre>
 * SparkThroughput [--model mobilenet_v2|mobilenet_v1|FILE.onnx] [--alpha 1.0] [--resolution 224]
 *                 [--rows 512] [--batch-size 32] [--masters local[2],local[4]] [--device SPEC]...
 *                 [--partitions N] [--repeats 3]
 * </pre>
 * Each {@code --device} (repeatable; a spec with commas spreads partitions over several devices)
 * gets its own table; the single-JVM figures use its first device.
 */
public final class SparkThroughput {
    private static final StructType FEATURES = new StructType().add("id", DataTypes.LongType, false)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    private final byte[] model;
    private final String modelName;
    private final int rows;
    private final int batch;
    private final int repeats;
    private final int partitions;

    private SparkThroughput(byte[] model, String modelName, int rows, int batch, int repeats, int partitions) {
        this.model = model;
        this.modelName = modelName;
        this.rows = rows;
        this.batch = batch;
        this.repeats = repeats;
        this.partitions = partitions;
    }

    public static void main(String[] args) throws Exception {
        String modelArg = "mobilenet_v2";
        float alpha = 1f;
        int resolution = 224;
        int rows = 512;
        int batch = 32;
        int repeats = 3;
        int partitions = 0;
        List<String> masters = List.of("local[2]");
        List<String> devices = new ArrayList<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--model" -> modelArg = v;
                case "--alpha" -> alpha = Float.parseFloat(v);
                case "--resolution" -> resolution = Integer.parseInt(v);
                case "--rows" -> rows = Integer.parseInt(v);
                case "--batch-size" -> batch = Integer.parseInt(v);
                case "--repeats" -> repeats = Integer.parseInt(v);
                case "--partitions" -> partitions = Integer.parseInt(v);
                case "--masters" -> masters = Arrays.asList(v.split(","));
                case "--device" -> devices.add(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (devices.isEmpty()) {
            devices.add(Devices.defaultDevice().index() + "");
        }
        byte[] bytes = modelBytes(modelArg, alpha, resolution);
        String name = modelArg.endsWith(".onnx") ? Path.of(modelArg).getFileName().toString()
                : String.format(Locale.ROOT, "%s_%s_%d", modelArg, alpha, resolution);
        SparkThroughput bench = new SparkThroughput(bytes, name, rows, batch, repeats, partitions);
        for (String spec : devices) {
            bench.run(spec, masters);
        }
    }

    /** A built-in network with seeded random weights, exported to ONNX, or an ONNX file. */
    static byte[] modelBytes(String model, float alpha, int resolution) throws IOException {
        Graph g;
        switch (model) {
            case "mobilenet_v1" -> g = MobileNetV1.build(new RandomWeights(42), alpha, resolution, 1000);
            case "mobilenet_v2" -> g = MobileNetV2.build(new RandomWeights(42), alpha, resolution, 1000);
            default -> {
                return Files.readAllBytes(Path.of(model));
            }
        }
        return GraphExport.toBytes(g);
    }

    private void run(String spec, List<String> masters) throws Exception {
        List<ClDevice> devices = Devices.select(spec);
        OnnxModel onnx = OnnxImport.load(model, null, modelName);
        int example = (int) onnx.exampleShape().size();
        System.out.printf(Locale.ROOT, "%n== %s, batch %d, %d rows of %s, device %s:%n", modelName, batch, rows,
                onnx.exampleShape(), spec);
        for (ClDevice d : devices) {
            System.out.println("   " + d);
        }
        float[] data = new float[rows * example];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(features(r, example), 0, data, r * example, example);
        }
        double base = 0;
        int maxSlots = masters.stream().mapToInt(SparkThroughput::slots).max().orElse(2);
        try (Model m = onnx.compile(devices.get(0), batch)) {
            m.maxConcurrency(maxSlots);
            for (int threads : threadCounts(maxSlots)) {
                double rate = rate(() -> singleJvm(m, data, example, threads));
                base = base == 0 ? rate : base;
                report("single JVM, " + threads + " thread" + (threads == 1 ? "" : "s"), rate, base);
            }
        }
        for (String master : masters) {
            report("Spark " + master, spark(master, spec, example), base);
        }
    }

    private static List<Integer> threadCounts(int slots) {
        return slots > 1 ? List.of(1, slots) : List.of(1);
    }

    /** The task slots of a local master: {@code local[N]} has N, {@code local[*]} one per core. */
    static int slots(String master) {
        String m = master.trim();
        if (m.equals("local")) {
            return 1;
        }
        String n = m.replaceAll("^local\\[(\\*|\\d+)(,\\d+)?\\]$", "$1");
        return n.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n);
    }

    private void singleJvm(Model m, float[] data, int example, int threads) throws Exception {
        int outSize = (int) (m.outputShape().size() / batch);
        int batches = (rows + batch - 1) / batch;
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    float[] in = new float[batch * example];
                    float[] out = new float[batch * outSize];
                    for (int b = next.getAndIncrement(); b < batches; b = next.getAndIncrement()) {
                        int n = Math.min(batch, rows - b * batch);
                        System.arraycopy(data, b * batch * example, in, 0, n * example);
                        Arrays.fill(in, n * example, in.length, 0f);
                        m.predict(in, 0, out, 0);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private double spark(String master, String spec, int example) throws Exception {
        SparkSession spark = SparkSession.builder().appName("clnn SparkThroughput").master(master)
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            int parts = partitions > 0 ? partitions : 4 * slots(master);
            Dataset<Row> input = spark.range(0, rows, 1, parts)
                    .map((MapFunction<Long, Row>) id -> RowFactory.create(id, features(id, example)),
                            Encoders.row(FEATURES))
                    .persist(StorageLevel.MEMORY_ONLY());
            input.count();
            Dataset<Row> scored = SparkInference.onnx(model, modelName).batchSize(batch).device(spec)
                    .concurrency(slots(master)).transform(input).drop("features");
            return rate(() -> scored.write().format("noop").mode(SaveMode.Overwrite).save());
        } finally {
            spark.stop();
        }
    }

    /** Rows per second: one warm-up run (compiles), then the median of {@code repeats} timed runs. */
    private double rate(Work work) throws Exception {
        work.run();
        double[] seconds = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            work.run();
            seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(seconds);
        return rows / seconds[repeats / 2];
    }

    private static void report(String what, double rate, double base) {
        System.out.printf(Locale.ROOT, "%-28s %9.1f rows/s  %5.2fx%n", what, rate, rate / base);
    }

    /** Row {@code id}'s example: {@code size} floats in [-1, 1), the same in every JVM. */
    static float[] features(long id, int size) {
        SplittableRandom random = new SplittableRandom(0x5eed_0000L + id);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return x;
    }

    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }
}
