package dev.clnn.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Executable;
import dev.clnn.graph.Graph;
import dev.clnn.reference.Comparison;

/** The tables and JSON of {@code clnn bench <model>}. */
final class ModelReport {
    private ModelReport() {
    }

    /**
     * One device's run. {@code concurrency} batches were in flight at once ({@code bench --concurrency})
     * in {@code lanes} lanes, each call taking {@code secondsPerCall} of wall time;
     * {@code activationBytes} counts every lane's. {@code residentSeconds} is the time of the same
     * examples with the input already on the device ({@code bench --resident}), NaN when not measured.
     */
    record Result(ClDevice device, double compileSeconds, double executeSeconds, double kernelSeconds, long peakBytes,
                  long weightBytes, long activationBytes, Comparison correctness, int concurrency, int lanes,
                  double secondsPerCall, double residentSeconds) {
    }

    static void print(PrintWriter out, Result r, int examples, int checked) {
        out.printf("  execution    %.3f s for %d examples (wall, input copy and read-back included)%n",
                r.executeSeconds(), examples);
        out.printf("  latency      %.3f ms per example, %.1f examples/s%n", r.executeSeconds() * 1e3 / examples,
                examples / r.executeSeconds());
        if (r.concurrency() > 1) {
            out.printf("  in flight    %d calls at once, in %d lane%s (activations and a command queue each); a call "
                    + "took %.3f ms%n", r.concurrency(), r.lanes(), r.lanes() == 1 ? "" : "s", r.secondsPerCall() * 1e3);
        }
        if (!Double.isNaN(r.residentSeconds())) {
            out.printf("  resident     %.3f ms per example, %.1f examples/s (input already on the device, output left "
                    + "there, calls back to back, one wait at the end)%n", r.residentSeconds() * 1e3 / examples,
                    examples / r.residentSeconds());
        }
        out.printf("  kernel time  %.3f s (%.3f ms per example, from profiling events in a separate pass; %.0f %% of wall time)%n",
                r.kernelSeconds(),
                r.kernelSeconds() * 1e3 / examples, 100 * r.kernelSeconds() / r.executeSeconds());
        out.printf("  memory       peak %.1f MiB on the device (weights and packed weights %.1f MiB, activations %.1f MiB)%n",
                r.peakBytes() / 1048576.0, r.weightBytes() / 1048576.0, r.activationBytes() / 1048576.0);
        out.printf("  Correctness: %s (the first %d example%s of the first batch against the Java reference)%n",
                summary(r.correctness()), checked, checked == 1 ? "" : "s");
        out.flush();
    }

    /**
     * {@link Comparison#summary()} in {@link Locale#ROOT}: the library formats with the default
     * locale, which would print "max error 1,2e-06" under a German one.
     */
    static String summary(Comparison c) {
        return (c.passed() ? "PASS" : "FAIL")
                + String.format(Locale.ROOT, ", max error %.3g, fail ratio %.4g", c.maxAbsError(), c.failRatio())
                + (c.passed() ? "" : ", first failure at index " + c.firstFailure())
                + String.format(Locale.ROOT, " (rtol %.1g, atol %.1g)", c.rtol(), c.atol());
    }

    /** The table of every device alone and, with {@code --split}, the combined run (may be null). */
    static void comparison(PrintWriter out, List<Result> results, SplitBench.Result split, int examples) {
        if (results.size() + (split == null ? 0 : 1) < 2) {
            return;
        }
        double slowest = Math.max(results.stream().mapToDouble(Result::executeSeconds).max().orElse(0),
                split == null ? 0 : split.executeSeconds());
        out.println();
        out.printf("%-48s %-16s %14s %12s %10s%n", "Device", "Type", "Time (s)", "Images/s", "Speed-up");
        for (Result r : results) {
            out.printf("%-48s %-16s %14.3f %12.1f %9.2fx%n", DevicesCommand.clip(r.device().index() + ": "
                    + r.device().name(), 48), r.device().kind(), r.executeSeconds(), examples / r.executeSeconds(),
                    slowest / r.executeSeconds());
        }
        if (split != null) {
            out.printf("%-48s %-16s %14.3f %12.1f %9.2fx%n", DevicesCommand.clip(split.label(), 48), "combined",
                    split.executeSeconds(), examples / split.executeSeconds(), slowest / split.executeSeconds());
        }
    }

    static void layers(PrintWriter out, List<Executable.LayerTime> times) {
        long total = times.stream().mapToLong(Executable.LayerTime::nanos).sum();
        out.println();
        out.printf("  %-28s %-34s %-20s %10s %7s %9s%n", "Layer", "Op", "Output", "Time (us)", "Share", "GFLOPS");
        for (Executable.LayerTime t : times) {
            out.printf("  %-28s %-34s %-20s %10.1f %6.1f%% %9.1f%n", DevicesCommand.clip(t.node().name(), 28),
                    DevicesCommand.clip(t.node().op().describe(), 34), t.output(), t.nanos() / 1e3,
                    total == 0 ? 0 : 100.0 * t.nanos() / total, t.nanos() == 0 ? 0 : t.flops() / t.nanos());
            if (t.parts().size() > 1) {
                // a layer of several kernel forms: each form's share of the layer's time
                for (Executable.KernelTime k : t.parts()) {
                    out.printf("  %-28s %-34s %-20s %10.1f %6.1f%%%n", "",
                            DevicesCommand.clip("  " + k.kernel() + (k.launches() > 1 ? " x" + k.launches() : ""), 34),
                            "", k.nanos() / 1e3, total == 0 ? 0 : 100.0 * k.nanos() / total);
                }
            }
        }
        out.printf("  %-28s %-34s %-20s %10.1f %6.1f%%%n", "total", "", "", total / 1e3, 100.0);
        out.flush();
    }

    /** The JSON document of a model benchmark: the common header, the settings, one row per device. */
    static Json.Obj json(String command, List<ClDevice> devices, long seed, Graph graph, int examples, int batch,
                         int checked, List<Result> results) {
        List<Json.Obj> rows = new ArrayList<>();
        for (Result r : results) {
            rows.add(Json.obj().put("device", r.device().name()).put("index", r.device().index())
                    .put("kind", r.device().kind()).put("driverVersion", r.device().driverVersion())
                    .put("compileSeconds", r.compileSeconds()).put("executeSeconds", r.executeSeconds())
                    .put("examplesPerSecond", examples / r.executeSeconds())
                    .put("msPerExample", r.executeSeconds() * 1e3 / examples)
                    .put("kernelSeconds", r.kernelSeconds()).put("peakDeviceBytes", r.peakBytes())
                    .put("weightBytes", r.weightBytes()).put("activationBytes", r.activationBytes())
                    .put("correct", r.correctness().passed()).put("maxError", r.correctness().maxAbsError())
                    .put("failRatio", r.correctness().failRatio()).put("concurrency", r.concurrency()).put("lanes", r.lanes())
                    .put("msPerCall", r.secondsPerCall() * 1e3)
                    .put("residentExamplesPerSecond", Double.isNaN(r.residentSeconds()) ? null
                            : examples / r.residentSeconds()));
        }
        return Json.header(command, devices, seed).put("model", graph.name()).put("examples", examples)
                .put("batchSize", batch).put("checkedExamples", checked).put("results", rows);
    }
}
