package dev.clnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/** {@code clnn train mnist} end to end on a few hundred Fashion-MNIST images. */
class TrainCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(new PrintStream(out, true, StandardCharsets.UTF_8), true));
        cli.setErr(new PrintWriter(new PrintStream(err, true, StandardCharsets.UTF_8), true));
        cli.setExecutionExceptionHandler(Main::handle);
        return cli.execute(args);
    }

    @Test
    void trainsPrintsEpochLinesSavesAndExports(@TempDir Path dir) throws Exception {
        Path weights = dir.resolve("m.weights");
        Path onnx = dir.resolve("m.onnx");
        assertEquals(0, run("train", "mnist", "--epochs", "2", "--limit", "200", "--batch-size", "50",
                "--save", weights.toString(), "--export-onnx", onnx.toString()), err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.matches("(?s).*Epoch 1, Loss: \\d+\\.\\d{4}, Accuracy: \\d+\\.\\d\\d, "
                + "Test Loss: \\d+\\.\\d{4}, Test Accuracy: \\d+\\.\\d\\d\n.*"), text);
        assertTrue(text.contains("Epoch 2, Loss:") && text.contains("Total:") && text.contains("200 training"), text);
        String progress = err.toString(StandardCharsets.UTF_8);
        assertTrue(progress.contains("\rEpoch 1 [") && progress.contains("4/4"), progress);
        assertTrue(Files.size(weights) > 11_000_000 && Files.size(onnx) > 11_000_000);
    }

    @Test
    void aMissingDataDirectorySaysWhatToInstall(@TempDir Path dir) {
        assertEquals(2, run("train", "mnist", "--data", dir.resolve("none").toString()));
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.startsWith("clnn: No MNIST-format data at") && message.contains("dataset-fashion-mnist")
                && message.contains("--data"), message);
        assertTrue(!message.contains("at dev.clnn"), "no stack trace: " + message);
    }

    @Test
    void badOptionsAreRejected() {
        assertEquals(2, run("train", "mnist", "--optimizer", "rmsprop"));
        assertEquals(2, run("train", "mnist", "--epochs", "0", "--limit", "10"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("epochs"), err.toString(StandardCharsets.UTF_8));
    }
}
