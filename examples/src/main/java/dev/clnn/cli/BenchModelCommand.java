package dev.clnn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.cl.ClEvent;
import dev.clnn.cl.ClException;
import dev.clnn.cl.Devices;
import dev.clnn.graph.Executable;
import dev.clnn.graph.Graph;
import dev.clnn.graph.ReferenceExecutor;
import dev.clnn.models.MnistCnn;
import dev.clnn.models.MobileNetV1;
import dev.clnn.models.MobileNetV2;
import dev.clnn.models.Model;
import dev.clnn.models.RandomWeights;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clnn bench mobilenet|mobilenet_v2|mnist_cnn}: inference throughput per device the way
 * plaidbench measures it — compile time apart from execution, a warm-up, many examples at a batch
 * size, and the first batch checked against the Java reference implementation.
 */
abstract class BenchModelCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Command(name = "mobilenet", aliases = "mobilenet_v1", mixinStandardHelpOptions = true,
            description = "MobileNet v1 (Keras layout, random weights) on each device, plaidbench-style.")
    static final class V1 extends BenchModelCommand {
        @Override
        String model() { return "mobilenet"; }
    }

    @Command(name = "mobilenet_v2", mixinStandardHelpOptions = true,
            description = "MobileNet v2 (Keras layout, random weights) on each device, plaidbench-style.")
    static final class V2 extends BenchModelCommand {
        @Override
        String model() { return "mobilenet_v2"; }
    }

    @Command(name = "mnist_cnn", mixinStandardHelpOptions = true,
            description = "The MNIST quickstart CNN (random weights) on each device, plaidbench-style.")
    static final class Mnist extends BenchModelCommand {
        @Override
        String model() { return "mnist_cnn"; }
    }

    /**
     * {@code clnn bench --model FILE} (also {@code clnn bench model --model FILE}): an imported ONNX
     * model, its input shape from the file (a dynamic batch takes {@code --batch-size}).
     */
    @Command(name = "model", mixinStandardHelpOptions = true,
            description = "An ONNX model (--model FILE) on each device, plaidbench-style.")
    static final class Onnx extends BenchModelCommand {
        @Option(names = "--model", paramLabel = "FILE", required = true, description = "The .onnx file.")
        Path file;

        @Override
        String model() { return "onnx"; }

        @Override
        Graph graph() throws IOException {
            dev.clnn.onnx.OnnxModel m = dev.clnn.onnx.OnnxImport.load(file);
            m.checkBatch(batch);
            spec.commandLine().getOut().println("Imported " + m);
            return m.graph();
        }
    }

    abstract String model();

    @Option(names = "--examples", defaultValue = "1024", description = "Examples to run (default ${DEFAULT-VALUE}).")
    int examples;

    @Option(names = "--batch-size", defaultValue = "1", description = "Examples per call (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--device", paramLabel = "SPEC", description = "Device spec or 'all' (default: the default device).")
    String device;

    @Option(names = "--no-warmup", description = "Skip the 32-example warm-up.")
    boolean noWarmup;

    @Option(names = "--profile", description = "Add a per-layer table (device time from profiling events).")
    boolean profile;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
    Path json;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the random weights and input.")
    long seed;

    @Option(names = "--alpha", defaultValue = "1.0", description = "Width multiplier of MobileNet (default ${DEFAULT-VALUE}).")
    float alpha;

    @Option(names = "--resolution", defaultValue = "224", description = "Input size of MobileNet (default ${DEFAULT-VALUE}).")
    int resolution;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (examples < 1 || batch < 1 || examples % batch != 0) {
            throw new IllegalArgumentException("--examples (" + examples + ") must be a positive multiple of --batch-size ("
                    + batch + ")");
        }
        Graph graph = graph();
        List<ClDevice> devices = device == null ? List.of(Devices.defaultDevice()) : Devices.select(device);
        float[] input = BenchGemmCommand.uniform((int) graph.inputShape(batch).size(), seed + 1);
        for (int i = 0; i < input.length; i++) {
            input[i] = (input[i] + 1) / 2;      // image-like values in [0, 1]
        }
        out.printf("Model %s, %d examples at batch size %d, %s warm-up, %s seeded %d%n", graph.name(), examples,
                batch, noWarmup ? "no" : "32-example",
                model().equals("onnx") ? "input" : "weights", seed);
        out.print("Reference (plain Java, first batch)... ");
        out.flush();
        long r0 = System.nanoTime();
        float[] reference = ReferenceExecutor.runParallel(graph, input, batch);
        out.printf("%.1f s%n", (System.nanoTime() - r0) / 1e9);

        List<ModelReport.Result> results = new ArrayList<>();
        for (ClDevice d : devices) {
            out.println();
            out.println("Device " + d);
            out.flush();
            try {
                results.add(runOn(out, d, graph, input, reference));
            } catch (ClException | IllegalArgumentException e) {
                out.println("  failed: " + e.getMessage());
            }
        }
        ModelReport.comparison(out, results, examples);
        if (json != null) {
            ModelReport.writeJson(json, graph, examples, batch, results);
            out.println("Results written to " + json);
        }
        out.flush();
        return results.size() == devices.size() && results.stream().allMatch(r -> r.correctness().passed()) ? 0 : 1;
    }

    Graph graph() throws IOException {
        RandomWeights weights = new RandomWeights(seed);
        switch (model()) {
            case "mobilenet":
            case "mobilenet_v1":
                return MobileNetV1.build(weights, alpha, resolution, 1000);
            case "mobilenet_v2":
                return MobileNetV2.build(weights, alpha, resolution, 1000);
            case "mnist_cnn":
                return MnistCnn.build(weights);
            default:
                throw new IllegalArgumentException("Unknown model '" + model() + "'; choose mobilenet, mobilenet_v2 or mnist_cnn");
        }
    }

    private ModelReport.Result runOn(PrintWriter out, ClDevice d, Graph graph, float[] input, float[] reference) {
        try (ClContext cl = ClContext.create(d)) {
            long t0 = System.nanoTime();
            try (Model m = Model.compile(graph, cl, batch); Tensor x = Tensor.allocate(cl, m.inputShape())) {
                x.copyFrom(input);
                float[] first = m.predict(x).toArray();
                double compile = (System.nanoTime() - t0) / 1e9;
                Comparison check = Comparison.of(first, reference, Tolerances.BENCH_RTOL, Tolerances.BENCH_ATOL);
                out.printf("  compile      %.3f s (building kernels, uploading weights, the first batch)%n", compile);
                if (!noWarmup) {
                    for (int i = 0; i < Math.max(1, 32 / batch); i++) {
                        x.copyFrom(input);
                        m.predict(x).toArray();
                    }
                }
                Executable exe = m.executable();
                int calls = examples / batch;
                long start = System.nanoTime();
                Progress progress = new Progress(spec.commandLine().getErr(), calls);
                for (int i = 0; i < calls; i++) {
                    x.copyFrom(input);
                    exe.run(x).toArray();
                    progress.step(i + 1);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                progress.done();
                // NOTE: kernel time comes from a separate pass: a profiling event per launch costs the
                // host time, and the timed loop above must measure what a user waits for.
                int sampled = Math.min(calls, 64);
                long kernelNanos = 0;
                for (int i = 0; i < sampled; i++) {
                    cl.startRecording();
                    x.copyFrom(input);
                    exe.run(x).toArray();
                    List<ClEvent> events = cl.stopRecording();
                    kernelNanos += ClEvent.totalNanos(events);
                    events.forEach(ClEvent::close);
                }
                kernelNanos = kernelNanos * calls / sampled;
                ModelReport.Result r = new ModelReport.Result(d, compile, seconds, kernelNanos / 1e9, cl.peakBytes(),
                        exe.weightBytes(), exe.activationBytes(), check);
                ModelReport.print(out, r, examples);
                if (profile) {
                    ModelReport.layers(out, exe.profile(x));
                }
                return r;
            }
        }
    }

    /** A progress line on stderr, updated in place about twice a second. */
    private static final class Progress {
        private final PrintWriter err;
        private final int total;
        private final long start = System.nanoTime();
        private long last;

        Progress(PrintWriter err, int total) {
            this.err = err;
            this.total = total;
        }

        void step(int done) {
            long now = System.nanoTime();
            if (now - last < 500_000_000L && done < total) {
                return;
            }
            last = now;
            int width = 30;
            int filled = (int) ((long) width * done / total);
            double s = (now - start) / 1e9;
            err.printf("\r  [%s%s] %d/%d batches, %.1f s", "#".repeat(filled), ".".repeat(width - filled), done, total, s);
            err.flush();
        }

        void done() {
            err.print("\r" + " ".repeat(70) + "\r");
            err.flush();
        }
    }
}
