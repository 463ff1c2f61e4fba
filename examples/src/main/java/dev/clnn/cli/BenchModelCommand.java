package dev.clnn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
import dev.clnn.models.FileWeights;
import dev.clnn.models.RandomWeights;
import dev.clnn.models.WeightSource;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.DType;
import dev.clnn.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clnn bench mobilenet|mobilenet_v2|mnist_cnn|model}: inference throughput per device the
 * way plaidbench measures it: compile time apart from execution, a warm-up, many examples at a
 * batch size, and the first examples checked against the Java reference implementation.
 *
 * <p>Sizes are checked before anything is allocated: a batch that no selected device can hold
 * (the same estimate {@code Executable.compile} refuses with) or whose host arrays Java cannot
 * hold ends at once with exit code 2.
 */
abstract class BenchModelCommand implements Callable<Integer> {
    /** Examples of the first batch checked against the plain-Java reference (which is slow). */
    static final int CHECKED = 4;

    /** The most batches in flight that {@code --concurrency} takes (each costs a batch of activations). */
    static final int MAX_CONCURRENCY = 16;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** The options only MobileNet has. */
    static final class MobileNetOptions {
        @Option(names = "--alpha", paramLabel = "ALPHA", defaultValue = "1.0",
                description = "Width multiplier (default ${DEFAULT-VALUE}).")
        float alpha;

        @Option(names = "--resolution", paramLabel = "PIXELS", defaultValue = "224",
                description = "Input size, height = width (default ${DEFAULT-VALUE}).")
        int resolution;
    }

    /** {@code --weights FILE}: trained parameters (a clnn weights file) instead of seeded random ones. */
    static final class WeightsOption {
        @Option(names = "--weights", paramLabel = "FILE",
                description = "Parameters from a clnn weights file (as train --save writes) or an ONNX model "
                        + "(as train --export-onnx writes), by their Keras names (default: random weights from --seed).")
        Path file;
    }

    /** The weights option of the built-in models (null for ONNX models, which carry their own). */
    WeightsOption weightsOption() { return null; }

    WeightSource weights() throws IOException {
        WeightsOption w = weightsOption();
        if (w == null || w.file == null) {
            return new RandomWeights(seed);
        }
        // an exported ONNX model's initializers, or a clnn weights file
        return w.file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx")
                ? dev.clnn.onnx.OnnxWeights.read(w.file) : FileWeights.read(w.file);
    }

    @Command(name = "mobilenet", aliases = "mobilenet_v1", mixinStandardHelpOptions = true,
            description = "MobileNet v1 (Keras layout, random weights) on each device, plaidbench-style.",
            footerHeading = "%nExamples:%n",
            footer = {"  clnn bench mobilenet --device all", "  clnn bench mobilenet --batch-size 16 --profile",
                "  clnn bench mobilenet --alpha 0.5 --resolution 160 --json result.json",
                "  clnn bench mobilenet --device gpu,cpu --split --batch-size 32"})
    static final class V1 extends BenchModelCommand {
        @Mixin
        MobileNetOptions net;

        @Mixin
        WeightsOption weights;

        @Override
        WeightsOption weightsOption() { return weights; }

        @Override
        Graph graph() throws IOException {
            return MobileNetV1.build(weights(), net.alpha, net.resolution, 1000);
        }
    }

    @Command(name = "mobilenet_v2", mixinStandardHelpOptions = true,
            description = "MobileNet v2 (Keras layout, random weights) on each device, plaidbench-style.",
            footerHeading = "%nExamples:%n",
            footer = {"  clnn bench mobilenet_v2 --device all --batch-size 8",
                "  clnn bench mobilenet_v2 --alpha 0.35 --resolution 96"})
    static final class V2 extends BenchModelCommand {
        @Mixin
        MobileNetOptions net;

        @Mixin
        WeightsOption weights;

        @Override
        WeightsOption weightsOption() { return weights; }

