package dev.clnn.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A project with only {@code dev.clnn:clnn-core} as its dependency: the README's "As a library"
 * snippets compile against it and run in a JVM of their own. Each run edits its snippet only to
 * shrink the work (fewer examples and epochs) and to check what it computed.
 */
class ReadmeSnippetsTest {
    private static final long TIMEOUT_S = 300;
    private static ReadmeSnippets snippets;
    private static ConsumerJvm jvm;

    @BeforeAll
    static void setUp() throws Exception {
        snippets = ReadmeSnippets.of(Files.readString(Path.of(System.getProperty("clnn.readme"))), "## As a library");
        jvm = new ConsumerJvm(Path.of(System.getProperty("clnn.consumer.classpath")),
                Path.of(System.getProperty("clnn.consumer.work")));
    }

    @Test
    void theReadmeHasThreeSnippets() {
        assertEquals(3, snippets.size(), "GEMM, training, and a network; update this test when adding one");
    }

    @Test
    void theConsumerClasspathHoldsClnnCoreAndWhatItNeedsOnly() {
        List<String> entries = jvm.entries();
        assertTrue(entries.stream().anyMatch(e -> e.contains("clnn-core") || e.contains("core/target/classes")),
                entries.toString());
        assertTrue(entries.stream().noneMatch(e -> e.contains("ejml") || e.contains("junit")), entries.toString());
    }

    @Test
    void gemmSnippetComputesTheProduct() throws Exception {
        String prelude = String.join("\n",
                "int m = 67, n = 45, k = 131;",
                "java.util.Random random = new java.util.Random(7);",
                "float[] aData = new float[m * k];",
                "float[] bData = new float[k * n];",
                "for (int i = 0; i < aData.length; i++) aData[i] = random.nextFloat() * 2 - 1;",
                "for (int i = 0; i < bData.length; i++) bData[i] = random.nextFloat() * 2 - 1;");
        String snippet = ReadmeSnippets.edited(snippets.containing("Gemm.configure"), Map.of(
                "float[] result = c.read();",
                "float[] result = c.read(); dev.clnn.consumer.Check.gemm(aData, bData, result, m, n, k);"));
        String output = runOk("GemmSnippet", prelude, snippet);
        assertTrue(output.contains("GEMM max error"), output);
    }

    @Test
    void trainingSnippetTrainsSavesAndExports() throws Exception {
        String mnist = System.getProperty("clnn.test.mnist");
        String dir = mnist == null || mnist.isBlank() ? "Mnist.DEFAULT_DIR"
                : "java.nio.file.Path.of(\"" + mnist.replace("\\", "\\\\") + "\")";
        Map<String, String> edits = new LinkedHashMap<>();
        edits.put("Mnist.load(Mnist.DEFAULT_DIR)", "Mnist.load(" + dir + ", 512, 128)");
        edits.put("withEpochs(5)", "withEpochs(1)");
        edits.put("int[] classes = model.predictClasses(data.test().features());",
                "int[] classes = model.predictClasses(data.test().features());"
                        + " dev.clnn.consumer.Check.classes(classes, data.test().size());");
        String snippet = ReadmeSnippets.edited(snippets.containing("new Trainer("), edits);
        Files.deleteIfExists(jvm.work().resolve("fashion.weights"));
        Files.deleteIfExists(jvm.work().resolve("fashion.onnx"));
        String output = runOk("TrainingSnippet", "", snippet);
        assertTrue(output.contains("classes 128"), output);
        assertTrue(Files.size(jvm.work().resolve("fashion.weights")) > 0, "weights saved");
        assertTrue(Files.size(jvm.work().resolve("fashion.onnx")) > 0, "ONNX model written");
    }

    @Test
    void networkSnippetPredictsProbabilities() throws Exception {
        String prelude = String.join("\n",
                "float[] image = new float[224 * 224 * 3];",
                "java.util.Random random = new java.util.Random(11);",
                "for (int i = 0; i < image.length; i++) image[i] = random.nextFloat();");
        String snippet = ReadmeSnippets.edited(snippets.containing("Model.compile"), Map.of(
                "float[] probabilities = model.predict(image);",
                "float[] probabilities = model.predict(image);"
                        + " dev.clnn.consumer.Check.probabilities(probabilities, 1000);"));
        String output = runOk("NetworkSnippet", prelude, snippet);
        assertTrue(output.contains("probabilities sum"), output);
    }

    @Test
    void withoutLibjsigTheConsumerIsWarnedOnce() throws Exception {
        // NOTE: only the check runs, no OpenCL: a JVM without libjsig is exactly the one a driver may crash
        String body = "dev.clnn.cl.SignalChaining.checkOnce();\ndev.clnn.cl.SignalChaining.checkOnce();\n";
        Path classes = jvm.compile("NoLibjsig", ReadmeSnippets.program("NoLibjsig", "", body));
        ConsumerJvm.Result result = jvm.run("NoLibjsig", classes, true, TIMEOUT_S);
        assertEquals(0, result.exitCode(), result.output());
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertTrue(result.output().contains("WARNING") && result.output().contains("LD_PRELOAD="), result.output());
            assertEquals(1, result.output().split("LD_PRELOAD=", -1).length - 1, "once: " + result.output());
        }
    }

    /** Compiles and runs a snippet program; returns its output after checking it exited cleanly and unwarned. */
    private static String runOk(String name, String prelude, String snippet) throws Exception {
        Path classes = jvm.compile(name, ReadmeSnippets.program(name, prelude, snippet));
        ConsumerJvm.Result result = jvm.run(name, classes, false, TIMEOUT_S);
        assertEquals(0, result.exitCode(), name + " failed:\n" + result.output());
        assertTrue(!result.output().contains("libjsig"), "the test JVM's environment preloads libjsig:\n"
                + result.output());
        return result.output();
    }
}
