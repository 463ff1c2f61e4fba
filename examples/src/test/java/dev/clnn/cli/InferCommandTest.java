package dev.clnn.cli;

import static dev.clnn.cli.OnnxCommandsTest.classifierGraph;
import static dev.clnn.cli.OnnxCommandsTest.info;
import static dev.clnn.cli.OnnxCommandsTest.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;

import dev.clnn.graph.ReferenceExecutor;
import dev.clnn.onnx.OnnxImport;
import dev.clnn.tensor.Npy;
import dev.clnn.tensor.Shape;

/**
 * {@code clnn infer} on a model of two inputs and two outputs: inputs by name and in order, outputs
 * written by name and in order, the values those of the Java reference, and the mistakes named.
 */
class InferCommandTest {
    private final CliRun cli = new CliRun();

    /**
     * image (N, 3, 8, 8) and meta (N, 5) in; {@code logits} (N, 5) = Gemm of the pooled ReLU of a
     * convolution, plus meta, and {@code features} (N, 4, 8, 8), the ReLU itself, out.
     */
    static Path twoInTwoOut(Path dir) throws Exception {
        GraphProto g = classifierGraph("two", new Random(4), "features", "g")
                .addInput(info("image", 3, 8, 8)).addInput(info("meta", 5))
                .addOutput(info("logits")).addOutput(info("features"))
                .addNode(NodeProto.newBuilder().setOpType("Add").setName("add").addInput("g").addInput("meta")
                        .addOutput("logits"))
                .build();
        return write(g, dir, "two.onnx");
    }

    private static float[] data(int n, int seed) {
        float[] x = new float[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = ((i * 7 + seed) % 23) / 23f - 0.4f;
        }
        return x;
    }

    /** The two inputs of a batch of {@code n}, written to image.npy and meta.npy; returns their data. */
    private static float[][] inputs(Path dir, int n) throws Exception {
        float[] image = data(n * 192, 1);
        float[] meta = data(n * 5, 2);
        Npy.write(dir.resolve("image.npy"), Shape.of(n, 3, 8, 8), image);
        Npy.write(dir.resolve("meta.npy"), Shape.of(n, 5), meta);
        return new float[][] {image, meta};
    }

    @Test
    void namedInputsAndOutputsAreReadAndWrittenAsTheModelNamesThem(@TempDir Path dir) throws Exception {
        Path model = twoInTwoOut(dir);
        float[][] x = inputs(dir, 2);
        float[][] expected = ReferenceExecutor.runAll(OnnxImport.load(model).graph(), x, 2);
        Path json = dir.resolve("out.json");
        assertEquals(0, cli.run("infer", "--model", model.toString(), "--input", "meta=" + dir.resolve("meta.npy"),
                "--input", "image=" + dir.resolve("image.npy"), "--output", "features=" + dir.resolve("f.npy"),
                "--json", json.toString(), "--examples", "2"), cli.both());
        Npy.Array f = Npy.read(dir.resolve("f.npy"));
        assertEquals(Shape.of(2, 4, 8, 8), f.shape());
        assertArrayEquals(expected[1], f.data(), 1e-4f);
        String text = cli.out();
        assertTrue(text.contains("inputs 'image' (2, 3, 8, 8), 'meta' (2, 5)") && text.contains("Output 'logits' (2, 5)")
                && text.contains("Output 'features' (2, 4, 8, 8)") && text.contains("top-5")
                && text.contains("Output 'features' written to " + dir.resolve("f.npy")) && text.contains("ms per run"),
                text);
        String doc = Files.readString(json);
        for (String field : new String[] {"\"inputs\": ", "\"name\": \"meta\"", "\"outputs\": ",
            "\"name\": \"features\"", "\"shape\": [2, 4, 8, 8]", "\"outputShape\": [2, 5]"}) {
            assertTrue(doc.contains(field), field + " in " + doc);
        }
    }

