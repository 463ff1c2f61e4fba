package dev.clnn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.cl.ClEvent;
import dev.clnn.cl.ClException;
import dev.clnn.cl.Devices;
import dev.clnn.ops.Activation;
import dev.clnn.ops.Conv2d;
import dev.clnn.ops.Conv2dParams;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.ReferenceConv;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clnn bench ops}: every distinct convolution of MobileNet v1 (224 x 224) — the first 3x3
 * convolution, each depthwise and each pointwise shape — timed per device beside the plain-Java
 * reference, whose output also checks each device result.
 *
 * <p>Two times per layer, each the median of the timed samples. Wall: host time per call when
 * {@value #CALLS_PER_SAMPLE} calls are queued back to back and then waited for, as the layers of a
 * network run (launch costs included, the final wait shared). Device: the kernels' time from
 * OpenCL profiling events, measured in a separate pass, shown beside it. GFLOPS and GB/s of
 * compulsory memory traffic (input, output and weights once each) come from the wall time; the
 * last column gives GB/s on device time.
 */
@Command(name = "ops", mixinStandardHelpOptions = true,
        description = "MobileNet v1's convolution shapes per device: GFLOPS and GB/s beside the Java reference.",
        footerHeading = "%nExamples:%n",
        footer = {"  clnn bench ops --device all", "  clnn bench ops --kind pointwise --batch-size 8 --json ops.json"})
final class BenchOpsCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--device", paramLabel = "SPEC", description = "Device spec or 'all' (default: the default device).")
    String device;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "20",
            description = "Timed samples per layer (default ${DEFAULT-VALUE}; a wall sample is 10 calls).")
    int iterations;

    /** Calls queued back to back per wall-time sample. */
    static final int CALLS_PER_SAMPLE = 10;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "1", description = "Batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of the random inputs and weights (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE ('-': "
            + "standard output, the report then goes to standard error).")
    Path json;

    @Option(names = "--kind", paramLabel = "KIND",
            description = "Only the layers of this kind: conv, depthwise or pointwise (default: all).")
    String kind;

    /** One convolution of the network: kind, input size, channels in and out, kernel, stride. */
    record Layer(String kind, int size, int cin, int cout, int k, int stride, int count) {
        int groups() { return kind.equals("depthwise") ? cin : 1; }

        int outSize() { return size / stride; }

        Conv2dParams params() {
            int[] pad = k == 1 ? new int[] {0, 0, 0, 0} : stride == 1 ? new int[] {1, 1, 1, 1} : new int[] {0, 0, 1, 1};
            return Conv2dParams.defaults().withStride(stride).withGroups(groups()).withPadding(pad[0], pad[1], pad[2],
                    pad[3]).withActivation(Activation.RELU6);
        }

        double macs(int n) {
            return (double) n * outSize() * outSize() * cout * k * k * (cin / groups());
        }

        double bytes(int n) {
            return 4.0 * ((double) n * size * size * cin + (double) n * outSize() * outSize() * cout
                    + (double) k * k * (cin / groups()) * cout + cout);
        }

        String label() {
            return String.format(Locale.ROOT, "%-9s %3dx%-3d %4d->%-4d %dx%d/%d%s", kind, size, size, cin, cout, k, k, stride,
                    count > 1 ? " (x" + count + ")" : "");
        }
    }

    static List<Layer> mobileNetV1() {
        Map<String, Layer> layers = new LinkedHashMap<>();
        add(layers, new Layer("conv", 224, 3, 32, 3, 2, 1));
        int[][] blocks = {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2}, {512, 1}, {512, 1}, {512, 1},
            {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
        int size = 112;
        int c = 32;
        for (int[] b : blocks) {
            add(layers, new Layer("depthwise", size, c, c, 3, b[1], 1));
            size /= b[1];
            add(layers, new Layer("pointwise", size, c, b[0], 1, 1, 1));
            c = b[0];
        }
        return new ArrayList<>(layers.values());
    }

    private static void add(Map<String, Layer> layers, Layer l) {
        String key = l.kind + l.size + "/" + l.cin + "/" + l.cout + "/" + l.stride;
        Layer old = layers.get(key);
        layers.put(key, old == null ? l : new Layer(l.kind, l.size, l.cin, l.cout, l.k, l.stride, old.count + 1));
    }

    /** The layers' inputs, weights and reference outputs, made once for every device. */
    private record Data(float[][] inputs, float[][] weights, float[][] expected, double[] refSeconds) {
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = FileArgs.isStdout(json) ? spec.commandLine().getErr() : spec.commandLine().getOut();
        if (iterations < 1 || batch < 1) {
            throw new IllegalArgumentException("--iterations and --batch-size must be at least 1");
        }
        FileArgs.requireWritable(FileArgs.file(json));
        List<Layer> layers = mobileNetV1();
        if (kind != null) {
            layers.removeIf(l -> !l.kind.equals(kind));
            if (layers.isEmpty()) {
                throw new IllegalArgumentException("--kind must be conv, depthwise or pointwise, got '" + kind + "'");
            }
        }
        List<ClDevice> devices = device == null ? List.of(Devices.defaultDevice()) : Devices.select(device);
        checkSizes(layers);
        out.printf("MobileNet v1 convolutions at 224x224, batch %d, ReLU6 epilogue; median of %d samples per layer.%n"
                + "wall: host time per call, %d calls queued back to back then waited for; GFLOPS and GB/s from"
                + " it.%ndevice: kernel time from profiling events; dev GB/s from it.%n", batch, iterations,
                CALLS_PER_SAMPLE);
        Data data = data(layers);
        boolean allPass = true;
        List<Json.Obj> rows = new ArrayList<>();
        for (ClDevice d : devices) {
            out.println();
            out.println("Device " + d);
            Json.Obj row = Json.obj().put("device", d.name()).put("index", d.index()).put("kind", d.kind())
                    .put("driverVersion", d.driverVersion());
            try {
                allPass &= runOn(out, d, layers, data, row);
            } catch (ClException | IllegalArgumentException e) {
                out.println("  failed: " + e.getMessage());
                row.put("error", e.getMessage());
                allPass = false;
            }
            rows.add(row);
        }
        out.flush();
        if (json != null) {
            Json.write(json, Json.header("bench ops", devices, seed).put("batchSize", batch)
                    .put("iterations", iterations).put("callsPerSample", CALLS_PER_SAMPLE).put("kind", kind)
                    .put("results", rows), spec.commandLine().getOut());
            if (!FileArgs.isStdout(json)) {
                out.println("Results written to " + json);
            }
        }
        return allPass ? 0 : 1;
    }

    /** Refuses a batch whose host arrays Java cannot hold before any is made. */
    private void checkSizes(List<Layer> layers) {
        long bytes = 0;
        for (Layer l : layers) {
            long in = (long) batch * l.size * l.size * l.cin;
            long outFloats = (long) batch * l.outSize() * l.outSize() * l.cout;
            MemoryCheck.checkArray(in, "The input of " + l.label().strip(), "use a smaller --batch-size");
            MemoryCheck.checkArray(outFloats, "The output of " + l.label().strip(), "use a smaller --batch-size");
            bytes += 4 * (in + 2 * outFloats);
        }
        MemoryCheck.checkHeap(bytes, "bench ops at batch " + batch);
    }

    private Data data(List<Layer> layers) {
        int n = layers.size();
        Data data = new Data(new float[n][], new float[n][], new float[n][], new double[n]);
        for (int i = 0; i < n; i++) {
            Layer l = layers.get(i);
            data.inputs[i] = BenchGemmCommand.uniform((long) batch * l.size * l.size * l.cin, seed + 2L * i);
            data.weights[i] = BenchGemmCommand.uniform(l.k * l.k * (l.cin / l.groups()) * l.cout, seed + 2L * i + 1);
            long t0 = System.nanoTime();
            data.expected[i] = reference(l, data.inputs[i], data.weights[i]);
            data.refSeconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        return data;
    }

    /** Times every layer on {@code d}, prints its table and fills {@code row}; whether all matched. */
    private boolean runOn(PrintWriter out, ClDevice d, List<Layer> layers, Data data, Json.Obj row) {
        out.printf("  %-40s %10s %12s %9s %8s %9s %13s %6s  %s%n", "layer", "wall (us)", "device (us)",
                "GFLOPS", "GB/s", "dev GB/s", "Java ref (ms)", "check", "kernel");
        boolean allPass = true;
        List<Json.Obj> rows = new ArrayList<>();
        try (ClContext cl = ClContext.create(d)) {
            double totalWall = 0;
            double totalDevice = 0;
            for (int i = 0; i < layers.size(); i++) {
                Layer l = layers.get(i);
                Timing r = time(cl, l, data.inputs[i], data.weights[i], data.expected[i]);
                totalWall += r.wall * l.count;
                totalDevice += r.device * l.count;
                allPass &= r.pass;
                double gflops = 2 * l.macs(batch) / r.wall / 1e9;
                out.printf("  %-40s %10.1f %12.1f %9.1f %8.1f %9.1f %13.1f %6s  %s%n", l.label(), r.wall * 1e6,
                        r.device * 1e6, gflops, l.bytes(batch) / r.wall / 1e9, l.bytes(batch) / r.device / 1e9,
                        data.refSeconds[i] * 1e3, r.pass ? "PASS" : "FAIL", r.kernel);
                out.flush();
                rows.add(Json.obj().put("kind", l.kind).put("size", l.size).put("cin", l.cin).put("cout", l.cout)
                        .put("k", l.k).put("stride", l.stride).put("count", l.count).put("wallSeconds", r.wall)
                        .put("deviceSeconds", r.device).put("gflops", gflops)
                        .put("gbPerSecond", l.bytes(batch) / r.wall / 1e9)
                        .put("deviceGbPerSecond", l.bytes(batch) / r.device / 1e9)
                        .put("referenceSeconds", data.refSeconds[i]).put("pass", r.pass).put("kernel", r.kernel));
            }
            out.printf("  %-40s %10.1f %12.1f  (%s, layer by layer)%n", "total", totalWall * 1e6,
                    totalDevice * 1e6, kind == null ? "all 27 convolutions of the network"
                            : "the network's " + kind + " convolutions");
            row.put("layers", rows).put("totalWallSeconds", totalWall).put("totalDeviceSeconds", totalDevice);
        }
        return allPass;
    }

    private float[] reference(Layer l, float[] x, float[] w) {
        Conv2dParams p = l.params();
        ReferenceConv.Geometry g = new ReferenceConv.Geometry(batch, l.size, l.size, l.cin, l.k, l.k, l.cout, l.stride,
                l.stride, 1, 1, p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), l.groups());
        return ReferenceConv.conv2d(g, x, w, null, v -> Activation.RELU6.apply((float) v), null, false);
    }

    /** Median wall and device seconds of one call, whether it matched the reference, and the kernel. */
    record Timing(double wall, double device, boolean pass, String kernel) {
    }

    private Timing time(ClContext cl, Layer l, float[] x, float[] w, float[] expected) {
        Shape in = Shape.of(batch, l.size, l.size, l.cin);
        try (Tensor tx = Tensor.of(cl, in, Layout.NHWC, x);
             Tensor tw = Tensor.of(cl, Shape.of(l.k, l.k, l.cin / l.groups(), l.cout), w);
             Conv2d conv = Conv2d.configure(cl, l.params(), in, tw, null);
             Tensor ty = Tensor.allocate(cl, conv.outputShape(), Layout.NHWC)) {
            conv.run(tx, ty);
            float[] got = ty.toArray();
            // sums of k*k*cin products in fp32 against the reference's double sums: the tolerance grows with them
            float atol = Tolerances.convAtol(l.k * l.k * (l.cin / l.groups()));
            boolean pass = Comparison.of(got, expected, Tolerances.BENCH_RTOL, atol).passed();
            for (int i = 0; i < 3; i++) {
                conv.run(tx, ty);
            }
            cl.finish();
            double[] wall = new double[iterations];
            double[] device = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                long s = System.nanoTime();
                for (int c = 0; c < CALLS_PER_SAMPLE; c++) {
                    conv.run(tx, ty);
                }
                cl.finish();
                wall[i] = (System.nanoTime() - s) / 1e9 / CALLS_PER_SAMPLE;
            }
            for (int i = 0; i < iterations; i++) {
                cl.startRecording();
                List<ClEvent> events;
                try {
                    conv.run(tx, ty);
                    cl.finish();
                } finally {
                    events = cl.stopRecording();
                }
                device[i] = ClEvent.totalNanos(events) / 1e9;
                events.forEach(ClEvent::close);
            }
            Arrays.sort(wall);
            Arrays.sort(device);
            return new Timing(wall[iterations / 2], device[iterations / 2], pass, conv.config().toString());
        }
    }
}