        @Override
        Graph graph() throws IOException {
            return MobileNetV2.build(weights(), net.alpha, net.resolution, 1000);
        }
    }

    @Command(name = "mnist_cnn", mixinStandardHelpOptions = true,
            description = "The MNIST quickstart CNN (random weights) on each device, plaidbench-style.",
            footerHeading = "%nExamples:%n",
            footer = {"  clnn bench mnist_cnn --batch-size 64 --examples 8192 --device all",
                "  clnn bench mnist_cnn --json - | jq '.results[].examplesPerSecond'"})
    static final class Mnist extends BenchModelCommand {
        @Mixin
        WeightsOption weights;

        @Override
        WeightsOption weightsOption() { return weights; }

        @Override
        Graph graph() throws IOException {
            return MnistCnn.build(weights());
        }
    }

    /**
     * {@code clnn bench --model FILE} (also {@code clnn bench model --model FILE}): an imported ONNX
     * model, its input shape from the file (a dynamic batch takes {@code --batch-size}).
     */
    @Command(name = "model", mixinStandardHelpOptions = true,
            description = "An ONNX model (--model FILE) on each device, plaidbench-style.",
            footerHeading = "%nExamples:%n",
            footer = {"  clnn bench --model resnet18.onnx --batch-size 8 --device all"})
    static final class Onnx extends BenchModelCommand {
        @Option(names = "--model", paramLabel = "FILE", required = true, description = "The .onnx file.")
        Path file;

        @Override
        void checkInputs() {
            FileArgs.requireFile(file);
        }

        @Override
        Graph graph() throws IOException {
            dev.clnn.onnx.OnnxModel m = dev.clnn.onnx.OnnxImport.load(file);
            if (m.inputNames().size() != 1 || m.outputNames().size() != 1) {
                throw new UserError(file + " has inputs " + m.inputNames() + " and outputs " + m.outputNames()
                        + "; bench runs models of one input and one output (clnn infer runs any)");
            }
            m.checkBatch(batch);
            report().println("Imported " + m);
            return m.graph();
        }

        @Override
        String seeded() { return "input"; }
    }

