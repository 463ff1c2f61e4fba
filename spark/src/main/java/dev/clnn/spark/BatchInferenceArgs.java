package dev.clnn.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The command line of {@link SparkBatchInference}. */
record BatchInferenceArgs(String model, String images, String npy, String output, int batchSize, int topK,
                          String labels, String device, int partitions, int concurrency, float[] mean, float[] std) {

    static final String USAGE = """
            Usage: SparkBatchInference --model M.onnx (--images DIR | --npy X.npy) --output OUT.parquet
                     [--batch-size 32] [--top-k 5] [--labels FILE] [--device SPEC] [--partitions N]
                     [--concurrency 4] [--mean R,G,B --std R,G,B]
              --model        the ONNX model (a local path or any Hadoop file system URI), read on the driver
              --images       a folder of PNG / JPEG files (searched recursively), read by the executors
              --npy          a float32 / float64 .npy batch on the driver, one row per example
              --output       the Parquet output; it must not exist yet (written by Spark's committer)
              --batch-size   rows per device call
              --top-k        classes kept per row for a classifier (0: none)
              --labels       class names, one per line, for the labels column
              --device       a clnn device spec for every task; default: Spark's GPU, else CLNN_DEVICE
              --partitions   partitions of the input (default: Spark's default parallelism)
              --concurrency  tasks of one executor that run the model at once
              --mean, --std  image normalisation (default ImageNet's)
            """;

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException saying which option is wrong
     */
    static BatchInferenceArgs parse(String[] args) {
        Builder b = new Builder();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException(name.startsWith("--") ? name + " needs a value" : "unexpected " + name);
            }
            b.set(name, args[++i]);
        }
        return b.build();
    }

    private static final class Builder {
        String model;
        String images;
        String npy;
        String output;
        int batchSize = 32;
        int topK = 5;
        String labels;
        String device;
        int partitions;
        int concurrency = 4;
        float[] mean = ImagePreprocessing.IMAGENET_MEAN;
        float[] std = ImagePreprocessing.IMAGENET_STD;

        void set(String name, String value) {
            switch (name) {
                case "--model" -> model = value;
                case "--images" -> images = value;
                case "--npy" -> npy = value;
                case "--output" -> output = value;
                case "--batch-size" -> batchSize = positive(name, value);
                case "--top-k" -> topK = count(name, value);
                case "--labels" -> labels = value;
                case "--device" -> device = value;
                case "--partitions" -> partitions = positive(name, value);
                case "--concurrency" -> concurrency = positive(name, value);
                case "--mean" -> mean = triple(name, value);
                case "--std" -> std = triple(name, value);
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }

        BatchInferenceArgs build() {
            if (model == null || output == null) {
                throw new IllegalArgumentException("--model and --output are required");
            }
            if ((images == null) == (npy == null)) {
                throw new IllegalArgumentException("give one of --images and --npy");
            }
            return new BatchInferenceArgs(model, images, npy, output, batchSize, topK, labels, device, partitions,
                    concurrency, mean, std);
        }
    }

    private static int count(String name, String value) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " takes a whole number of at least 0; got '" + value + "'");
    }

    private static int positive(String name, String value) {
        int n = count(name, value);
        if (n == 0) {
            throw new IllegalArgumentException(name + " must be at least 1");
        }
        return n;
    }

    private static float[] triple(String name, String value) {
        List<Float> parts = new ArrayList<>();
        for (String p : value.split(",")) {
            try {
                parts.add(Float.parseFloat(p.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " takes three numbers, R,G,B; got '" + value + "'");
            }
        }
        if (parts.size() != 3) {
            throw new IllegalArgumentException(name + " takes three numbers, R,G,B; got '" + value + "'");
        }
        return new float[] {parts.get(0), parts.get(1), parts.get(2)};
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "model %s, %s %s, output %s, batch size %d", model,
                images != null ? "images" : "npy", images != null ? images : npy, output, batchSize);
    }
}
