package dev.clnn.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
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
 * {@code clnn bench ops}: every distinct convolution of MobileNet v1 (224 x 224, batch 1) — the
 * first 3x3 convolution, each depthwise and each pointwise shape — timed per device, in GFLOPS and
 * GB/s of compulsory memory traffic, beside the plain-Java reference, whose output also checks
 * each device result.
 */
@Command(name = "ops", mixinStandardHelpOptions = true,
        description = "MobileNet v1's convolution shapes per device: GFLOPS and GB/s beside the Java reference.")
final class BenchOpsCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--device", paramLabel = "SPEC", description = "Device spec or 'all' (default: the default device).")
    String device;

    @Option(names = "--iterations", defaultValue = "20", description = "Timed runs per layer (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--batch-size", defaultValue = "1", description = "Batch (default ${DEFAULT-VALUE}).")
    int batch;

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
            return String.format("%-9s %3dx%-3d %4d->%-4d %dx%d/%d%s", kind, size, size, cin, cout, k, k, stride,
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

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (iterations < 1 || batch < 1) {
            throw new IllegalArgumentException("--iterations and --batch-size must be at least 1");
        }
        List<ClDevice> devices = device == null ? List.of(Devices.defaultDevice()) : Devices.select(device);
        List<Layer> layers = mobileNetV1();
        out.printf("MobileNet v1 convolutions at 224x224, batch %d, ReLU6 epilogue; median of %d runs per layer%n",
                batch, iterations);
        float[][] inputs = new float[layers.size()][];
        float[][] weights = new float[layers.size()][];
        float[][] expected = new float[layers.size()][];
        double[] refSeconds = new double[layers.size()];
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            inputs[i] = BenchGemmCommand.uniform(batch * l.size * l.size * l.cin, 10 + i);
            weights[i] = BenchGemmCommand.uniform(l.k * l.k * (l.cin / l.groups()) * l.cout, 100 + i);
            long t0 = System.nanoTime();
            expected[i] = reference(l, inputs[i], weights[i]);
            refSeconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        boolean allPass = true;
        for (ClDevice d : devices) {
            out.println();
            out.println("Device " + d);
            out.printf("  %-36s %10s %9s %8s %12s %8s%n", "layer", "time (us)", "GFLOPS", "GB/s", "Java ref (ms)", "check");
            try (ClContext cl = ClContext.create(d)) {
                double total = 0;
                for (int i = 0; i < layers.size(); i++) {
                    double[] r = time(cl, layers.get(i), inputs[i], weights[i], expected[i]);
                    Layer l = layers.get(i);
                    total += r[0] * l.count;
                    boolean pass = r[1] > 0;
                    allPass &= pass;
                    out.printf("  %-36s %10.1f %9.1f %8.1f %12.1f %8s%n", l.label(), r[0] * 1e6,
                            2 * l.macs(batch) / r[0] / 1e9, l.bytes(batch) / r[0] / 1e9, refSeconds[i] * 1e3,
                            pass ? "PASS" : "FAIL");
                    out.flush();
                }
                out.printf("  %-36s %10.1f  (all 27 convolutions of the network, kernel by kernel)%n", "total", total * 1e6);
            } catch (ClException | IllegalArgumentException e) {
                out.println("  failed: " + e.getMessage());
                allPass = false;
            }
        }
        out.flush();
        return allPass ? 0 : 1;
    }

    private float[] reference(Layer l, float[] x, float[] w) {
        Conv2dParams p = l.params();
        ReferenceConv.Geometry g = new ReferenceConv.Geometry(batch, l.size, l.size, l.cin, l.k, l.k, l.cout, l.stride,
                l.stride, 1, 1, p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), l.groups());
        return ReferenceConv.conv2d(g, x, w, null, v -> Activation.RELU6.apply((float) v), null, false);
    }

    /** Median seconds of one run, and 1 when the result matched the reference, else 0. */
    private double[] time(ClContext cl, Layer l, float[] x, float[] w, float[] expected) {
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
            double[] t = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                long s = System.nanoTime();
                conv.run(tx, ty);
                cl.finish();
                t[i] = (System.nanoTime() - s) / 1e9;
            }
            Arrays.sort(t);
            return new double[] {t[iterations / 2], pass ? 1 : 0};
        }
    }
}
