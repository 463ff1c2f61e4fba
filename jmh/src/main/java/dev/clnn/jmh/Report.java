package dev.clnn.jmh;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

import dev.clnn.cl.ClDevice;

/**
 * The Markdown report of a JMH run: one table per suite, a row per piece of work (method and
 * parameters other than the device), a column per device (plus "host" for device-less baselines),
 * each cell the score with its error, then the speed-up of each device over the CPU.
 */
final class Report {
    private static final String HOST = "host";

    private Report() {
    }

    static void write(Collection<RunResult> results, List<ClDevice> devices, Path file) throws IOException {
        // A method run in several modes (@BenchmarkMode with more than one) gets a row per mode.
        Map<String, Set<Mode>> modes = new HashMap<>();
        for (RunResult r : results) {
            modes.computeIfAbsent(r.getParams().getBenchmark(), b -> EnumSet.noneOf(Mode.class))
                    .add(r.getParams().getMode());
        }
        Map<String, Map<String, Map<String, Result<?>>>> suites = new TreeMap<>();
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            String bench = p.getBenchmark();
            int dot = bench.lastIndexOf('.');
            String suite = bench.substring(bench.lastIndexOf('.', dot - 1) + 1, dot);
            StringBuilder work = new StringBuilder(bench.substring(dot + 1));
            if (modes.get(bench).size() > 1) {
                work.append(" (").append(p.getMode().shortLabel()).append(')');
            }
            for (String key : p.getParamsKeys()) {
                if (!key.equals("device")) {
                    work.append(' ').append(key).append('=').append(p.getParam(key));
                }
            }
            String column = p.getParam("device") == null ? HOST : p.getParam("device");
            suites.computeIfAbsent(suite, s -> new LinkedHashMap<>())
                    .computeIfAbsent(work.toString(), w -> new LinkedHashMap<>())
                    .put(column, r.getPrimaryResult());
        }
        StringBuilder md = new StringBuilder("# clnn JMH report\n\n");
        md.append("Date: ").append(LocalDate.now()).append(". Devices:\n\n");
        for (ClDevice d : devices) {
            md.append("- ").append(BenchDevices.label(d)).append(", ").append(d.platformName()).append(", driver ")
                    .append(d.driverVersion()).append('\n');
        }
        md.append("\nCells: score ± error (99.9 %), as JMH reports them (none after a single iteration); an error over 20 % of the\n"
                + "score is marked (wide).\n");
        for (Map.Entry<String, Map<String, Map<String, Result<?>>>> suite : suites.entrySet()) {
            md.append("\n## ").append(suite.getKey()).append("\n\n");
            table(md, suite.getValue(), devices);
        }
        dev.clnn.io.AtomicFiles.write(file, md);
    }

    private static void table(StringBuilder md, Map<String, Map<String, Result<?>>> rows, List<ClDevice> devices) {
        List<String> columns = new ArrayList<>();
        boolean host = rows.values().stream().anyMatch(m -> m.containsKey(HOST));
        if (host) {
            columns.add(HOST);
        }
        List<ClDevice> present = new ArrayList<>();
        for (ClDevice d : devices) {
            String key = String.valueOf(d.index());
            if (rows.values().stream().anyMatch(m -> m.containsKey(key))) {
                columns.add(key);
                present.add(d);
            }
        }
        ClDevice cpu = present.stream().filter(ClDevice::isCpu).findFirst().orElse(null);
        md.append("| work |");
        for (String c : columns) {
            md.append(' ').append(c.equals(HOST) ? "host (Java)" : label(c, devices)).append(" |");
        }
        List<ClDevice> others = new ArrayList<>();
        for (ClDevice d : present) {
            if (cpu != null && d != cpu) {
                others.add(d);
                md.append(" speed-up of ").append(d.index()).append(" over CPU |");
            }
        }
        md.append("\n|---|");
        md.append("---|".repeat(columns.size() + others.size())).append('\n');
        for (Map.Entry<String, Map<String, Result<?>>> row : rows.entrySet()) {
            md.append("| ").append(row.getKey()).append(" |");
            for (String c : columns) {
                Result<?> r = row.getValue().get(c);
                md.append(' ').append(r == null ? "-" : cell(r)).append(" |");
            }
            for (ClDevice d : others) {
                Result<?> base = row.getValue().get(String.valueOf(cpu.index()));
                Result<?> r = row.getValue().get(String.valueOf(d.index()));
                md.append(' ').append(base == null || r == null ? "-" : speedUp(base, r)).append(" |");
            }
            md.append('\n');
        }
    }

    private static String label(String index, List<ClDevice> devices) {
        for (ClDevice d : devices) {
            if (String.valueOf(d.index()).equals(index)) {
                return BenchDevices.label(d);
            }
        }
        return index;
    }

    private static String cell(Result<?> r) {
        double score = r.getScore();
        double err = r.getScoreError();
        if (Double.isNaN(err)) {
            return String.format("%.4g %s", score, r.getScoreUnit());   // one iteration: no error estimate
        }
        String wide = err > 0.2 * Math.abs(score) ? " (wide)" : "";
        return String.format("%.4g ± %.2g %s%s", score, err, r.getScoreUnit(), wide);
    }

    /** How many times faster the device is than the CPU, for time-per-op and for throughput units. */
    private static String speedUp(Result<?> cpu, Result<?> device) {
        boolean throughput = cpu.getScoreUnit().startsWith("ops/");
        double ratio = throughput ? device.getScore() / cpu.getScore() : cpu.getScore() / device.getScore();
        return String.format("%.2f×", ratio);
    }
}
