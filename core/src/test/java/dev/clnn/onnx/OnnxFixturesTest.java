package dev.clnn.onnx;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.clnn.cl.ClDevice;

/**
 * Every {@code .onnx} file under {@code src/test/resources/onnx/} (exported from PyTorch by
 * {@code scripts/export_fixtures.py}) runs in clnn as in ONNX Runtime, on every device.
 */
class OnnxFixturesTest {

    static List<Path> fixtures() throws Exception {
        URL dir = OnnxFixturesTest.class.getResource("/onnx");
        if (dir == null) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            return files.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void exportedModelsMatchOnnxRuntime(ClDevice device) throws Exception {
        List<String> names = fixtures().stream().map(p -> p.getFileName().toString()).toList();
        org.junit.jupiter.api.Assertions.assertTrue(names.containsAll(
                List.of("mobilenet_v1_025_64.onnx", "mobilenet_v2_025_64.onnx")), "PyTorch fixtures present: " + names);
        for (Path f : fixtures()) {
            ModelProto m = ModelProto.parseFrom(Files.readAllBytes(f));
            OnnxImportTest.compare(device, m.toBuilder().setGraph(m.getGraph().toBuilder()
                    .setName(f.getFileName().toString())).build(), 2, 8);
        }
    }
}
