package dev.clnn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Executable;
import dev.clnn.graph.Graph;
import dev.clnn.reference.Comparison;

/** The tables and JSON of {@code clnn bench <model>}. */
final class ModelReport {
    private ModelReport() {
    }

    record Result(ClDevice device, double compileSeconds, double executeSeconds, double kernelSeconds, long peakBytes,
                  long weightBytes, long activationBytes, Comparison correctness) {
    }

    static void print(PrintWriter out, Result r, int examples) {
        out.printf("  execution    %.3f s for %d examples (wall, input copy and read-back included)%n",
                r.executeSeconds(), examples);
        out.printf("  latency      %.3f ms per example, %.1f examples/s%n", r.executeSeconds() * 1e3 / examples,
                examples / r.executeSeconds());
        out.printf("  kernel time  %.3f s (%.3f ms per example, from profiling events in a separate pass; %.0f %% of wall time)%n",
                r.kernelSeconds(),
                r.kernelSeconds() * 1e3 / examples, 100 * r.kernelSeconds() / r.executeSeconds());
        out.printf("  memory       peak %.1f MiB on the device (weights and packed weights %.1f MiB, activations %.1f MiB)%n",
                r.peakBytes() / 1048576.0, r.weightBytes() / 1048576.0, r.activationBytes() / 1048576.0);
        out.printf("  Correctness: %s%n", r.correctness().summary());
        out.flush();
    }

    static void comparison(PrintWriter out, List<Result> results, int examples) {
        if (results.size() < 2) {
            return;
        }
        double slowest = results.stream().mapToDouble(Result::executeSeconds).max().orElse(1);
        out.println();
        out.printf("%-48s %-16s %14s %12s %10s%n", "Device", "Type", "Time (s)", "Images/s", "Speed-up");
        for (Result r : results) {
            out.printf("%-48s %-16s %14.3f %12.1f %9.2fx%n", DevicesCommand.clip(r.device().index() + ": "
                    + r.device().name(), 48), r.device().kind(), r.executeSeconds(), examples / r.executeSeconds(),
                    slowest / r.executeSeconds());
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
        }
        out.printf("  %-28s %-34s %-20s %10.1f %6.1f%%%n", "total", "", "", total / 1e3, 100.0);
        out.flush();
    }

    static void writeJson(Path file, Graph graph, int examples, int batch, List<Result> results) throws IOException {
        StringBuilder sb = new StringBuilder("{\"model\": ").append(Json.str(graph.name())).append(", \"examples\": ")
                .append(examples).append(", \"batchSize\": ").append(batch).append(", \"results\": [\n");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            sb.append("  {\"device\": ").append(Json.str(r.device().name())).append(", \"index\": ")
                    .append(r.device().index()).append(", \"kind\": ").append(Json.str(r.device().kind()))
                    .append(", \"compileSeconds\": ").append(r.compileSeconds())
                    .append(", \"executeSeconds\": ").append(r.executeSeconds())
                    .append(", \"examplesPerSecond\": ").append(examples / r.executeSeconds())
                    .append(", \"kernelSeconds\": ").append(r.kernelSeconds())
                    .append(", \"peakDeviceBytes\": ").append(r.peakBytes())
                    .append(", \"correct\": ").append(r.correctness().passed())
                    .append(", \"maxError\": ").append(r.correctness().maxAbsError())
                    .append(", \"failRatio\": ").append(r.correctness().failRatio()).append('}')
                    .append(i + 1 < results.size() ? ",\n" : "\n");
        }
        sb.append("]}\n");
        dev.clnn.io.AtomicFiles.write(file, sb);
    }
}
