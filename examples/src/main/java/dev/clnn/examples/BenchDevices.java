package dev.clnn.examples;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;
import dev.clnn.graph.Graph;
import dev.clnn.models.MobileNetV1;
import dev.clnn.models.Model;
import dev.clnn.models.RandomWeights;

/**
 * Benchmarks MobileNet v1 (alpha 1.0, random weights) at batch 1 on every OpenCL device and prints
 * a table: compile time, latency per image, images per second and the speed-up over the slowest
 * device. A device that fails is reported in the table and the others still run.
 *
 * <pre>
 * java -cp ... dev.clnn.examples.BenchDevices [IMAGES [RESOLUTION]]
 * </pre>
 * IMAGES timed per device (default 256, after 8 untimed), RESOLUTION of the input (default 224).
 */
public final class BenchDevices {
    private BenchDevices() {
    }

    /** One device's figures; {@code error} is set (and the times are NaN) when it failed. */
    public record Result(ClDevice device, double compileSeconds, double msPerImage, String error) {
        double imagesPerSecond() {
            return 1000 / msPerImage;
        }
    }

    public static void main(String[] args) {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int resolution = args.length > 1 ? Integer.parseInt(args[1]) : 224;
        run(images, resolution, System.out);
    }

    /** Benchmarks each device in turn, prints the table and returns its rows. */
    public static List<Result> run(int images, int resolution, PrintStream out) {
        Graph net = MobileNetV1.build(new RandomWeights(42), 1.0f, resolution, 1000);
        float[] input = new float[resolution * resolution * 3];             // (1, H, W, 3) NHWC
        Random random = new Random(1);
        for (int i = 0; i < input.length; i++) {
            input[i] = random.nextFloat() * 2 - 1;
        }
        List<Result> results = new ArrayList<>();
        for (ClDevice device : Devices.all()) {
            out.printf("%s ...%n", device);
            results.add(bench(net, device, input, images));
        }
        printTable(results, resolution, out);
        return results;
    }

    private static Result bench(Graph net, ClDevice device, float[] input, int images) {
        long t0 = System.nanoTime();
        try (Model model = Model.compile(net, device, 1)) {
            double compile = (System.nanoTime() - t0) / 1e9;
            for (int i = 0; i < 8; i++) {
                model.predict(input);                                       // warm-up: first-run costs untimed
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < images; i++) {
                model.predict(input);                                       // copy in, run, read back
            }
            double ms = (System.nanoTime() - t1) / 1e6 / images;
            return new Result(device, compile, ms, null);
        } catch (RuntimeException e) {
            return new Result(device, Double.NaN, Double.NaN, e.getMessage());
        }
    }

    private static void printTable(List<Result> results, int resolution, PrintStream out) {
        double slowest = results.stream().filter(r -> r.error() == null).mapToDouble(Result::msPerImage).max()
                .orElse(Double.NaN);
        out.printf("%nMobileNet v1 1.0 %dx%d, batch 1%n", resolution, resolution);
        out.printf("%-48s %-15s %10s %12s %10s %9s%n", "Device", "Type", "Compile s", "ms / image", "Images/s",
                "Speed-up");
        for (Result r : results) {
            String name = r.device().index() + ": " + r.device().name();
            if (r.error() != null) {
                out.printf("%-48.48s %-15s failed: %s%n", name, r.device().kind(), r.error());
            } else {
                out.printf("%-48.48s %-15s %10.2f %12.3f %10.1f %8.2fx%n", name, r.device().kind(),
                        r.compileSeconds(), r.msPerImage(), r.imagesPerSecond(), slowest / r.msPerImage());
            }
        }
    }
}
