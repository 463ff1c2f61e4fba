package dev.clnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.clnn.tensor.Npy;
import dev.clnn.tensor.Shape;

/** {@code clnn infer}, {@code clnn classify} and {@code clnn bench --model} on a small ONNX classifier. */
class OnnxCommandsTest {
    private final CliRun cli = new CliRun();

    private int run(String... args) {
        return cli.run(args);
    }

    /** A float initializer of {@code dims} with values in [-0.5, 0.5). */
    static TensorProto tensor(String name, Random r, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        long n = 1;
        for (long d : dims) {
            t.addDims(d);
            n *= d;
        }
        for (int i = 0; i < n; i++) {
            t.addFloatData(r.nextFloat() - 0.5f);
        }
        return t.build();
    }

    /** A float value {@code name} of shape (N, dims...), or of no declared shape when dims is empty. */
    static ValueInfoProto info(String name, long... dims) {
        TypeProto.Tensor.Builder t = TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE);
        if (dims.length > 0) {
            TensorShapeProto.Builder s = TensorShapeProto.newBuilder()
                    .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
            for (long d : dims) {
                s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            }
            t.setShape(s);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(t)).build();
    }

    /**
     * The nodes and weights of a small classifier reading {@code image} (N, 3, 8, 8): Conv 3x3 -> Relu
     * (named {@code relu}) -> GlobalAveragePool -> Flatten -> Gemm (named {@code gemm}, (N, 5)), weights
     * drawn from {@code r}. Inputs and outputs are the caller's to add.
     */
    static GraphProto.Builder classifierGraph(String name, Random r, String relu, String gemm) {
        AttributeProto pads = AttributeProto.newBuilder().setName("pads").setType(AttributeProto.AttributeType.INTS)
                .addInts(1).addInts(1).addInts(1).addInts(1).build();
        AttributeProto transB = AttributeProto.newBuilder().setName("transB").setType(AttributeProto.AttributeType.INT)
                .setI(1).build();
        return GraphProto.newBuilder().setName(name)
                .addInitializer(tensor("w", r, 4, 3, 3, 3)).addInitializer(tensor("b", r, 4))
                .addInitializer(tensor("fc", r, 5, 4)).addInitializer(tensor("fcb", r, 5))
                .addNode(NodeProto.newBuilder().setOpType("Conv").setName("conv").addInput("image").addInput("w")
                        .addInput("b").addOutput("c").addAttribute(pads))
                .addNode(NodeProto.newBuilder().setOpType("Relu").setName("relu").addInput("c").addOutput(relu))
                .addNode(NodeProto.newBuilder().setOpType("GlobalAveragePool").setName("gap").addInput(relu)
                        .addOutput("p"))
                .addNode(NodeProto.newBuilder().setOpType("Flatten").setName("flat").addInput("p").addOutput("f"))
                .addNode(NodeProto.newBuilder().setOpType("Gemm").setName("fc").addInput("f").addInput("fc")
                        .addInput("fcb").addOutput(gemm).addAttribute(transB));
    }

    /** Writes {@code g} as an opset-13 model to {@code dir/file}. */
    static Path write(GraphProto g, Path dir, String file) throws Exception {
        ModelProto m = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build();
        Path path = dir.resolve(file);
        Files.write(path, m.toByteArray());
        return path;
    }

    /** (N, 3, 8, 8) -> Conv 3x3 -> Relu -> GlobalAveragePool -> Flatten -> Gemm -> (N, 5). */
    static Path classifier(Path dir) throws Exception {
        GraphProto g = classifierGraph("tiny", new Random(3), "r", "logits")
                .addInput(info("image", 3, 8, 8)).addOutput(info("logits")).build();
        return write(g, dir, "tiny.onnx");
    }

    @Test
    void inferWritesTheOutputAndTopFive(@TempDir Path dir) throws Exception {
        Path model = classifier(dir);
        float[] x = new float[2 * 3 * 8 * 8];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 17) / 17f;
        }
        Npy.write(dir.resolve("x.npy"), Shape.of(2, 3, 8, 8), x);
        assertEquals(0, run("infer", "--model", model.toString(), "--input", dir.resolve("x.npy").toString(),
                "--output", dir.resolve("y.npy").toString(), "--examples", "3"), cli.err());
        Npy.Array y = Npy.read(dir.resolve("y.npy"));
        assertEquals(Shape.of(2, 5), y.shape());
        String text = cli.out();
        assertTrue(text.contains("(2, 5)") && text.contains("top-5") && text.contains("ms per run"), text);
    }

    @Test
    void inferRejectsAnInputOfTheWrongShape(@TempDir Path dir) throws Exception {
        Path model = classifier(dir);
        Npy.write(dir.resolve("x.npy"), Shape.of(1, 8, 8, 3), new float[192]);
        assertEquals(2, run("infer", "--model", model.toString(), "--input", dir.resolve("x.npy").toString()));
        String message = cli.err();
        assertTrue(message.contains("takes input 'image' of shape (N, 3, 8, 8)"), message);
    }

    @Test
    void inferRejectsABrokenModelInOneLine(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("broken.onnx");
        Files.write(model, new byte[] {8, 7, 18, 100, 1, 2});
        Npy.write(dir.resolve("x.npy"), Shape.of(1, 3, 8, 8), new float[192]);
        assertEquals(2, run("infer", "--model", model.toString(), "--input", dir.resolve("x.npy").toString()));
        String message = cli.err();
        assertTrue(message.startsWith("clnn: ") && message.contains("broken.onnx") && !message.contains("at dev."),
                message);
    }

    @Test
    void classifyPrintsFiveClassesWithLabels(@TempDir Path dir) throws Exception {
        Path model = classifier(dir);
        BufferedImage img = new BufferedImage(20, 13, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 13; y++) {
            for (int x = 0; x < 20; x++) {
                img.setRGB(x, y, (x * 12) << 16 | (y * 19) << 8 | 77);
            }
        }
        ImageIO.write(img, "png", dir.resolve("img.png").toFile());
        Files.writeString(dir.resolve("labels.txt"), "cat\ndog\nfox\nowl\nelk\n");
        assertEquals(0, run("classify", "--model", model.toString(), "--image", dir.resolve("img.png").toString(),
                "--labels", dir.resolve("labels.txt").toString()), cli.err());
        String text = cli.out();
        assertEquals(5, text.lines().filter(l -> l.contains(" %  ")).count(), text);
        assertTrue(text.contains("owl") && text.contains("elk"), text);
    }

    @Test
    void benchModelRunsAnImportedModel(@TempDir Path dir) throws Exception {
        Path model = classifier(dir);
        assertEquals(0, run("bench", "--model", model.toString(), "--examples", "8", "--batch-size", "4"),
                cli.err());
        String text = cli.out();
        assertTrue(text.contains("Correctness: PASS") || text.contains("PASS"), text);
    }

    @Test
    void inferWritesJsonToStdoutAndAcceptsADeviceAsOutput(@TempDir Path dir) throws Exception {
        Path model = classifier(dir);
        Npy.write(dir.resolve("x.npy"), Shape.of(3, 3, 8, 8), new float[3 * 192]);
        assertEquals(0, run("infer", "--model", model.toString(), "--input", dir.resolve("x.npy").toString(),
                "--output", "/dev/null", "--json", "-"), cli.both());
        String json = cli.out().strip();
        assertTrue(json.startsWith("{") && json.endsWith("}"), json);
        for (String field : new String[] {"\"command\": \"infer\"", "\"seed\": null", "\"driverVersion\": ",
            "\"outputShape\": [3, 5]", "\"example\": 2", "\"top5\": ", "\"output\": \"/dev/null\""}) {
            assertTrue(json.contains(field), field + " in " + json);
        }
        assertTrue(cli.err().contains("top-5"), "the report goes to stderr: " + cli.err());
    }

    @Test
    void missingInputsAreExitCode2AndNamed(@TempDir Path dir) throws Exception {
        Path model = classifier(dir);
        Path none = dir.resolve("none.npy");
        assertEquals(2, run("infer", "--model", model.toString(), "--input", none.toString()));
        assertEquals("clnn: no such file: " + none, cli.err().strip());
        CliRun second = new CliRun();
        assertEquals(2, second.run("infer", "--model", dir.toString(), "--input", none.toString()));
        assertEquals("clnn: " + dir + " is a directory, expected a file", second.err().strip());
        CliRun third = new CliRun();
        assertEquals(2, third.run("classify", "--model", model.toString(), "--image", model.toString(),
                "--labels", dir.resolve("labels.txt").toString()));
        assertEquals("clnn: no such file: " + dir.resolve("labels.txt"), third.err().strip());
    }

    @Test
    void anUnwritableOutputIsRefusedBeforeTheModelLoads(@TempDir Path dir) throws Exception {
        Path model = classifier(dir);
        Npy.write(dir.resolve("x.npy"), Shape.of(1, 3, 8, 8), new float[192]);
        Path sub = Files.createDirectory(dir.resolve("sub"));
        assertEquals(2, run("infer", "--model", model.toString(), "--input", dir.resolve("x.npy").toString(),
                "--output", sub.toString()));
        assertEquals("clnn: cannot write " + sub + ": is a directory", cli.err().strip());
        assertEquals("", cli.out());
    }

    @Test
    void classifyWritesJson(@TempDir Path dir) throws Exception {
        Path model = classifier(dir);
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        ImageIO.write(img, "png", dir.resolve("img.png").toFile());
        Path json = dir.resolve("top.json");
        assertEquals(0, run("classify", "--model", model.toString(), "--image", dir.resolve("img.png").toString(),
                "--json", json.toString()), cli.err());
        String doc = Files.readString(json);
        assertTrue(doc.contains("\"command\": \"classify\"") && doc.contains("\"probability\": ")
                && doc.contains("\"label\": null") && doc.contains("\"driverVersion\": "), doc);
        assertFalse(cli.out().contains("{"), "the JSON goes only to the file: " + cli.out());
    }

    @Test
    void classifyRefusesLabelsOfTheWrongCount(@TempDir Path dir) throws Exception {
        Path model = classifier(dir);
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("img.png").toFile());
        Path labels = dir.resolve("labels.txt");
        Files.writeString(labels, "cat\ndog\nfox\n");
        assertEquals(2, run("classify", "--model", model.toString(), "--image", dir.resolve("img.png").toString(),
                "--labels", labels.toString()));
        assertEquals("clnn: " + labels + " holds 3 labels but the model has 5 classes; one label per class, in output "
                + "order, is needed", cli.err().strip());
        assertEquals("", cli.out());
    }

    @Test
    void classifyRefusesAFileThatIsNoImage(@TempDir Path dir) throws Exception {
        Path model = classifier(dir);
        Path text = dir.resolve("photo.jpg");
        Files.writeString(text, "not an image");
        assertEquals(2, run("classify", "--model", model.toString(), "--image", text.toString()));
        assertEquals("clnn: cannot decode " + text + ": not a PNG, JPEG, BMP or GIF image", cli.err().strip());
    }

    @Test
    void classifyPrintsThePreprocessing(@TempDir Path dir) throws Exception {
        Path model = classifier(dir);
        ImageIO.write(new BufferedImage(30, 12, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("img.png").toFile());
        assertEquals(0, run("classify", "--model", model.toString(), "--image", dir.resolve("img.png").toString(),
                "--resize", "10", "--mean", ".5,.5,.5", "--std", ".5,.5,.5"), cli.err());
        String text = cli.out();
        assertTrue(text.contains("img.png (30x12)") && text.contains("resize shorter side to 10 (antialiased), "
                + "centre crop 8x8, (x/255 - mean(0.5, 0.5, 0.5)) / std(0.5, 0.5, 0.5), RGB, NCHW; labels: none"), text);
    }
}
