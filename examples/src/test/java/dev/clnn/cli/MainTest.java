package dev.clnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine.Command;

/** The command line end to end, on the real OpenCL runtime. */
class MainTest {
    private final CliRun cli = new CliRun();

    @AfterEach
    void clear() {
        System.clearProperty("clnn.config.dir");
    }

    @Test
    void devicesListsEveryDeviceAndMarksTheDefault() {
        assertEquals(0, cli.run("devices"));
        String text = cli.out();
        assertTrue(text.contains("Name") && text.contains("*"), text);
        assertTrue(text.lines().count() >= 3, text);
    }

    @Test
    void devicesJsonIsAnArrayOfDevices() {
        assertEquals(0, cli.run("devices", "--json"));
        String text = cli.out().strip();
        assertTrue(text.startsWith("[") && text.endsWith("]"), text);
        assertTrue(text.contains("\"index\": 0") && text.contains("\"default\": true"), text);
    }

    @Test
    void selectSavesTheDefaultAndUnknownSpecsListDevices(@TempDir Path config) throws Exception {
        System.setProperty("clnn.config.dir", config.toString());
        assertEquals(0, cli.run("devices", "--select", "0"));
        assertTrue(Files.readString(config.resolve("config.properties")).contains("device=0"));
        assertEquals(2, cli.run("bench", "gemm", "--size", "8", "--device", "no-such-device-xyz"));
        String message = cli.err();
        assertTrue(message.startsWith("clnn: No OpenCL device matches 'no-such-device-xyz'"), message);
        assertTrue(!message.contains("at dev.clnn"), "no stack trace: " + message);
    }

    @Test
    void benchGemmReportsGflopsEjmlAndCorrectness(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("gemm.json");
        assertEquals(0, cli.run("bench", "gemm", "--size", "67", "--iterations", "2", "--warmup", "0", "--device",
                "all", "--json", json.toString()));
        String text = cli.out();
        assertTrue(text.contains("EJML") && text.contains("GFLOPS"), text);
        assertTrue(text.contains("correctness  PASS"), text);
        String written = Files.readString(json);
        assertTrue(written.contains("\"gflops\"") && written.contains("PASS"), written);
        assertTrue(written.contains("\"clnn\": ") && written.contains("\"seed\": 42")
                && written.contains("\"driverVersion\": "), written);
    }

    @Test
    void benchOpsTimesEachDepthwiseLayerAndChecksIt() {
        assertEquals(0, cli.run("bench", "ops", "--kind", "depthwise", "--iterations", "1"));
        String text = cli.out();
        assertTrue(text.contains("device (us)") && text.contains("GB/s"), text);
        long rows = text.lines().filter(l -> l.strip().startsWith("depthwise")).count();
        assertEquals(9, rows, text);        // MobileNet v1's distinct depthwise shapes
        assertEquals(9, text.lines().filter(l -> l.strip().startsWith("depthwise") && l.contains(" PASS ")).count(),
                text);
        assertTrue(text.lines().noneMatch(l -> l.strip().startsWith("pointwise")), text);
    }

    @Test
    void benchOpsWritesJsonToStdoutAndTheReportToStderr() {
        assertEquals(0, cli.run("bench", "ops", "--kind", "conv", "--iterations", "1", "--seed", "7", "--json", "-"),
                cli.both());
        String json = cli.out().strip();
        assertTrue(json.startsWith("{") && json.endsWith("}"), json);
        for (String field : new String[] {"\"clnn\": ", "\"date\": \"20", "\"seed\": 7", "\"devices\": ",
            "\"name\": ", "\"driverVersion\": ", "\"layers\": ", "\"gflops\": ", "\"pass\": true"}) {
            assertTrue(json.contains(field), field + " in " + json);
        }
        assertTrue(cli.err().contains("device (us)"), "the table goes to stderr: " + cli.err());
    }

    @Test
    void benchOpsRejectsAnUnknownKind() {
        assertEquals(2, cli.run("bench", "ops", "--kind", "dense"));
        assertTrue(cli.err().contains("--kind must be conv, depthwise or pointwise, got 'dense'"), cli.err());
    }

