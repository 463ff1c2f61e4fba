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
 *   scripts/compare-ort.sh resnet18.onnx --device cpu --batch-size 1 --runs 50 [--rounds 5] [--warmup 10]
 * </pre>
 *
 * <p>The runs alternate between the two in {@code --rounds} blocks each (clnn, ONNX Runtime, ONNX
 * Runtime, clnn, ...), with a pause between blocks for ONNX Runtime's spinning worker threads to go
 * to sleep: on a shared or virtual machine the speed drifts over seconds, and timing one after the
 * other put that drift into the ratio (MobileNet v1 on 2 cores: 1.24x to 1.52x between runs). Each
 * round's medians are printed, so the drift can be seen, and the ratio given is the median of the
 * rounds' ratios (each from neighbouring blocks), with their range.
 */
public final class CompareOrt {
    private CompareOrt() {
    }

    public static void main(String[] args) throws IOException, OrtException {
        if (args.length < 1 || args[0].startsWith("-")) {
            System.err.println("usage: compare-ort MODEL.onnx [--device SPEC] [--batch-size N] [--runs N] [--rounds N]"
                    + " [--warmup N]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        String spec = "cpu";
        int batch = 1;
        int runs = 50;
        int rounds = 5;
        int warmup = 10;
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--device" -> spec = args[i + 1];
                case "--batch-size" -> batch = Integer.parseInt(args[i + 1]);
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
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
        if (runs < 1 || rounds < 1 || warmup < 0) {
            System.err.println("compare-ort: --runs and --rounds must be at least 1, --warmup at least 0");
            System.exit(2);
        }
        rounds = Math.min(rounds, runs);
        ClDevice device = Devices.selectOne(spec);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        double[] clnn = new double[runs];
        double[] ort = new double[runs];
        float[][] clnnOut;
        float[][] ortOut;
        List<String> perRound = new java.util.ArrayList<>();
        double[] ratios = new double[rounds];
        try (Model m = onnx.compile(device, batch);
             OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
            for (int k = 0; k < x.length; k++) {
                long[] dims = Arrays.stream(onnx.inputShapes(batch).get(k).dims()).asLongStream().toArray();
                feed.put(onnx.inputNames().get(k), OnnxTensor.createTensor(env, FloatBuffer.wrap(x[k]), dims));
            }
            clnnOut = m.predictAll(x);
            ortOut = run(session, feed, onnx.outputNames());
            Work onClnn = () -> m.predictAll(x);
            Work onOrt = () -> run(session, feed, onnx.outputNames());
            time(onClnn, new double[warmup], 0, warmup);
            pause();
            time(onOrt, new double[warmup], 0, warmup);
            pause();
            for (int r = 0, done = 0; r < rounds; r++) {
                int n = (runs - done) / (rounds - r);
                boolean clnnFirst = r % 2 == 1;     // the warm-up ended on ONNX Runtime
                for (int side = 0; side < 2; side++) {
                    boolean onClnnNow = (side == 0) == clnnFirst;
                    time(onClnnNow ? onClnn : onOrt, onClnnNow ? clnn : ort, done, n);
                    pause();
                }
                double c = median(Arrays.copyOfRange(clnn, done, done + n));
                double o = median(Arrays.copyOfRange(ort, done, done + n));
                ratios[r] = c / o;
                perRound.add(String.format(Locale.ROOT, "%.3f / %.3f", c, o));
                done += n;
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
        System.out.printf(Locale.ROOT, "%s, batch %d, %d runs each after %d to warm up, alternated in %d rounds"
                + " (median, ms):%n", onnx, batch, runs, warmup, rounds);
        System.out.printf(Locale.ROOT, "  clnn on %-40s %9.3f%n", device.name(), median(clnn));
        System.out.printf(Locale.ROOT, "  ONNX Runtime (CPU, Java API)%17s %9.3f%n", "", median(ort));
        System.out.printf(Locale.ROOT, "  per round, clnn / ONNX Runtime: %s%n", String.join(", ", perRound));
        List<String> checks = new java.util.ArrayList<>();
        for (int k = 0; k < clnnOut.length; k++) {
            Comparison c = Comparison.of(clnnOut[k], ortOut[k], 1e-3f, 1e-4f);
            checks.add((clnnOut.length == 1 ? "outputs " : "output '" + onnx.outputNames().get(k) + "' ") + c.summary());
        }
        System.out.printf(Locale.ROOT, "  clnn time / ONNX Runtime time: %.2f (median of the rounds' ratios; %.2f-%.2f);"
                + " %s%n", median(ratios), Arrays.stream(ratios).min().orElse(0), Arrays.stream(ratios).max().orElse(0),
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

    /** Times {@code n} runs of {@code w} into {@code ms[from ..]}. */
    private static void time(Work w, double[] ms, int from, int n) throws OrtException {
        for (int i = from; i < from + n; i++) {
            long t0 = System.nanoTime();
            w.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
    }

    /** Between blocks: long enough for ONNX Runtime's worker threads to stop spinning. */
    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
