package dev.clnn.jmh;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
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
 * same inputs, the median latency of each over the same number of runs after a warm-up, their
 * ratio, and whether the outputs agree (each of them, for a model of several). Run it with {@code scripts/compare-ort.sh MODEL.onnx}:
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
        float[][] x = new float[onnx.inputNames().size()][];
        for (int k = 0; k < x.length; k++) {
            x[k] = GemmBenchmark.random((int) onnx.inputShapes(batch).get(k).size(), 7 + k);
        }
        ClDevice device = Devices.selectOne(spec);
        double[] clnn;
        float[][] clnnOut;
        try (Model m = onnx.compile(device, batch)) {
            clnnOut = m.predictAll(x);
            clnn = time(runs, () -> m.predictAll(x));
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        double[] ort;
        float[][] ortOut;
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
            for (int k = 0; k < x.length; k++) {
                long[] dims = Arrays.stream(onnx.inputShapes(batch).get(k).dims()).asLongStream().toArray();
                feed.put(onnx.inputNames().get(k), OnnxTensor.createTensor(env, FloatBuffer.wrap(x[k]), dims));
            }
            ortOut = run(session, feed, onnx.outputNames());
            ort = time(runs, () -> run(session, feed, onnx.outputNames()));
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
        System.out.printf(Locale.ROOT, "%s, batch %d, %d runs after one warm-up (median, ms):%n", onnx, batch, runs);
        System.out.printf(Locale.ROOT, "  clnn on %-40s %9.3f%n", device.name(), median(clnn));
        System.out.printf(Locale.ROOT, "  ONNX Runtime (CPU, Java API)%17s %9.3f%n", "", median(ort));
        List<String> checks = new java.util.ArrayList<>();
        for (int k = 0; k < clnnOut.length; k++) {
            Comparison c = Comparison.of(clnnOut[k], ortOut[k], 1e-3f, 1e-4f);
            checks.add((clnnOut.length == 1 ? "outputs " : "output '" + onnx.outputNames().get(k) + "' ") + c.summary());
        }
        System.out.printf(Locale.ROOT, "  clnn time / ONNX Runtime time: %.2f; %s%n", median(clnn) / median(ort),
                String.join("; ", checks));
    }

    interface Work {
        void run() throws OrtException;
    }

    /** The outputs {@code names}, in that order. */
    private static float[][] run(OrtSession session, Map<String, OnnxTensor> feed, List<String> names)
            throws OrtException {
        try (OrtSession.Result r = session.run(feed)) {
            float[][] y = new float[names.size()][];
            for (int k = 0; k < y.length; k++) {
                FloatBuffer b = ((OnnxTensor) r.get(names.get(k)).orElseThrow()).getFloatBuffer();
                y[k] = new float[b.remaining()];
                b.get(y[k]);
            }
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
