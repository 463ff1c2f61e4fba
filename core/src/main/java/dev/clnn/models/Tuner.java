package dev.clnn.models;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Executable;
import dev.clnn.graph.Graph;
import dev.clnn.ops.Tuning;
import dev.clnn.ops.TuningCache;
import dev.clnn.tensor.Tensor;

/**
 * Finds the fastest kernel configurations of a model on a device by timing them, and keeps them
 * for every later compile on that device ({@link TuningCache}). What {@code clnn tune} runs.
 *
 * <p>The search goes family by family (convolutions, depthwise, GEMM, pooling, element-wise, ...),
 * the families that take most of the model's device time first. For each it compiles the whole
 * model with each candidate of {@link TuningCandidates} in place of the current choice (the others
 * held at their best so far), times every layer by profiling events (the best of a few runs), and
 * keeps a candidate only when it makes that family's layers at least {@value #MIN_GAIN_PERCENT} %
 * faster than the best so far, twice: a win is timed again against the best so far before it counts. A candidate that does not build or run on the device is skipped. The search stops when
 * the budget is spent; what was found by then is kept. The baseline is the built-in table alone
 * (no earlier tuning file), so the report compares tuned against table in the same run.
 *
 * <pre>{@code
 * Tuner.Report r = Tuner.tune(MobileNetV1.build(new RandomWeights(1)), device, 1, Duration.ofSeconds(60), System.out::println);
 * System.out.println(r.summary());      // table vs tuned per family and for the whole network
 * }</pre>
 */
public final class Tuner {
    static final int MIN_GAIN_PERCENT = 3;
    private static final int RUNS = 5;

    private Tuner() {
    }

    /**
     * One family's outcome: its share of the untuned network's time (what orders the search, most
     * first), the table's entry (null: none, the operators' default) and its time measured when its
     * turn came, the candidate that beat it (null: none did) and its time, how many candidates ran
     * and failed.
     */
    public record FamilyResult(String family, double shareMs, Map<String, String> table, Map<String, String> best,
                               double tableMs, double bestMs, int tried, int failed) {
        public boolean improved() {
            return best != null;
        }
    }

    /** One layer's device time with the table's configurations and with the tuned ones. */
    public record LayerRow(String name, String op, double tableMs, double tunedMs) {
    }

    /**
     * What a run found: per family, per layer, and for the whole network (device time per batch,
     * summed over layers), and the file the winners went to (null when nothing was written).
     */
    public record Report(String model, ClDevice device, int batch, List<FamilyResult> families, List<LayerRow> layers,
                         double tableMs, double tunedMs, boolean budgetSpent, Path file) {
        /** Table against tuned, a line per family and one for the network. */
        public String summary() {
            StringBuilder sb = new StringBuilder();
            for (FamilyResult f : families) {
                sb.append(String.format(java.util.Locale.ROOT, "  %-12s table %8.3f ms  tuned %8.3f ms  %s%n", f.family(),
                        f.tableMs(), f.bestMs(), f.improved() ? Tuning.format(f.best()) : "(table kept)"));
            }
            sb.append(String.format(java.util.Locale.ROOT, "  %-12s table %8.3f ms  tuned %8.3f ms  (%.2fx)", "network",
                    tableMs, tunedMs, tableMs / tunedMs));
            return sb.toString();
        }
    }

    /**
     * Tunes {@code graph} at {@code batch} on {@code device} within about {@code budget} and writes the
     * winners to the device's tuning file (merged with the entries already there for other families).
     *
     * @param progress receives one line per family and candidate timed (may be a no-op)
     */
    public static Report tune(Graph graph, ClDevice device, int batch, Duration budget, Consumer<String> progress)
            throws IOException {
        long deadline = System.nanoTime() + budget.toNanos();
        try (ClContext cl = ClContext.create(device)) {
            Timing timing = new Timing(graph, cl, batch);
            Measured base = timing.measure(Map.of());
            Map<String, Double> share = new HashMap<>();
            for (Executable.LayerTime t : base.layers) {
                for (String f : TuningCandidates.families(t.node(), device)) {
                    share.merge(f, t.nanos() / 1e6, Double::sum);
                }
            }
            List<String> order = new ArrayList<>(share.keySet());
            order.sort(Comparator.comparingDouble((String f) -> -share.get(f)));
            Map<String, Map<String, String>> best = new LinkedHashMap<>();      // the winners that beat the table
            List<FamilyResult> results = new ArrayList<>();
            boolean spent = false;
            for (String family : order) {
                List<Map<String, String>> candidates = TuningCandidates.of(family, device);
                Map<String, String> tableEntry = Tuning.fromTable(family, device);
                // the table's choice for this family, with the winners of the families before it in place
                double tableMs = best.isEmpty() ? base.familyMs(family, device) : timing.measure(best).familyMs(family, device);
                double bestMs = tableMs;
                int tried = 0;
                int failed = 0;
                for (Map<String, String> c : candidates) {
                    if (tableEntry != null && Tuning.format(c).equals(Tuning.format(tableEntry))) {
                        continue;       // measured as the baseline
                    }
                    if (System.nanoTime() > deadline) {
                        spent = true;
                        break;
                    }
                    Map<String, Map<String, String>> trial = new HashMap<>(best);
                    trial.put(family, c);
                    tried++;
                    try {
                        double ms = timing.measure(trial).familyMs(family, device);
                        progress.accept(String.format(java.util.Locale.ROOT, "  %-12s %-44s %8.3f ms", family,
                                Tuning.format(c), ms));
                        if (ms < bestMs * (1 - MIN_GAIN_PERCENT / 100.0)) {
                            // timing noise is the enemy of a search: a win counts only when it repeats
                            double again = timing.measure(trial).familyMs(family, device);
                            double before = timing.measure(best).familyMs(family, device);
                            if (again < before * (1 - MIN_GAIN_PERCENT / 100.0)) {
                                bestMs = Math.min(ms, again);
                                best.put(family, c);
                            }
                        }
                    } catch (RuntimeException e) {
                        failed++;
                        progress.accept("  " + family + " " + Tuning.format(c) + " skipped: " + e.getMessage());
                    }
                }
                results.add(new FamilyResult(family, share.get(family), tableEntry, best.get(family), tableMs, bestMs, tried,
                        failed));
                if (spent) {
                    break;
                }
            }
            Measured tuned = timing.measure(best);
            Measured again = timing.measure(Map.of());
            if (!best.isEmpty() && !networkGains(timing, best, tuned, again)) {
                // each winner beat the table within its family, but the whole network is not faster:
                // noise, or a winner that slows the layers of another family; keep the table
                progress.accept(String.format(java.util.Locale.ROOT, "  the winners together do not make the network"
                        + " %d %% faster (table %.3f ms, tuned %.3f ms): nothing is written", MIN_GAIN_PERCENT,
                        again.totalMs(), tuned.totalMs()));
                return new Report(graph.name(), device, batch, results, rows(again, tuned), again.totalMs(),
                        tuned.totalMs(), spent, null);
            }
            Path file = null;
            if (!best.isEmpty()) {
                Map<String, Map<String, String>> keep = new LinkedHashMap<>(TuningCache.entries(device));
                keep.putAll(best);
                file = TuningCache.write(device, keep);
            }
            return new Report(graph.name(), device, batch, results, rows(again, tuned), again.totalMs(),
                    tuned.totalMs(), spent, file);
        }
    }

