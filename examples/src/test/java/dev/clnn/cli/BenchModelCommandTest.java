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
}
