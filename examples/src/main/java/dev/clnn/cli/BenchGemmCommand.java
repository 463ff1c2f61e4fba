package dev.clnn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.cl.ClEvent;
import dev.clnn.cl.ClException;
import dev.clnn.cl.Devices;
import dev.clnn.graph.Executable;
import dev.clnn.ops.Gemm;
import dev.clnn.ops.GemmConfig;
import dev.clnn.ops.GemmShape;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.Tolerances;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clnn bench gemm}: GFLOPS of a square (or m x n x k) SGEMM per device, with EJML's
 * multi-threaded figure on the host beside it in the same run, and a correctness check of every
 * device result against EJML's.
 */
@Command(name = "gemm", mixinStandardHelpOptions = true,
        description = "SGEMM C = A*B in GFLOPS on each device, beside EJML (pure Java, all cores) in the same run.",
        footerHeading = "%nExamples:%n",
        footer = {"  clnn bench gemm --size 4096 --device all",
            "  clnn bench gemm --m 1 --n 1000 --k 1024 --no-reference",
            "  clnn bench gemm --config 'variant=tiled TM=64 TN=64 TK=16 WM=4 WN=4'"})
final class BenchGemmCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--size", paramLabel = "N", defaultValue = "1024",
            description = "Square size n (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--m", paramLabel = "M", description = "Rows of A and C (overrides --size).")
    Integer m;

    @Option(names = "--n", paramLabel = "N", description = "Columns of B and C (overrides --size).")
    Integer n;

    @Option(names = "--k", paramLabel = "K", description = "Columns of A, rows of B (overrides --size).")
    Integer k;

    @Option(names = "--device", paramLabel = "SPEC", description = "Device spec, or 'all' (default: the default device).")
    String device;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "10",
            description = "Timed runs per device (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2",
            description = "Untimed runs after the first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of A (B takes seed + 1) (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--config", paramLabel = "PARAMS",
            description = "Kernel variant and parameters to try instead of the tuned ones, e.g. "
                    + "'variant=tiled TM=128 TN=128 TK=16 WM=8 WN=8'. Repeatable.")
    List<String> configs = new ArrayList<>();

    @Option(names = "--layer", description = "Run the product as a dense layer or pointwise convolution runs it: "
            + "A read in place, B constant (packed once, outside the timing), no alpha/beta. Default: a plain "
            + "SGEMM whose operands may change on every call.")
    boolean layer;

    @Option(names = "--no-reference", description = "Skip EJML (its time and the correctness check).")
    boolean noReference;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE ('-': "
            + "standard output, the report then goes to standard error).")
    Path json;

    private record Result(ClDevice device, String config, double compileSeconds, double medianSeconds,
                          double bestSeconds, double gflops, String correctness, double pipelinedSeconds) {
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = FileArgs.isStdout(json) ? spec.commandLine().getErr() : spec.commandLine().getOut();
        int mm = m != null ? m : size;
        int nn = n != null ? n : size;
        int kk = k != null ? k : size;
        if (iterations < 1 || warmup < 0) {
            throw new IllegalArgumentException("--iterations must be at least 1 and --warmup at least 0");
        }
        GemmShape shape = GemmShape.of(mm, nn, kk);
        FileArgs.requireWritable(FileArgs.file(json));
        List<GemmConfig> tried = new ArrayList<>();
        for (String c : configs) {
            tried.add(GemmConfig.fromMap(parse(c)));
        }
        List<ClDevice> devices = device == null ? List.of(Devices.defaultDevice()) : Devices.select(device);
        checkSizes(mm, nn, kk, devices);
        float[] a = uniform((long) mm * kk, seed);
        float[] b = uniform((long) kk * nn, seed + 1);
        out.printf("SGEMM m=%d n=%d k=%d (%.2f GFLOP per call), %d timed runs after %d warm-up%n", mm, nn, kk,
                shape.flops() / 1e9, iterations, warmup);

        float[] reference = null;
        double ejmlSeconds = Double.NaN;
        if (!noReference) {
            out.printf("EJML (pure Java, %d threads): ", Runtime.getRuntime().availableProcessors());
            out.flush();
            reference = EjmlGemm.multiply(a, b, mm, nn, kk);
            ejmlSeconds = timeEjml(out, shape, a, b);
        }

        List<Result> results = new ArrayList<>();
        for (ClDevice d : devices) {
            out.println();
            out.println("Device " + d);
            out.flush();
            try (ClContext cl = ClContext.create(d);
                 ClBuffer da = cl.buffer(a); ClBuffer db = cl.buffer(b); ClBuffer dc = cl.buffer((long) mm * nn)) {
                List<GemmConfig> list = tried.isEmpty() ? Arrays.asList((GemmConfig) null) : tried;
                for (GemmConfig config : list) {
                    results.add(runOne(out, cl, shape, config, da, db, dc, reference));
                }
            } catch (ClException | IllegalArgumentException e) {
                out.println("  failed: " + e.getMessage());
            }
        }
        printSummary(out, shape, results, ejmlSeconds);
        if (json != null) {
            Json.write(json, json(shape, devices, results, ejmlSeconds), spec.commandLine().getOut());
            if (!FileArgs.isStdout(json)) {
                out.println("Results written to " + json);
            }
        }
        out.flush();
        return results.stream().allMatch(r -> r.correctness().startsWith("PASS") || r.correctness().equals("not checked"))
                ? 0 : 1;
    }

    /** EJML's median time over up to 3 runs (after the untimed first), printed with its GFLOPS. */
    private double timeEjml(PrintWriter out, GemmShape shape, float[] a, float[] b) {
        double[] t = new double[Math.min(iterations, 3)];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            EjmlGemm.multiply(a, b, shape.m(), shape.n(), shape.k());
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        double seconds = median(t);
        out.printf("%.2f ms, %.1f GFLOPS%n", seconds * 1e3, shape.flops() / seconds / 1e9);
        return seconds;
    }

    /**
     * Device time per call of each kernel a call launches (packing, the product, a K-slice reduction),
     * from profiling events over a few calls: where a call's time goes, and the product's own GFLOPS.
     */
    private static String deviceTimes(ClContext cl, Runnable call, GemmShape shape) {
        final int calls = 5;
        cl.startRecording();
        List<ClEvent> events = List.of();
        try {
            for (int i = 0; i < calls; i++) {
                call.run();
            }
            cl.finish();
        } finally {
            events = cl.stopRecording();
        }
        List<Executable.KernelTime> byKernel;
        try {
            byKernel = Executable.KernelTime.byKernel(events);
        } finally {
            events.forEach(ClEvent::close);
        }
        long total = byKernel.stream().mapToLong(Executable.KernelTime::nanos).sum();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%.3f ms per call", total / 1e6 / calls));
        String sep = ": ";
        for (Executable.KernelTime t : byKernel) {
            sb.append(sep).append(String.format(Locale.ROOT, "%s %.3f ms", t.kernel(), t.nanos() / 1e6 / calls));
            if (t.launches() > calls) {
                sb.append(String.format(Locale.ROOT, " (%d launches)", t.launches() / calls));
            }
            if (t.kernel().startsWith("gemm_tiled") || t.kernel().startsWith("gemm_cpu")
                    || t.kernel().startsWith("gemm_general")) {
                sb.append(String.format(Locale.ROOT, " = %.1f GFLOPS", shape.flops() / (t.nanos() / 1e9 / calls) / 1e9));
            }
            sep = ", ";
        }
        return sb.toString();
    }

    private Result runOne(PrintWriter out, ClContext cl, GemmShape shape, GemmConfig config, ClBuffer da,
                          ClBuffer db, ClBuffer dc, float[] reference) {
        long t0 = System.nanoTime();
        try (Gemm gemm = layer ? Gemm.configure(cl, shape, config, (Gemm.Epilogue) null)
                : config == null ? Gemm.configure(cl, shape) : Gemm.configure(cl, shape, config)) {
            Runnable call;
            if (layer) {
                gemm.repack(db, 0);
                call = () -> gemm.run(da, db, null, null, dc);
            } else {
                call = () -> gemm.run(1f, da, 0, db, 0, 0f, dc, 0);
            }
            call.run();
            cl.finish();
            double compile = (System.nanoTime() - t0) / 1e9;
            String correctness = "not checked";
            if (reference != null) {
                Comparison cmp = Comparison.of(dc.read(), reference, Tolerances.GEMM_RTOL,
                        Tolerances.gemmAtol(shape.k()));
                correctness = ModelReport.summary(cmp);
            }
            for (int i = 0; i < warmup; i++) {
                call.run();
            }
            cl.finish();
            double[] times = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                long s = System.nanoTime();
                call.run();
                cl.finish();
                times[i] = (System.nanoTime() - s) / 1e9;
            }
            double median = median(times);
            double best = Arrays.stream(times).min().orElse(median);
            double gflops = shape.flops() / median / 1e9;
            // back to back with one wait, as a GPU library is timed: what a caller enqueuing products gets
            long s = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                call.run();
            }
            cl.finish();
            double pipelined = (System.nanoTime() - s) / 1e9 / iterations;
            out.printf("  kernel       %s%n", gemm.config());
            out.printf("  compile      %.3f s (build or cache load, plus the first call)%n", compile);
            out.printf("  time         median %.3f ms, best %.3f ms (wall, including the wait for the device)%n",
                    median * 1e3, best * 1e3);
            out.printf("  pipelined    %.3f ms per call, %.1f GFLOPS (%d calls back to back, one wait)%n",
                    pipelined * 1e3, shape.flops() / pipelined / 1e9, iterations);
            out.printf("  device time  %s%n", deviceTimes(cl, call, shape));
            out.printf("  GFLOPS       %.1f (best %.1f)%n", gflops, shape.flops() / best / 1e9);
            out.printf("  correctness  %s%n", correctness);
            out.flush();
            return new Result(cl.device(), gemm.config().toString(), compile, median, best, gflops, correctness,
                    pipelined);
        }
    }

    private static void printSummary(PrintWriter out, GemmShape shape, List<Result> results, double ejmlSeconds) {
        out.println();
        out.printf("%-48s %-16s %-44s %10s %10s %9s %10s%n", "Device", "Type", "Kernel", "ms", "GFLOPS", "vs EJML",
                "pipelined");
        if (!Double.isNaN(ejmlSeconds)) {
            out.printf("%-48s %-16s %-44s %10.3f %10.1f %9s %10s%n", "EJML CommonOps_MT_FDRM (host)", "Java", "-",
                    ejmlSeconds * 1e3, shape.flops() / ejmlSeconds / 1e9, "1.00x", "-");
        }
        for (Result r : results) {
            String ratio = Double.isNaN(ejmlSeconds) ? "-"
                    : String.format(java.util.Locale.ROOT, "%.2fx", ejmlSeconds / r.medianSeconds());
            out.printf("%-48s %-16s %-44s %10.3f %10.1f %9s %10.1f%n", DevicesCommand.clip(r.device().index() + ": "
                    + r.device().name(), 48), r.device().kind(), r.config(), r.medianSeconds() * 1e3, r.gflops(), ratio,
                    shape.flops() / r.pipelinedSeconds() / 1e9);
        }
    }

    /**
     * Refuses, before allocating anything, matrices that Java cannot hold (A, B and EJML's C on the
     * host) or that no selected device can.
     */
    private void checkSizes(int mm, int nn, int kk, List<ClDevice> devices) {
        long ak = (long) mm * kk;
        long bk = (long) kk * nn;
        long cn = (long) mm * nn;
        MemoryCheck.checkArray(ak, "A (" + mm + " x " + kk + ")", "use smaller sizes");
        MemoryCheck.checkArray(bk, "B (" + kk + " x " + nn + ")", "use smaller sizes");
        MemoryCheck.checkArray(cn, "C (" + mm + " x " + nn + ")", "use smaller sizes");
        long device = 4 * (ak + bk + cn);
        if (devices.stream().allMatch(d -> device > d.globalMemBytes())) {
            throw new UserError("SGEMM " + mm + " x " + nn + " x " + kk + " needs " + MemoryCheck.mib(device)
                    + " of device memory; " + devices.get(0).name() + " has "
                    + MemoryCheck.mib(devices.get(0).globalMemBytes()) + ". Use smaller sizes.");
        }
        // A, B, EJML's result and its timed repeats, and one read-back of C per device
        MemoryCheck.checkHeap(4 * (ak + bk + (noReference ? 1 : 3) * cn), "SGEMM " + mm + " x " + nn + " x " + kk);
    }

    private Json.Obj json(GemmShape shape, List<ClDevice> devices, List<Result> results, double ejmlSeconds) {
        List<Json.Obj> rows = new ArrayList<>();
        for (Result r : results) {
            rows.add(Json.obj().put("device", r.device().name()).put("index", r.device().index())
                    .put("kind", r.device().kind()).put("driverVersion", r.device().driverVersion())
                    .put("kernel", r.config()).put("compileSeconds", r.compileSeconds())
                    .put("medianSeconds", r.medianSeconds()).put("bestSeconds", r.bestSeconds())
                    .put("gflops", r.gflops()).put("correctness", r.correctness())
                    .put("pipelinedSeconds", r.pipelinedSeconds()));
        }
        return Json.header("bench gemm", devices, seed).put("m", shape.m()).put("n", shape.n()).put("k", shape.k())
                .put("iterations", iterations).put("warmup", warmup)
                .put("ejmlSeconds", Double.isNaN(ejmlSeconds) ? null : ejmlSeconds).put("results", rows);
    }

    private static java.util.Map<String, String> parse(String params) {
        java.util.Map<String, String> map = new java.util.LinkedHashMap<>();
        for (String token : params.trim().split("[\\s,]+")) {
            int eq = token.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--config expects NAME=value pairs, got '" + token + "'");
            }
            map.put(token.substring(0, eq), token.substring(eq + 1));
        }
        if (!map.containsKey("variant")) {
            throw new IllegalArgumentException("--config must name a variant (general, cpu or tiled): " + params);
        }
        return map;
    }

    static float[] uniform(long count, long seed) {
        MemoryCheck.checkArray(count, "An array", "use smaller sizes");
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[(int) count];
        for (int i = 0; i < count; i++) {
            out[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return out;
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