    @Test
    void badArgumentsGiveOneLineAndExitCode2() {
        assertEquals(2, cli.run("bench", "gemm", "--size", "0"));
        assertTrue(cli.err().contains("sizes must be at least 1"), cli.err());
    }

    @Test
    void anUnwritableJsonPathFailsBeforeAnyWork(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("plain"), "x");
        String json = file.resolve("gemm.json").toString();
        assertEquals(2, cli.run("bench", "gemm", "--size", "16", "--json", json));
        assertEquals("clnn: cannot write " + json + ": " + file + " is not a directory", cli.err().strip());
        assertEquals("", cli.out(), "nothing ran");
    }

    @Test
    void aHugeGemmIsRefusedBeforeAllocating() {
        assertEquals(2, cli.run("bench", "gemm", "--size", "100000"));
        assertTrue(cli.err().startsWith("clnn: ") && cli.err().contains("more than a Java array holds"), cli.err());
    }

    @Test
    void numbersUseADecimalPointUnderAGermanLocale() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            assertEquals(0, cli.run("bench", "gemm", "--size", "33", "--iterations", "1", "--warmup", "0",
                    "--json", "-"), cli.both());
        } finally {
            Locale.setDefault(before);
        }
        String text = cli.both();
        assertTrue(text.matches("(?s).*\\d\\.\\d\\d ms.*"), text);
        assertFalse(text.matches("(?s).*\\d,\\d.*"), "a decimal comma in " + text);
    }

    @Test
    void versionIsTheBuildsVersion() {
        assertEquals(0, cli.run("-V"));
        String first = cli.out().lines().findFirst().orElse("");
        assertTrue(first.matches("clnn \\d+\\.\\d+\\.\\d+.*"), first);
        assertFalse(first.contains("development"), first);
    }

    @Test
    void helpHasLabelsExamplesAndExitCodes() {
        assertEquals(0, cli.run("--help"));
        String main = cli.out();
        assertTrue(main.contains("Examples:") && main.contains("Exit codes:") && main.contains("CLNN_PROGRESS"), main);
        assertTrue(main.matches("(?s).*\\n\\s+2\\s+A usage or user mistake.*"), main);
        CliRun train = new CliRun();
        assertEquals(0, train.run("train", "mnist", "--help"));
        assertTrue(train.out().contains("--save=FILE") && train.out().contains("--data=DIR")
                && train.out().contains("--epochs=N") && train.out().contains("Examples:")
                && train.out().contains("Exit codes:"), train.out());
    }

    @Test
    void benchHelpListsOnlyEachModelsOwnOptions() {
        assertEquals(0, cli.run("bench", "mnist_cnn", "--help"));
        assertFalse(cli.out().contains("--alpha") || cli.out().contains("--resolution"), cli.out());
        assertTrue(cli.out().contains("--batch-size=N") && cli.out().contains("--json=FILE"), cli.out());
        CliRun v1 = new CliRun();
        assertEquals(0, v1.run("bench", "mobilenet", "--help"));
        assertTrue(v1.out().contains("--alpha=ALPHA") && v1.out().contains("--resolution=PIXELS"), v1.out());
        CliRun model = new CliRun();
        assertEquals(0, model.run("bench", "model", "--help"));
        assertFalse(model.out().contains("--alpha"), model.out());
    }

    /** A command that runs out of memory, as a too-large batch would. */
    @Command(name = "oom")
    static final class OutOfMemory implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    @Test
    void anOutOfMemoryErrorIsOneLineAndExitCode1() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        CliWriter errWriter = new CliWriter(err, false);
        int code = Main.execute(Main.commandLine(new OutOfMemory(), new CliWriter(new java.io.ByteArrayOutputStream(),
                false), errWriter));
        String message = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, code, message);
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.startsWith("clnn: out of memory (Java heap space): use a smaller --batch-size")
                && message.contains("CLNN_JAVA_OPTS"), message);
        assertFalse(message.contains("\tat "), message);
    }
}
