package dev.clnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/** The command line end to end, on the real OpenCL runtime. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void clear() {
        System.clearProperty("clnn.config.dir");
    }

    private int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new java.io.PrintWriter(new PrintStream(out, true, StandardCharsets.UTF_8), true));
        cli.setErr(new java.io.PrintWriter(new PrintStream(err, true, StandardCharsets.UTF_8), true));
        cli.setExecutionExceptionHandler(Main::handle);
        return cli.execute(args);
    }

    @Test
    void devicesListsEveryDeviceAndMarksTheDefault() {
        assertEquals(0, run("devices"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("Name") && text.contains("*"), text);
        assertTrue(text.lines().count() >= 3, text);
    }

    @Test
    void devicesJsonIsAnArrayOfDevices() {
        assertEquals(0, run("devices", "--json"));
        String text = out.toString(StandardCharsets.UTF_8).strip();
        assertTrue(text.startsWith("[") && text.endsWith("]"), text);
        assertTrue(text.contains("\"index\": 0") && text.contains("\"default\": true"), text);
    }

    @Test
    void selectSavesTheDefaultAndUnknownSpecsListDevices(@TempDir Path config) throws Exception {
        System.setProperty("clnn.config.dir", config.toString());
        assertEquals(0, run("devices", "--select", "0"));
        assertTrue(Files.readString(config.resolve("config.properties")).contains("device=0"));
        assertEquals(2, run("bench", "gemm", "--size", "8", "--device", "no-such-device-xyz"));
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.startsWith("clnn: No OpenCL device matches 'no-such-device-xyz'"), message);
        assertTrue(!message.contains("at dev.clnn"), "no stack trace: " + message);
    }

    @Test
    void benchGemmReportsGflopsEjmlAndCorrectness(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("gemm.json");
        assertEquals(0, run("bench", "gemm", "--size", "67", "--iterations", "2", "--warmup", "0", "--device", "all",
                "--json", json.toString()));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("EJML") && text.contains("GFLOPS"), text);
        assertTrue(text.contains("correctness  PASS"), text);
        String written = Files.readString(json);
        assertTrue(written.contains("\"gflops\"") && written.contains("PASS"), written);
    }

    @Test
    void benchOpsTimesEachDepthwiseLayerAndChecksIt() {
        assertEquals(0, run("bench", "ops", "--kind", "depthwise", "--iterations", "1"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("device (us)") && text.contains("GB/s"), text);
        long rows = text.lines().filter(l -> l.strip().startsWith("depthwise")).count();
        assertEquals(9, rows, text);        // MobileNet v1's distinct depthwise shapes
        assertEquals(9, text.lines().filter(l -> l.strip().startsWith("depthwise") && l.contains(" PASS ")).count(),
                text);
        assertTrue(text.lines().noneMatch(l -> l.strip().startsWith("pointwise")), text);
    }

    @Test
    void benchOpsRejectsAnUnknownKind() {
        assertEquals(2, run("bench", "ops", "--kind", "dense"));
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("--kind must be conv, depthwise or pointwise, got 'dense'"), message);
    }

    @Test
    void badArgumentsGiveOneLineAndExitCode2() {
        assertEquals(2, run("bench", "gemm", "--size", "0"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("sizes must be at least 1"),
                err.toString(StandardCharsets.UTF_8));
    }
}