    @Option(names = "--examples", paramLabel = "N", defaultValue = "1024",
            description = "Examples to run (default ${DEFAULT-VALUE}).")
    int examples;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "1",
            description = "Examples per call (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--device", paramLabel = "SPEC", description = "Device spec or 'all' (default: the default device).")
    String device;

    @Option(names = "--split", description = "Also split each batch across the selected devices at once, in "
            + "proportion to their measured speed, and show the combined throughput beside each device alone, with "
            + "the shares chosen and any device left out. A device listed twice (--device 0,0) gets two contexts.")
    boolean split;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "1",
            description = "Batches in flight at once in the timed run (default ${DEFAULT-VALUE}): N threads share "
                    + "the examples, each call in a lane of its own (activations and a command queue), so one "
                    + "batch's upload and read-back overlap another's kernels. Above 1 the examples/s line is "
                    + "throughput, and the report adds the time a call took.")
    int concurrency;

    @Option(names = "--resident", description = "Also time the batches with the input already on the device and "
            + "the output left there: the calls enqueued back to back, one wait at the end. That is how PyTorch's "
            + "GPU figures are usually taken (a CUDA tensor in, no copy per call), so compare those with this line.")
    boolean resident;

    @Option(names = "--no-warmup", description = "Skip the 32-example warm-up.")
    boolean noWarmup;

    @Option(names = "--profile", description = "Add a per-layer table (device time from profiling events).")
    boolean profile;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE ('-': "
            + "standard output, the report then goes to standard error).")
    Path json;

    @Option(names = "--precision", paramLabel = "fp32|fp16", defaultValue = "fp32",
            description = "fp16: also run the model with half-precision activations (stored as half, computed in "
                    + "fp32) on each device, right after the fp32 run, and report its speed against fp32's, the "
                    + "top-1 agreement and the largest difference (default ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of the random weights and input (default ${DEFAULT-VALUE}).")
    long seed;

    /** The graph to benchmark, at batch 1 (compiled for {@link #batch} later). */
    abstract Graph graph() throws IOException;

    /** Input files to check before any work: the weights file of a built-in model, the ONNX model. */
    void checkInputs() {
        WeightsOption w = weightsOption();
        if (w != null && w.file != null) {
            FileArgs.requireFile(w.file);
        }
    }

    /** What the seed makes: random weights (built-in models) or only the input (ONNX). */
    String seeded() {
        WeightsOption w = weightsOption();
        return w != null && w.file != null ? "input" : "weights";
    }

    /** Where the human-readable report goes: stdout, or stderr when the JSON takes stdout. */
    PrintWriter report() {
        return FileArgs.isStdout(json) ? spec.commandLine().getErr() : spec.commandLine().getOut();
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = report();
        if (examples < 1 || batch < 1 || examples % batch != 0) {
            throw new UserError("--examples (" + examples + ") must be a positive multiple of --batch-size ("
                    + batch + ")");
        }
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new UserError("--concurrency must be between 1 and " + MAX_CONCURRENCY + ", got " + concurrency);
        }
        boolean half = PrecisionOption.storage(precision) == DType.FLOAT16;
        checkInputs();
        FileArgs.requireWritable(FileArgs.file(json));
        Graph graph = graph();
        List<ClDevice> devices = device == null ? List.of(Devices.defaultDevice()) : Devices.select(device);
        List<String> problems = checkSizes(graph, devices);
        float[] input = images(graph.inputShape(batch).size(), seed + 1);
        int checked = Math.min(batch, CHECKED);
        out.printf("Model %s, %d examples at batch size %d, %s warm-up, %s seeded %d%n", graph.name(), examples,
                batch, noWarmup ? "no" : "32-example", seeded(), seed);
        out.printf("Reference (plain Java, the first %d example%s of the first batch)... ", checked,
                checked == 1 ? "" : "s");
        out.flush();
        long r0 = System.nanoTime();
        float[] reference = ReferenceExecutor.runParallel(graph,
                Arrays.copyOf(input, (int) graph.inputShape(checked).size()), checked);
        out.printf("%.1f s%n", (System.nanoTime() - r0) / 1e9);

        List<ModelReport.Result> results = new ArrayList<>();
        List<Json.Obj> failed = new ArrayList<>();
        List<Json.Obj> halves = new ArrayList<>();
        boolean halvesPassed = true;
        for (int i = 0; i < devices.size(); i++) {
            ClDevice d = devices.get(i);
            out.println();
            out.println("Device " + d);
            out.flush();
            String problem = problems.get(i);
            if (problem == null) {
                try {
                    HalfBench.Result[] h = new HalfBench.Result[1];
                    results.add(runOn(out, d, graph, input, reference, checked, half ? h : null));
                    if (h[0] != null) {
                        halves.add(h[0].json().put("device", d.name()).put("index", d.index()));
                        halvesPassed &= h[0].passed();
                    }
                } catch (ClException | IllegalArgumentException e) {
                    problem = e.getMessage();
                }
            }
            if (problem != null) {
                out.println("  failed: " + problem);
                failed.add(Json.obj().put("device", d.name()).put("index", d.index()).put("error", problem));
            }
        }
        SplitBench.Result combined = split ? runSplit(out, graph, input, reference, failed) : null;
        ModelReport.comparison(out, results, combined, examples);
        if (json != null) {
            Json.Obj doc = ModelReport.json(command(), devices, seed, graph, examples, batch, checked, results)
                    .put("failed", failed);
            if (half) {
                doc.put("fp16", halves);
            }
            if (split) {
                doc.put("split", combined == null ? null : SplitBench.json(combined, examples));
            }
            Json.write(json, doc, spec.commandLine().getOut());
            if (!FileArgs.isStdout(json)) {
                out.println("Results written to " + json);
            }
        }
        out.flush();
        boolean splitOk = !split || combined != null && combined.correctness().passed();
        return splitOk && halvesPassed && results.size() == devices.size()
                && results.stream().allMatch(r -> r.correctness().passed()) ? 0 : 1;
    }

    /** {@code --split}: the combined run, or null (and a row in {@code failed}) when it fails. */
    private SplitBench.Result runSplit(PrintWriter out, Graph graph, float[] input, float[] reference,
                                       List<Json.Obj> failed) {
        List<ClDevice> all = SplitBench.devices(device);
        out.println();
        out.println("Split across " + all.size() + " device" + (all.size() == 1 ? "" : "s") + " at once ("
                + String.join(",", all.stream().map(d -> "" + d.index()).toList()) + "), batch " + batch);
        out.flush();
        try {
            return SplitBench.run(out, spec.commandLine().getErr(), all, graph, input, batch, examples, !noWarmup,
                    reference);
        } catch (ClException | IllegalArgumentException e) {
            out.println("  failed: " + e.getMessage());
            failed.add(Json.obj().put("device", "split").put("error", e.getMessage()));
            return null;
        }
    }

    /** {@code n} seeded image-like values, uniform in [0, 1]: the benchmarks' inputs. */
    static float[] images(long n, long seed) {
        float[] x = BenchGemmCommand.uniform(n, seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = (x[i] + 1) / 2;
        }
        return x;
    }

    /** "bench mobilenet", for the JSON. */
    String command() {
        return "bench " + spec.name();
    }

    /**
     * Per device, null when it can hold the batch, else why not; refuses outright (a
     * {@link UserError}) when no device can, or when the host arrays do not fit Java.
     */
    private List<String> checkSizes(Graph graph, List<ClDevice> devices) {
        long bytes = MemoryCheck.deviceBytes(graph, batch);
        List<String> problems = new ArrayList<>();
        for (ClDevice d : devices) {
            problems.add(MemoryCheck.deviceProblem(graph, batch, bytes, d));
        }
        if (problems.stream().allMatch(p -> p != null)) {
            throw new UserError(problems.get(0) + (devices.size() > 1 ? " (and no other selected device fits it)"
                    : ""));
        }
        long in = graph.inputShape(batch).size();
        long outFloats = graph.shapes(batch).get(graph.output()).size();
        MemoryCheck.checkArray(in, "The input batch " + graph.inputShape(batch), "use a smaller --batch-size");
        MemoryCheck.checkArray(outFloats, "The output batch", "use a smaller --batch-size");
        // the input batch, two output batches (the first result and one in flight) and the reference
        long host = 4 * (in + 2 * outFloats + Math.min(batch, CHECKED) * MemoryCheck.referenceFloatsPerExample(graph));
        MemoryCheck.checkHeap(host, graph.name() + " at batch " + batch);
        return problems;
    }

    /** The fp32 run on {@code d}; with {@code half} (one slot), then the fp16 one ({@link HalfBench}) into it. */
    private ModelReport.Result runOn(PrintWriter out, ClDevice d, Graph graph, float[] input, float[] reference,
                                     int checked, HalfBench.Result[] half) {
        try (ClContext cl = ClContext.create(d)) {
            long t0 = System.nanoTime();
            try (Model m = Model.compile(graph, cl, batch); Tensor x = Tensor.allocate(cl, m.inputShape())) {
                x.copyFrom(input);
                float[] first = m.predict(x).toArray();
                double compile = (System.nanoTime() - t0) / 1e9;
                Comparison check = Comparison.of(Arrays.copyOf(first, reference.length), reference,
                        Tolerances.BENCH_RTOL, Tolerances.benchAtol(reference));
                out.printf("  compile      %.3f s (building kernels, uploading weights, the first batch)%n", compile);
                if (!noWarmup) {
                    for (int i = 0; i < Math.max(1, 32 / batch); i++) {
                        x.copyFrom(input);
                        m.predict(x).toArray();
                    }
                }
                Executable exe = m.executable();
                int calls = examples / batch;
                Progress progress = new Progress(spec.commandLine().getErr(), calls, "batches");
                // what callers of Model.predict wait for: the copy in, the run, the copy out (the lanes of
                // --concurrency are made by a warm-up of their own; the one-lane warm-up ran above)
                Concurrent.Timing timing = Concurrent.run(m, input, first, Tolerances.BENCH_RTOL,
                        Tolerances.benchAtol(first), calls, concurrency, !noWarmup && concurrency > 1, progress);
                if (timing.check() != null && !timing.check().passed()) {
                    out.println("  the timed calls' results differ from the first batch's: "
                            + ModelReport.summary(timing.check()));
                    check = timing.check();
                }
                progress.done();
                long kernelNanos = kernelNanos(cl, exe, x, input, calls);
                Resident onDevice = resident ? timeResident(cl, m, x, input, first, calls) : null;
                if (onDevice != null && !onDevice.check().passed()) {
                    out.println("  the resident calls' result differs from the first batch's: "
                            + ModelReport.summary(onDevice.check()));
                    check = onDevice.check();
                }
                ModelReport.Result r = new ModelReport.Result(d, compile, timing.seconds(), kernelNanos / 1e9,
                        cl.peakBytes(), exe.weightBytes(), exe.activationBytes() * timing.lanes(), check,
                        timing.threads(), timing.lanes(), timing.secondsPerCall(), onDevice == null ? Double.NaN : onDevice.seconds());
                ModelReport.print(out, r, examples, checked);
                if (profile) {
                    ModelReport.layers(out, exe.profile(x));
                }
                if (half != null) {
                    half[0] = HalfBench.run(out, spec.commandLine().getErr(), cl, graph, batch, input, m,
                            timing.seconds(), calls, concurrency, !noWarmup, seed, profile ? x : null);
                }
                return r;
            }
        }
    }

    /** The {@code --resident} run: its wall time, and its last output against the first batch's. */
    private record Resident(double seconds, Comparison check) {
    }

    /**
     * {@code --resident}: wall time of {@code calls} runs of the input already on the device, enqueued
     * back to back with one wait at the end (no copy in or out per call); the last run's output,
     * read back after the wait, is checked against {@code first}.
     */
    private static Resident timeResident(ClContext cl, Model m, Tensor x, float[] input, float[] first, int calls) {
        x.copyFrom(input);
        for (int i = 0; i < Math.min(calls, 8); i++) {    // the device-tensor path warm and the queue primed
            m.predict(x);
        }
        cl.finish();
        long t0 = System.nanoTime();
        Tensor y = null;
        for (int i = 0; i < calls; i++) {
            y = m.predict(x);
        }
        cl.finish();
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Resident(seconds, Comparison.of(y.toArray(), first, Tolerances.BENCH_RTOL,
                Tolerances.benchAtol(first)));
    }

    /**
     * Kernel time of all {@code calls}, extrapolated from at most 64 of them. NOTE: it comes from a
     * separate pass: a profiling event per launch costs the host time, and the timed loop must
     * measure what a user waits for.
     */
    private static long kernelNanos(ClContext cl, Executable exe, Tensor x, float[] input, int calls) {
        int sampled = Math.min(calls, 64);
        long nanos = 0;
        for (int i = 0; i < sampled; i++) {
            cl.startRecording();
            x.copyFrom(input);
            exe.run(x).toArray();
            List<ClEvent> events = cl.stopRecording();
            nanos += ClEvent.totalNanos(events);
            events.forEach(ClEvent::close);
        }
        return nanos * calls / sampled;
    }
}
