package dev.clnn.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;
import dev.clnn.graph.Graph;
import dev.clnn.models.MultiDeviceModel;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.Tolerances;

/**
 * {@code clnn bench <model> --split}: the same batches split across the selected devices at once
 * by a {@link MultiDeviceModel}, timed like a single device, with the shares it chose.
 */
final class SplitBench {
    private SplitBench() {
    }

    /** The combined run: its time, the shares at the end of it, how often they changed. */
    record Result(List<ClDevice> devices, double compileSeconds, double executeSeconds,
                  List<MultiDeviceModel.Share> shares, int rebalances, int compiledModels, Comparison correctness) {
        String label() {
            return "split over " + shares.stream().filter(MultiDeviceModel.Share::used).count() + " of "
                    + devices.size() + ": " + String.join(",", devices.stream().map(d -> "" + d.index()).toList());
        }
    }

    /**
     * The devices of a spec in the order given, keeping repeats ({@code 0,0} lists device 0 twice,
     * which splits the batch between two contexts on it); {@code all} lists every device once.
     */
    static List<ClDevice> devices(String spec) {
        if (spec == null || spec.isBlank()) {
            return List.of(Devices.defaultDevice());
        }
        List<ClDevice> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            if (!part.isBlank()) {
                out.addAll(Devices.select(part));
            }
        }
        return out;
    }

    /**
     * Compiles on {@code devices}, warms up (which also re-balances the shares), then runs
     * {@code examples / batch} calls of {@code input}, and checks the first batch's first examples.
     */
    static Result run(PrintWriter out, PrintWriter progressOut, List<ClDevice> devices, Graph graph, float[] input,
                      int batch, int examples, boolean warmup, float[] reference) {
        long t0 = System.nanoTime();
        try (MultiDeviceModel m = MultiDeviceModel.compile(graph, devices, batch)) {
            float[] first = m.predict(input);
            double compile = (System.nanoTime() - t0) / 1e9;
            Comparison check = Comparison.of(Arrays.copyOf(first, reference.length), reference,
                    Tolerances.BENCH_RTOL, Tolerances.benchAtol(reference));
            out.printf("  compile      %.3f s (a context and model per device, timing one example on each, the first "
                    + "batch)%n", compile);
            if (warmup) {
                // long enough for the shares to settle (each split is kept a few calls before it may change)
                for (int i = 0; i < Math.max(12, 32 / batch); i++) {
                    m.predict(input);
                }
            }
            // NOTE: a change of split compiles a model, seconds on a CPU: not part of the timed run
            m.rebalancing(false);
            int calls = examples / batch;
            Progress progress = new Progress(progressOut, calls, "batches");
            long start = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                m.predict(input);
                progress.step(i + 1);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            progress.done();
            Result r = new Result(devices, compile, seconds, m.shares(), m.rebalances(), m.compiledModels(), check);
            print(out, r, m.describe(), examples, Math.min(batch, BenchModelCommand.CHECKED));
            return r;
        }
    }

    private static void print(PrintWriter out, Result r, String description, int examples, int checked) {
        out.printf("  execution    %.3f s for %d examples (wall: split, copies, all devices and the gather)%n",
                r.executeSeconds(), examples);
        out.printf("  latency      %.3f ms per example, %.1f examples/s%n", r.executeSeconds() * 1e3 / examples,
                examples / r.executeSeconds());
        out.println("  shares       " + description.replace("\n", "\n               "));
        out.printf("  re-balanced  %d time%s after compile (in the warm-up; fixed for the timed run), %d model%s "
                + "compiled in all%n", r.rebalances(),
                r.rebalances() == 1 ? "" : "s", r.compiledModels(), r.compiledModels() == 1 ? "" : "s");
        out.printf("  Correctness: %s (the first %d example%s of the first batch against the Java reference)%n",
                ModelReport.summary(r.correctness()), checked, checked == 1 ? "" : "s");
        out.flush();
    }

    /** The JSON of the combined run. */
    static Json.Obj json(Result r, int examples) {
        List<Json.Obj> shares = new ArrayList<>();
        for (MultiDeviceModel.Share s : r.shares()) {
            shares.add(Json.obj().put("slot", s.slot()).put("index", s.device().index())
                    .put("device", s.device().name()).put("examples", s.examples())
                    .put("estimatedExamplesPerSecond", s.examplesPerSecond())
                    .put("overheadSeconds", s.overheadSeconds()).put("dropped", s.dropped()));
        }
        return Json.obj().put("devices", r.devices().stream().map(ClDevice::index).toList())
                .put("compileSeconds", r.compileSeconds()).put("executeSeconds", r.executeSeconds())
                .put("examplesPerSecond", examples / r.executeSeconds())
                .put("msPerExample", r.executeSeconds() * 1e3 / examples).put("shares", shares)
                .put("rebalances", r.rebalances()).put("compiledModels", r.compiledModels())
                .put("correct", r.correctness().passed()).put("maxError", r.correctness().maxAbsError())
                .put("failRatio", r.correctness().failRatio());
    }
}
