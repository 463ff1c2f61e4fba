package dev.clnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clnn train mnist} end to end on a few hundred Fashion-MNIST images. */
class TrainCommandTest {
    private final CliRun cli = new CliRun();

    @Test
    void trainsPrintsEpochLinesSavesExportsAndWritesJson(@TempDir Path dir) throws Exception {
        Path weights = dir.resolve("m.weights");
        Path onnx = dir.resolve("m.onnx");
        Path json = dir.resolve("out/metrics.json");
        assertEquals(0, cli.run("train", "mnist", "--epochs", "2", "--limit", "200", "--batch-size", "50",
                "--save", weights.toString(), "--export-onnx", onnx.toString(), "--json", json.toString()),
                cli.err());
        String text = cli.out();
        assertTrue(text.matches("(?s).*Epoch 1, Loss: \\d+\\.\\d{4}, Accuracy: \\d+\\.\\d\\d, "
                + "Test Loss: \\d+\\.\\d{4}, Test Accuracy: \\d+\\.\\d\\d\n.*"), text);
        assertTrue(text.contains("Epoch 2, Loss:") && text.contains("Total:") && text.contains("200 training"), text);
        assertTrue(Files.size(weights) > 11_000_000 && Files.size(onnx) > 11_000_000);
        // stderr is not a terminal here: no progress bar, and no carriage return anywhere
        assertFalse(cli.out().contains("\r") || cli.err().contains("\r"), cli.both());
        String doc = Files.readString(json);
        for (String field : new String[] {"\"clnn\": ", "\"date\": ", "\"seed\": 42", "\"driverVersion\": ",
            "\"trainExamples\": 200", "\"history\": ", "\"epoch\": 2", "\"testAccuracy\": "}) {
            assertTrue(doc.contains(field), field + " in " + doc);
        }
    }

    @Test
    void onATerminalTheProgressBarIsRedrawn() {
        assertEquals(0, cli.runOnTerminal("train", "mnist", "--epochs", "1", "--limit", "100", "--batch-size", "25",
                "--json", "-"), cli.err());
        assertTrue(cli.err().contains("\rEpoch 1 [") && cli.err().contains("4/4"), cli.err());
        assertTrue(cli.err().contains("Epoch 1, Loss:"), "the report goes to stderr with --json -: " + cli.err());
        String json = cli.out().strip();
        assertTrue(json.startsWith("{") && json.endsWith("}") && json.contains("\"history\": "), json);
    }

    @Test
    void anUnwritableSavePathFailsAtOnceWithoutTraining(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("plain"), "x");
        String save = file.resolve("x").toString();
        long t0 = System.nanoTime();
        assertEquals(2, cli.run("train", "mnist", "--save", save));
        assertTrue((System.nanoTime() - t0) / 1e9 < 10, "no training before the check");
        assertEquals("clnn: cannot write " + save + ": " + file + " is not a directory", cli.err().strip());
        assertEquals("", cli.out(), "no work started: " + cli.out());
    }

    @Test
    void aDirectoryAsOnnxExportIsRefused(@TempDir Path dir) {
        assertEquals(2, cli.run("train", "mnist", "--export-onnx", dir.toString()));
        assertEquals("clnn: cannot write " + dir + ": is a directory", cli.err().strip());
    }

    @Test
    void aMissingDataDirectoryIsNamed(@TempDir Path dir) {
        Path none = dir.resolve("none");
        assertEquals(2, cli.run("train", "mnist", "--data", none.toString()));
        assertEquals("clnn: no such directory: " + none, cli.err().strip());
        assertTrue(!cli.err().contains("at dev.clnn"), "no stack trace: " + cli.err());
    }

    @Test
    void aFileAsDataIsNotADirectory(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("data.gz"), "x");
        assertEquals(2, cli.run("train", "mnist", "--data", file.toString()));
        assertEquals("clnn: " + file + " is not a directory", cli.err().strip());
    }

    @Test
    void aDirectoryWithoutMnistFilesSaysWhatItNeeds(@TempDir Path dir) {
        assertEquals(2, cli.run("train", "mnist", "--data", dir.toString()));
        String message = cli.err();
        assertTrue(message.startsWith("clnn: No MNIST-format data at") && message.contains("train-images-idx3-ubyte")
                && message.contains("--data"), message);
    }

    @Test
    void dataWithZeroImagesIsAClearMistake(@TempDir Path dir) throws IOException {
        for (String set : new String[] {"train", "t10k"}) {
            idx(dir.resolve(set + "-images-idx3-ubyte"), 0x803, 0, 28, 28);
            idx(dir.resolve(set + "-labels-idx1-ubyte"), 0x801, 0);
        }
        assertEquals(2, cli.run("train", "mnist", "--data", dir.toString()));
        // the loader refuses the empty set itself, naming the file
        assertEquals("clnn: " + dir.resolve("train-images-idx3-ubyte") + " contains 0 images; an MNIST-format "
                + "training set needs at least one", cli.err().strip());
    }

    @Test
    void badOptionsAreRejected() {
        assertEquals(2, cli.run("train", "mnist", "--optimizer", "rmsprop"));
        assertEquals(2, cli.run("train", "mnist", "--epochs", "0", "--limit", "10"));
        assertTrue(cli.err().contains("epochs"), cli.err());
    }

    /** An empty IDX file: magic number, then the dimensions (the first, the count, 0). */
    private static void idx(Path file, int magic, int... dims) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
        }
    }
}