    /** --precision fp16: the same outputs within the half tolerance (features is a graph output computed in half). */
    @Test
    void halfPrecisionActivationsGiveTheOutputsWithinTheHalfTolerance(@TempDir Path dir) throws Exception {
        Path model = twoInTwoOut(dir);
        float[][] x = inputs(dir, 2);
        float[][] expected = ReferenceExecutor.runAll(OnnxImport.load(model).graph(), x, 2);
        assertEquals(0, cli.run("infer", "--model", model.toString(), "--input", dir.resolve("image.npy").toString(),
                "--input", dir.resolve("meta.npy").toString(), "--output", dir.resolve("a.npy").toString(),
                "--output", dir.resolve("b.npy").toString(), "--precision", "fp16"), cli.both());
        assertTrue(cli.out().contains("activations stored as fp16"), cli.out());
        for (int k = 0; k < 2; k++) {
            float[] got = Npy.read(dir.resolve(k == 0 ? "a.npy" : "b.npy")).data();
            dev.clnn.reference.Comparison c = dev.clnn.reference.Comparison.of(got, expected[k], 0,
                    dev.clnn.reference.Tolerances.halfModelAtol(expected[k]));
            assertTrue(c.passed(), "output " + k + ": " + c.describe(got, expected[k]));
        }
        CliRun bad = new CliRun();
        assertEquals(2, bad.run("infer", "--model", model.toString(), "--input", dir.resolve("image.npy").toString(),
                "--input", dir.resolve("meta.npy").toString(), "--precision", "fp8"), bad.both());
        assertTrue(bad.err().contains("--precision must be fp32 or fp16, got 'fp8'"), bad.err());
    }

    @Test
    void inputsAndOutputsInTheModelsOrder(@TempDir Path dir) throws Exception {
        Path model = twoInTwoOut(dir);
        float[][] x = inputs(dir, 3);
        float[][] expected = ReferenceExecutor.runAll(OnnxImport.load(model).graph(), x, 3);
        assertEquals(0, cli.run("infer", "--model", model.toString(), "--input", dir.resolve("image.npy").toString(),
                "--input", dir.resolve("meta.npy").toString(), "--output", dir.resolve("a.npy").toString(),
                "--output", dir.resolve("b.npy").toString(), "--profile"), cli.both());
        assertArrayEquals(expected[0], Npy.read(dir.resolve("a.npy")).data(), 1e-4f);
        assertArrayEquals(expected[1], Npy.read(dir.resolve("b.npy")).data(), 1e-4f);
    }

    @Test
    void mistakesAboutInputsAndOutputsAreNamed(@TempDir Path dir) throws Exception {
        Path model = twoInTwoOut(dir);
        inputs(dir, 2);
        String image = dir.resolve("image.npy").toString();
        String meta = dir.resolve("meta.npy").toString();
        String m = model.toString();
        assertError("clnn: the model has 2 inputs ('image', 'meta'); --input names 1 file",
                "infer", "--model", m, "--input", image);
        assertError("clnn: --input extra=" + meta + ": the model has no input 'extra'; its inputs: 'image', 'meta'",
                "infer", "--model", m, "--input", "image=" + image, "--input", "extra=" + meta);
        assertError("clnn: --input: give every file as NAME=FILE or none (in the model's order: 'image', 'meta')",
                "infer", "--model", m, "--input", "image=" + image, "--input", meta);
        assertError("clnn: no --input for 'meta'; the model's inputs: 'image', 'meta'",
                "infer", "--model", m, "--input", "image=" + image);
        assertError("clnn: the model has 2 outputs ('logits', 'features'); --output names 3 files", "infer",
                "--model", m, "--input", image, "--input", meta, "--output", dir.resolve("1.npy").toString(),
                "--output", dir.resolve("2.npy").toString(), "--output", dir.resolve("3.npy").toString());
        Npy.write(dir.resolve("meta3.npy"), Shape.of(3, 5), new float[15]);
        assertError("clnn: " + image + " holds 2 examples and " + dir.resolve("meta3.npy") + " 3; every input of "
                + "two.onnx takes the same batch size", "infer", "--model", m, "--input", image, "--input",
                dir.resolve("meta3.npy").toString());
        assertError("clnn: two.onnx takes input 'meta' of shape (N, 5); " + image + " holds (2, 3, 8, 8)",
                "infer", "--model", m, "--input", image, "--input", image);
        assertFalse(Files.exists(dir.resolve("1.npy")));
    }

    @Test
    void commandsOfOneInputAndOutputRefuseTheModelWithTheReason(@TempDir Path dir) throws Exception {
        Path model = twoInTwoOut(dir);
        assertError("clnn: " + model + " has inputs [image, meta] and outputs [logits, features]; bench runs models of"
                + " one input and one output (clnn infer runs any)", "bench", "--model", model.toString());
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(8, 8,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        javax.imageio.ImageIO.write(img, "png", dir.resolve("img.png").toFile());
        CliRun classify = new CliRun();
        assertEquals(2, classify.run("classify", "--model", model.toString(), "--image",
                dir.resolve("img.png").toString()));
        assertTrue(classify.err().contains("has inputs [image, meta] and outputs [logits, features]; classify needs"),
                classify.err());
    }

    private static void assertError(String message, String... args) {
        CliRun run = new CliRun();
        assertEquals(2, run.run(args), run.both());
        assertEquals(message, run.err().strip());
    }
}
