package dev.clnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code clnn bench mnist_cnn|mobilenet}: size checks first, a bounded reference check, JSON. */
class BenchModelCommandTest {
    private final CliRun cli = new CliRun();

    @Test
    void anOversizeBatchIsRefusedAtOnce() {
        long t0 = System.nanoTime();
        assertEquals(2, cli.run("bench", "mobilenet", "--batch-size", "100000", "--examples", "100000"), cli.both());
        double seconds = (System.nanoTime() - t0) / 1e9;
        String message = cli.err().strip();
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.matches("clnn: mobilenet\\S* at batch 100000 needs about [\\d,.]+ MiB of device "
                + "memory; .* has [\\d,.]+ MiB\\. Use a smaller --batch-size or another device\\."), message);
        assertTrue(seconds < 30, seconds + " s");
        assertEquals("", cli.out(), "nothing ran");
    }

    @Test
    void checksTheFirstExamplesAgainstTheReferenceAndWritesJson() {
        assertEquals(0, cli.run("bench", "mnist_cnn", "--examples", "16", "--batch-size", "8", "--no-warmup",
                "--seed", "5", "--json", "-"), cli.both());
        String report = cli.err();
        assertTrue(report.contains("Reference (plain Java, the first 4 examples of the first batch)"), report);
        assertTrue(report.contains("Correctness: PASS") && report.contains("(the first 4 examples"), report);
        assertFalse(report.contains("\r"), "no progress bar off a terminal: " + report);
        String json = cli.out().strip();
        for (String field : new String[] {"\"command\": \"bench mnist_cnn\"", "\"seed\": 5", "\"batchSize\": 8",
            "\"checkedExamples\": 4", "\"correct\": true", "\"driverVersion\": ", "\"failed\": []"}) {
            assertTrue(json.contains(field), field + " in " + json);
        }
    }

    @Test
    void precisionFp16RunsTheHalfModelAfterTheFp32OneAndComparesThem() {
        assertEquals(0, cli.run("bench", "mnist_cnn", "--examples", "16", "--batch-size", "8", "--no-warmup",
                "--precision", "fp16", "--profile", "--json", "-"), cli.both());
        String report = cli.err();
        assertTrue(report.contains("Correctness: PASS"), report);
        assertTrue(report.matches("(?s).*  fp16 storage \\(activations stored as half, computed in fp32\\), same run:\n"
                + "  time +[\\d.]+ ms per example \\(fp32 above: [\\d.]+ ms\\): [\\d.]+x the speed of fp32\n"
                + "  vs fp32 +top-1 agrees on (\\d+) of 32 random examples; max \\|fp16 - fp32\\| \\S+ \\([\\d.]+ % of the"
                + " largest output\\): PASS.*"), report);
        assertTrue(report.matches("(?s).*  fp16 layers:\n.*\\(fp16\\).*"), "the fp16 model's layer table: " + report);
        String json = cli.out();
        assertTrue(json.contains("\"fp16\": [") && json.contains("\"top1Examples\": 32")
                && json.contains("\"speedup\": "), json);

        CliRun plain = new CliRun();
        assertEquals(0, plain.run("bench", "mnist_cnn", "--examples", "8", "--batch-size", "8", "--no-warmup"),
                plain.both());
        assertFalse(plain.out().contains("fp16"), "fp32 only by default: " + plain.out());
        CliRun bad = new CliRun();
        assertEquals(2, bad.run("bench", "mnist_cnn", "--precision", "int8"), bad.both());
        assertTrue(bad.err().contains("--precision must be fp32 or fp16, got 'int8'"), bad.err());
    }

    @Test
    void residentTimesTheBatchesOnTheDeviceAndChecksTheLastResult() {
        assertEquals(0, cli.run("bench", "mnist_cnn", "--examples", "24", "--batch-size", "4", "--resident",
                "--json", "-"), cli.both());
        String report = cli.err();
        assertTrue(report.matches("(?s).*\n  resident     [\\d.]+ ms per example, [\\d.]+ examples/s \\(input already on "
                + "the device, output left there, calls back to back, one wait at the end\\)\n.*"), report);
        assertTrue(report.contains("Correctness: PASS"), report);
        assertFalse(report.contains("resident calls' result differs"), report);
        assertTrue(cli.out().matches("(?s).*\"residentExamplesPerSecond\": [\\d.]+.*"), cli.out());

        CliRun plain = new CliRun();
        assertEquals(0, plain.run("bench", "mnist_cnn", "--examples", "8", "--batch-size", "4", "--no-warmup",
                "--json", "-"), plain.both());
        assertFalse(plain.err().contains("resident"), "not timed by default: " + plain.err());
        assertTrue(plain.out().contains("\"residentExamplesPerSecond\": null"), plain.out());
    }

    @Test
    void concurrencyRunsBatchesInSeveralLanesAndChecksTheirResults() {
        assertEquals(0, cli.run("bench", "mnist_cnn", "--examples", "24", "--batch-size", "4", "--concurrency", "3",
                "--json", "-"), cli.both());
        String report = cli.err();
        assertTrue(report.matches("(?s).*  in flight    3 calls at once, in [123] lanes? \\(activations and a command "
                + "queue each\\); a call took [\\d.]+ ms.*"), report);
        assertTrue(report.contains("Correctness: PASS"), report);
        assertFalse(report.contains("results differ from the first batch"), report);
        String json = cli.out();
        assertTrue(json.matches("(?s).*\"concurrency\": 3,.*") && json.contains("\"msPerCall\": "), json);

        assertEquals(0, cli.run("bench", "mnist_cnn", "--examples", "8", "--batch-size", "4", "--no-warmup"),
                cli.both());
        assertFalse(cli.out().contains("in flight"), "one batch at a time by default: " + cli.out());
        for (String bad : new String[] {"0", "17"}) {
            CliRun c = new CliRun();
            assertEquals(2, c.run("bench", "mnist_cnn", "--concurrency", bad), c.both());
            assertTrue(c.err().contains("--concurrency must be between 1 and 16, got " + bad), c.err());
        }
    }

    @Test
    void splitRunsTheBatchesAcrossTheDevicesAndShowsTheShares() {
        String first = dev.clnn.cl.Devices.all().get(0).index() + "";
        assertEquals(0, cli.run("bench", "mnist_cnn", "--examples", "16", "--batch-size", "8", "--no-warmup",
                "--device", first + "," + first, "--split", "--json", "-"), cli.both());
        String report = cli.err();
        assertTrue(report.contains("Split across 2 devices at once (" + first + "," + first + "), batch 8"), report);
        assertTrue(report.contains("  shares       mnist_cnn, batch 8 split over "), report);
        assertTrue(report.matches("(?s).*split over [12] of 2: " + first + "," + first + " +combined .*"), report);
        assertEquals(2, report.split("Correctness: PASS", -1).length - 1, "the device alone and the split: " + report);
        String json = cli.out();
        assertTrue(json.contains("\"split\": {") && json.contains("\"shares\": ["), json);

        assertEquals(0, cli.run("bench", "mnist_cnn", "--examples", "8", "--batch-size", "8", "--no-warmup"),
                cli.both());
        assertFalse(cli.out().contains("Split across"), "no --split, no combined run: " + cli.out());
    }

    @Test
    void runsTrainedWeightsFromAWeightsFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("cnn.weights");
        try (dev.clnn.cl.ClContext cl = dev.clnn.cl.ClContext.create((String) null);
             dev.clnn.nn.Sequential m = dev.clnn.models.MnistCnn.create(cl, 9)) {
            m.save(file);
            dev.clnn.onnx.OnnxExport.write(m, dir.resolve("cnn.onnx"));
        }
        assertEquals(0, cli.run("bench", "mnist_cnn", "--examples", "4", "--batch-size", "2", "--no-warmup",
                "--weights", dir.resolve("cnn.onnx").toString()), cli.both());
        assertTrue(cli.out().contains("Correctness: PASS"), cli.both());
        assertEquals(0, cli.run("bench", "mnist_cnn", "--examples", "8", "--batch-size", "4", "--no-warmup",
                "--weights", file.toString()), cli.both());
        assertTrue(cli.out().contains("input seeded 42") && cli.out().contains("Correctness: PASS"), cli.both());

        java.nio.file.Path other = dir.resolve("other.weights");
        dev.clnn.nn.WeightsFile.write(other, java.util.List.of(new dev.clnn.nn.WeightsFile.Entry("conv2d/kernel",
                dev.clnn.tensor.Shape.of(1), new float[1])));
        assertEquals(2, cli.run("bench", "mnist_cnn", "--weights", other.toString()), cli.both());
        assertTrue(cli.err().contains("conv2d/kernel has shape (1,), the network needs (3, 3, 1, 32)"), cli.err());
        assertEquals(2, cli.run("bench", "mnist_cnn", "--weights", dir.resolve("missing").toString()), cli.both());
        assertTrue(cli.err().contains("no such file"), cli.err());
    }
}
