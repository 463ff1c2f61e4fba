package dev.clnn.jmh;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;
import dev.clnn.models.Model;
import dev.clnn.onnx.OnnxImport;
import dev.clnn.onnx.OnnxModel;
import dev.clnn.reference.Comparison;

/**
 * Any ONNX model on clnn and on ONNX Runtime (Java API, default options, CPU) in one run: the
 * same input, the median latency of each over the same number of runs after a warm-up, their
 * ratio, and whether the outputs agree. Run it with {@code scripts/compare-ort.sh MODEL.onnx}:
 *
 * <pre>
 *   scripts/compare-ort.sh resnet18.onnx --device cpu --batch-size 1 --runs 50
 * </pre>
 */
public final class CompareOrt {
    private CompareOrt() {
    }

    public static void main(String[] args) throws IOException, OrtException {
        if (args.length < 1 || args[0].startsWith("-")) {
            System.err.println("usage: compare-ort MODEL.onnx [--device SPEC] [--batch-size N] [--runs N]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        String spec = "cpu";
        int batch = 1;
        int runs = 50;
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--device" -> spec = args[i + 1];
                case "--batch-size" -> batch = Integer.parseInt(args[i + 1]);
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                default -> {
                    System.err.println("compare-ort: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (!Files.isRegularFile(file)) {
            System.err.println("compare-ort: no such file: " + file);
            System.exit(2);
        }
        OnnxModel onnx = OnnxImport.load(file);
        onnx.checkBatch(batch);
        float[] x = GemmBenchmark.random((int) onnx.inputShape(batch).size(), 7);
        ClDevice device = Devices.selectOne(spec);
        double[] clnn;
        float[] clnnOut;
        try (Model m = onnx.compile(device, batch)) {
            clnnOut = m.predict(x);
            clnn = time(runs, () -> m.predict(x));
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] dims = Arrays.stream(onnx.inputShape(batch).dims()).asLongStream().toArray();
        double[] ort;
        float[] ortOut;
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), dims)) {
            Map<String, OnnxTensor> feed = Map.of(session.getInputNames().iterator().next(), in);
            ortOut = run(session, feed);
            ort = time(runs, () -> run(session, feed));
        }
        Comparison c = Comparison.of(clnnOut, ortOut, 1e-3f, 1e-4f);
        System.out.printf(Locale.ROOT, "%s, batch %d, %d runs after one warm-up (median, ms):%n", onnx, batch, runs);
        System.out.printf(Locale.ROOT, "  clnn on %-40s %9.3f%n", device.name(), median(clnn));
        System.out.printf(Locale.ROOT, "  ONNX Runtime (CPU, Java API)%17s %9.3f%n", "", median(ort));
        System.out.printf(Locale.ROOT, "  clnn time / ONNX Runtime time: %.2f; outputs %s%n", median(clnn) / median(ort),
                c.summary());
    }

    interface Work {
        void run() throws OrtException;
    }

    private static float[] run(OrtSession session, Map<String, OnnxTensor> feed) throws OrtException {
        try (OrtSession.Result r = session.run(feed)) {
            FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] y = new float[b.remaining()];
            b.get(y);
            return y;
        }
    }

    private static double[] time(int runs, Work w) throws OrtException {
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            w.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