    /**
     * Whether the winners make the whole network {@link #MIN_GAIN_PERCENT} faster than the table,
     * from the measurements given and, when they disagree with that, one more of each.
     */
    private static boolean networkGains(Timing timing, Map<String, Map<String, String>> best, Measured tuned,
                                        Measured table) {
        double factor = 1 - MIN_GAIN_PERCENT / 100.0;
        if (tuned.totalMs() < table.totalMs() * factor) {
            return true;
        }
        double tunedMs = Math.min(tuned.totalMs(), timing.measure(best).totalMs());
        double tableMs = Math.max(table.totalMs(), timing.measure(Map.of()).totalMs());
        return tunedMs < tableMs * factor;
    }

    private static List<LayerRow> rows(Measured table, Measured tuned) {
        List<LayerRow> rows = new ArrayList<>();
        for (int i = 0; i < table.layers.size() && i < tuned.layers.size(); i++) {
            Executable.LayerTime a = table.layers.get(i);
            Executable.LayerTime b = tuned.layers.get(i);
            rows.add(new LayerRow(a.node().name(), a.node().op().getClass().getSimpleName(), a.nanos() / 1e6,
                    b.nanos() / 1e6));
        }
        return rows;
    }

    /** Per-layer device times of one configuration: the best of {@value #RUNS} profiled runs per layer. */
    private record Measured(List<Executable.LayerTime> layers) {
        double totalMs() {
            return layers.stream().mapToLong(Executable.LayerTime::nanos).sum() / 1e6;
        }

        double familyMs(String family, ClDevice device) {
            double ms = 0;
            for (Executable.LayerTime t : layers) {
                if (TuningCandidates.families(t.node(), device).contains(family)) {
                    ms += t.nanos() / 1e6;
                }
            }
            return ms;
        }
    }

    /** Compiles and profiles the model under a trial of entries (table-only baseline: no tuning file). */
    private static final class Timing {
        private final Graph graph;
        private final ClContext cl;
        private final int batch;
        private final float[][] inputs;

        Timing(Graph graph, ClContext cl, int batch) {
            this.graph = graph;
            this.cl = cl;
            this.batch = batch;
            this.inputs = new float[graph.inputs().size()][];
            Random r = new Random(1);
            for (int k = 0; k < inputs.length; k++) {
                inputs[k] = new float[Math.toIntExact(graph.inputs().get(k).shape(batch).size())];
                for (int i = 0; i < inputs[k].length; i++) {
                    inputs[k][i] = r.nextFloat();
                }
            }
        }

        Measured measure(Map<String, Map<String, String>> trial) {
            Model model;
            try (Tuning.Trial t = Tuning.trial(trial)) {        // the table for the rest, never a tuning file
                model = Model.compile(graph, cl, batch);
            }
            try (model) {
                Tensor[] xs = new Tensor[inputs.length];
                try {
                    for (int k = 0; k < xs.length; k++) {
                        xs[k] = Tensor.of(cl, model.inputShapes().get(k), inputs[k]);
                    }
                    return measure(model, xs);
                } finally {
                    for (Tensor x : xs) {
                        if (x != null) {
                            x.close();
                        }
                    }
                }
            }
        }

        /** The fastest device time of each node over the profiled runs on {@code x}. */
        private Measured measure(Model model, Tensor[] x) {
            model.predictAll(x);    // first run: the driver's lazy builds
            cl.finish();
            List<Executable.LayerTime> best = null;
            for (int run = 0; run < RUNS; run++) {
                List<Executable.LayerTime> times = model.executable().profile(x);
                if (best == null) {
                    best = new ArrayList<>(times);
                } else {
                    for (int i = 0; i < best.size(); i++) {
                        if (times.get(i).nanos() < best.get(i).nanos()) {
                            best.set(i, times.get(i));
                        }
                    }
                }
            }
            return new Measured(best);
        }
    }
}
