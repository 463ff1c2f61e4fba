package dev.clnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import dev.clnn.cl.ClDevice;
import dev.clnn.cl.DeviceSpec;
import dev.clnn.cl.Devices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clnn devices}: the table of OpenCL devices, and choosing the default one. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = {"List every OpenCL device, marking the default with '*'.",
            "The default is CLNN_DEVICE if set, else the one saved with --select, else the best GPU, else the CPU."},
        footerHeading = "%nExamples:%n",
        footer = {"  clnn devices", "  clnn devices --select gpu        make the best GPU the default",
            "  clnn devices --json -v           every property and extension, for scripts"})
final class DevicesCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--select", paramLabel = "SPEC",
            description = "Save SPEC (index, cpu, gpu, igpu, dgpu/egpu, or a name fragment) as the default device.")
    String select;

    @Option(names = "--json", description = "Print the devices as JSON, for scripts.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Also list each device's extensions.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<ClDevice> devices = Devices.all();
        if (select != null) {
            Path saved = DeviceSpec.saveDefault(select);
            out.println("Default device set to '" + select + "' (" + Devices.select(select).get(0).name()
                    + "), saved in " + saved);
        }
        ClDevice chosen = Devices.defaultDevice();
        if (json) {
            printJson(out, devices, chosen);
        } else {
            printTable(out, devices, chosen);
        }
        out.flush();
        return 0;
    }

    private void printTable(PrintWriter out, List<ClDevice> devices, ClDevice chosen) {
        out.printf("%-4s %-15s %-40s %-28s %4s %6s %10s %9s %6s  %-12s %s%n", "#", "Type", "Name", "Platform", "CUs",
                "MHz", "Memory", "Local", "MaxWG", "OpenCL C", "Driver");
        for (ClDevice d : devices) {
            out.printf("%-4s %-15s %-40s %-28s %4d %6d %10s %9s %6d  %-12s %s%n",
                    d.index() + (d.index() == chosen.index() ? "*" : ""), d.kind(), clip(d.name(), 40),
                    clip(d.platformName(), 28), d.computeUnits(), d.clockMhz(), bytes(d.globalMemBytes()),
                    bytes(d.localMemBytes()), d.maxWorkGroupSize(), d.openclCVersion().replace("OpenCL C ", ""),
                    d.driverVersion());
            if (verbose) {
                out.println("     vendor: " + d.vendor() + "; version: " + d.deviceVersion() + "; max allocation: "
                        + bytes(d.maxAllocBytes()));
                out.println("     extensions: " + String.join(" ", d.extensions()));
            }
        }
        String source = DeviceSpec.configuredSpec() == null ? "the best device found"
                : System.getenv(DeviceSpec.ENV) != null ? "CLNN_DEVICE" : "the saved default";
        out.println();
        out.println("* default device (" + source + "). Choose with --device SPEC on any command, CLNN_DEVICE=SPEC, "
                + "or save one with 'clnn devices --select SPEC'.");
    }

    private static void printJson(PrintWriter out, List<ClDevice> devices, ClDevice chosen) {
        out.println("[");
        for (int i = 0; i < devices.size(); i++) {
            ClDevice d = devices.get(i);
            out.print("  {\"index\": " + d.index() + ", \"default\": " + (d.index() == chosen.index())
                    + ", \"type\": " + Json.str(d.type().name()) + ", \"kind\": " + Json.str(d.kind())
                    + ", \"name\": " + Json.str(d.name()) + ", \"vendor\": " + Json.str(d.vendor())
                    + ", \"platform\": " + Json.str(d.platformName())
                    + ", \"platformVendor\": " + Json.str(d.platformVendor())
                    + ", \"unifiedMemory\": " + d.unifiedMemory() + ", \"computeUnits\": " + d.computeUnits()
                    + ", \"clockMhz\": " + d.clockMhz() + ", \"globalMemBytes\": " + d.globalMemBytes()
                    + ", \"maxAllocBytes\": " + d.maxAllocBytes() + ", \"localMemBytes\": " + d.localMemBytes()
                    + ", \"maxWorkGroupSize\": " + d.maxWorkGroupSize()
                    + ", \"openclCVersion\": " + Json.str(d.openclCVersion())
                    + ", \"deviceVersion\": " + Json.str(d.deviceVersion())
                    + ", \"driverVersion\": " + Json.str(d.driverVersion()) + ", \"extensions\": [");
            List<String> ext = d.extensions();
            for (int e = 0; e < ext.size(); e++) {
                out.print((e > 0 ? ", " : "") + Json.str(ext.get(e)));
            }
            out.println("]}" + (i + 1 < devices.size() ? "," : ""));
        }
        out.println("]");
    }

    static String clip(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }

    static String bytes(long b) {
        if (b >= 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.1f GiB", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format(java.util.Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
        }
        return String.format(java.util.Locale.ROOT, "%d KiB", b >> 10);
    }
}
