package dev.clnn.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;
import dev.clnn.graph.Graph;
import dev.clnn.models.MnistCnn;
import dev.clnn.models.MobileNetV1;
import dev.clnn.models.MobileNetV2;
import dev.clnn.models.RandomWeights;
import dev.clnn.models.Tuner;
import dev.clnn.ops.Tuning;
import dev.clnn.ops.TuningCache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clnn tune}: times kernel configurations for the shapes a model runs on a device and keeps
 * the fastest in the device's tuning file, which every later compile on that device reads.
 */
@Command(name = "tune", mixinStandardHelpOptions = true,
        description = {"Find the fastest kernel configurations of a model on a device and keep them for every "
                + "later compile there (tuning files in " + "~/.cache/clnn/tuning, one per device and driver).",
            "Prints the built-in table's time against the tuned time per kernel family, per layer and for the "
                + "whole network, measured in the same run."},
        footerHeading = "%nExamples:%n",
        footer = {"  clnn tune                                     MobileNet v1 on the default device, 120 s",
            "  clnn tune --device gpu --model resnet18.onnx --budget 300",
            "  clnn tune --show                              the tuning files of every device",
            "",
            "Environment:",
            "  CLNN_TUNING_DIR=DIR     where tuning files live",
            "  CLNN_TUNING_CACHE=off   compile with the built-in table only"})
final class TuneCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--device", paramLabel = "SPEC", description = "The device to tune (default: the default device).")
    String device;

    @Option(names = "--model", paramLabel = "NAME|FILE", defaultValue = "mobilenet",
            description = "mobilenet, mobilenet_v2, mnist_cnn or an .onnx file (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "1", description = "Batch size (default: 1).")
    int batch;

    @Option(names = "--budget", paramLabel = "SECONDS", defaultValue = "120",
            description = "About how long to search (default: ${DEFAULT-VALUE}); what is found by then is kept.")
    int budget;

    @Option(names = "--layers", description = "List every layer, not only the 12 slowest.")
    boolean allLayers;

    @Option(names = "--show", description = "Print the tuning file of each device (or of --device) and exit.")
    boolean show;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (show) {
            show(out, device == null ? Devices.all() : Devices.select(device));
            return Main.OK;
        }
        if (batch < 1 || budget < 1) {
            throw new UserError("--batch-size and --budget must be at least 1, got " + batch + " and " + budget);
        }
        ClDevice d = device == null ? Devices.defaultDevice() : Devices.selectOne(device);
        Graph graph = graph();
        PrintWriter err = spec.commandLine().getErr();
        out.printf(Locale.ROOT, "Tuning %s at batch %d on %s (budget %d s); the most expensive kernel families "
                + "first.%n", graph.name(), batch, d.name(), budget);
        out.flush();
        Tuner.Report r = Tuner.tune(graph, d, batch, Duration.ofSeconds(budget), line -> {
            err.println(line);
            err.flush();
        });
        out.println("Device time per batch, built-in table against tuned (same run):");
        out.println(r.summary());
        printLayers(out, r);
        if (r.budgetSpent()) {
            out.println("The budget ran out before every candidate was timed; run again with a larger --budget "
                    + "to search further.");
        }
        boolean won = r.families().stream().anyMatch(Tuner.FamilyResult::improved);
        out.println(r.file() == null ? (won ? "The winners did not make the whole network 3 % faster than the table"
                + " when measured together; no tuning file written." : "Nothing beat the table by 3 % or more; no"
                + " tuning file written.")
                : "Kept in " + r.file() + "; every compile on this device now uses it.");
        out.flush();
        return Main.OK;
    }

    private Graph graph() throws Exception {
        RandomWeights weights = new RandomWeights(42);
        switch (model) {
            case "mobilenet", "mobilenet_v1":
                return MobileNetV1.build(weights);
            case "mobilenet_v2":
                return MobileNetV2.build(weights);
            case "mnist_cnn":
                return MnistCnn.build(weights);
            default:
                Path file = Path.of(model);
                if (!model.toLowerCase(Locale.ROOT).endsWith(".onnx")) {
                    throw new UserError("--model takes mobilenet, mobilenet_v2, mnist_cnn or an .onnx file; got "
                            + model);
                }
                FileArgs.requireFile(file);
                dev.clnn.onnx.OnnxModel m = dev.clnn.onnx.OnnxImport.load(file);
                m.checkBatch(batch);
                return m.graph();
        }
    }

    private void printLayers(PrintWriter out, Tuner.Report r) {
        List<Tuner.LayerRow> rows = new ArrayList<>(r.layers());
        if (!allLayers) {
            rows.sort(Comparator.comparingDouble((Tuner.LayerRow l) -> -l.tableMs()));
            rows = rows.subList(0, Math.min(12, rows.size()));
            out.println("Slowest layers (all with --layers):");
        }
        out.printf(Locale.ROOT, "  %-36s %-12s %10s %10s%n", "layer", "op", "table ms", "tuned ms");
        for (Tuner.LayerRow l : rows) {
            out.printf(Locale.ROOT, "  %-36s %-12s %10.3f %10.3f%n", l.name(), l.op(), l.tableMs(), l.tunedMs());
        }
    }

    private static void show(PrintWriter out, List<ClDevice> devices) {
        out.println("Tuning files in " + TuningCache.directory()
                + (TuningCache.enabled() ? "" : " (not read: CLNN_TUNING_CACHE=off)"));
        for (ClDevice d : devices) {
            Path f = TuningCache.file(d);
            out.printf(Locale.ROOT, "%s (driver %s): %s%n", d.name(), d.driverVersion(), f.getFileName());
            if (!Files.exists(f)) {
                out.println("  none: the built-in table applies");
                continue;
            }
            Map<String, Map<String, String>> entries = TuningCache.entries(d);
            if (entries.isEmpty()) {
                out.println("  not used (see the warning above): the built-in table applies");
            }
            entries.forEach((family, e) -> out.printf(Locale.ROOT, "  %-12s %s%n", family, Tuning.format(e)));
        }
    }
}
