package dev.clnn.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import dev.clnn.graph.ReferenceExecutor;
import dev.clnn.testing.TestData;

/**
 * Files that are not models clnn can run: each fails with one {@link OnnxFormatException} naming
 * the problem, never an {@link OutOfMemoryError}, a hang or another exception.
 */
class OnnxBadFileTest {

    /** A small valid model: Conv + BatchNorm + Clip, the exporters' flatten, Gemm. */
    static ModelProto valid() {
        OnnxBuilder b = new OnnxBuilder("small", 5);
        String x = b.input("x", -1, 3, 6, 6);
        x = b.relu6(b.batchNorm(b.conv(x, 3, 4, 3, 2, 1, 1, true), 4));
        x = b.node("Gemm", new String[] {b.exporterFlatten(x), b.random(5, 36), b.random(5)}, "transB", 1);
        return b.build(b.node("Softmax", x, "axis", 1));
    }

    private static OnnxFormatException fails(byte[] bytes, Path dir) {
        return assertThrows(OnnxFormatException.class, () -> OnnxImport.load(bytes, dir, "bad.onnx"));
    }

    private static void assertMessage(OnnxFormatException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "'" + p + "' not in: " + e.getMessage());
        }
    }

    /** The model with initializer {@code index} replaced. */
    private static ModelProto withInitializer(ModelProto m, int index, TensorProto t) {
        ModelProto.Builder b = m.toBuilder();
        b.getGraphBuilder().setInitializer(index, t);
        return b.build();
    }

    @Test
    void emptyFile(@TempDir Path dir) throws Exception {
        assertMessage(fails(new byte[0], null), "empty");
        Path f = dir.resolve("empty.onnx");
        Files.write(f, new byte[0]);
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxImport.load(f));
        assertMessage(e, "empty.onnx", "empty");
    }

    @Test
    void truncatedAtManyOffsets() {
        byte[] bytes = valid().toByteArray();
        for (int k = 0; k < bytes.length; k += Math.max(1, k < 200 ? 1 : bytes.length / 300)) {
            byte[] cut = Arrays.copyOf(bytes, k);
            try {
                OnnxImport.load(cut, null, "cut.onnx");
            } catch (OnnxFormatException expected) {
                // one clear message: the model is truncated, or a part of it is missing
                assertTrue(!expected.getMessage().isBlank());
            }
        }
        assertMessage(fails(Arrays.copyOf(bytes, bytes.length / 2), null), "bad.onnx");
    }

    @Test
    void randomBytes() {
        Random r = new Random(11);
        for (int i = 0; i < 200; i++) {
            byte[] bytes = new byte[1 + r.nextInt(2000)];
            r.nextBytes(bytes);
            fails(bytes, null);
        }
    }

    @Test
    void negativeAndEnormousDimensions() {
        ModelProto m = valid();
        TensorProto w = m.getGraph().getInitializer(0);
        assertMessage(fails(withInitializer(m, 0, w.toBuilder().setDims(0, -4).build()).toByteArray(), null),
                "negative dimension -4", w.getName());
        assertMessage(fails(withInitializer(m, 0, w.toBuilder().setDims(0, 1L << 40).build()).toByteArray(), null),
                "enormous dimension");
        TensorProto huge = w.toBuilder().setDims(0, 1 << 20).setDims(1, 1 << 20).build();
        assertMessage(fails(withInitializer(m, 0, huge).toByteArray(), null), "more than");
        ModelProto.Builder b = m.toBuilder();
        b.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder()
                .getDimBuilder(2).setDimValue(-6);
        assertMessage(fails(b.build().toByteArray(), null), "non-positive dimension -6");
        b.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder()
                .getDimBuilder(2).setDimValue(1L << 33);
        assertMessage(fails(b.build().toByteArray(), null), "enormous dimension");
    }

    @Test
    void initializerDataThatDoesNotMatchItsShape() {
        ModelProto m = valid();
        TensorProto w = m.getGraph().getInitializer(0);
        TensorProto fewer = w.toBuilder().clearFloatData().addFloatData(1f).build();
        assertMessage(fails(withInitializer(m, 0, fewer).toByteArray(), null), w.getName(), "holds 1");
        TensorProto raw = w.toBuilder().clearFloatData().setRawData(ByteString.copyFrom(new byte[10])).build();
        assertMessage(fails(withInitializer(m, 0, raw).toByteArray(), null), "raw data, got 10");
    }

    @Test
    void unsupportedOpsetAndMissingInputs() {
        ModelProto m = valid();
        ModelProto old = m.toBuilder().setOpsetImport(0, m.getOpsetImport(0).toBuilder().setVersion(7)).build();
        assertMessage(fails(old.toByteArray(), null), "opset 7", "11 to 20");
        ModelProto noInput = m.toBuilder().setGraph(m.getGraph().toBuilder().clearInput()).build();
        assertMessage(fails(noInput.toByteArray(), null), "0 inputs");
    }

    private static TensorProto external(TensorProto w, String location, long length) {
        return w.toBuilder().clearFloatData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(Long.toString(length)))
                .build();
    }

    private static byte[] bytesOf(TensorProto w) {
        ByteBuffer b = ByteBuffer.allocate(4 * w.getFloatDataCount()).order(ByteOrder.LITTLE_ENDIAN);
        w.getFloatDataList().forEach(b::putFloat);
        return b.array();
    }

    @Test
    void externalDataInsideTheModelDirectoryLoads(@TempDir Path dir) throws Exception {
        ModelProto m = valid();
        TensorProto w = m.getGraph().getInitializer(0);
        Files.createDirectories(dir.resolve("data"));
        Files.write(dir.resolve("data/w.bin"), bytesOf(w));
        ModelProto ext = withInitializer(m, 0, external(w, "data/w.bin", 4L * w.getFloatDataCount()));
        Path file = dir.resolve("ext.onnx");
        Files.write(file, ext.toByteArray());
        OnnxModel a = OnnxImport.load(file);
        OnnxModel b = OnnxImport.load(m.toByteArray(), null, "inline");
        float[] x = TestData.uniform(a.inputShape(2).sizeAsInt(), 9);
        assertArrayEquals(ReferenceExecutor.run(b.graph(), x, 2), ReferenceExecutor.run(a.graph(), x, 2));
        assertMessage(fails(ext.toByteArray(), null), "not loaded from a file");
    }

    @Test
    void externalDataOutsideTheModelDirectoryIsRejected(@TempDir Path dir) throws Exception {
        ModelProto m = valid();
        TensorProto w = m.getGraph().getInitializer(0);
        long n = 4L * w.getFloatDataCount();
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.write(dir.resolve("secret.bin"), bytesOf(w));
        assertMessage(fails(withInitializer(m, 0, external(w, "../secret.bin", n)).toByteArray(), models), "'..'");
        assertMessage(fails(withInitializer(m, 0, external(w, "a/../../secret.bin", n)).toByteArray(), models), "'..'");
        String abs = dir.resolve("secret.bin").toAbsolutePath().toString();
        assertMessage(fails(withInitializer(m, 0, external(w, abs, n)).toByteArray(), models), "absolute");
        Files.createSymbolicLink(models.resolve("link.bin"), dir.resolve("secret.bin"));
        assertMessage(fails(withInitializer(m, 0, external(w, "link.bin", n)).toByteArray(), models),
                "outside the model's directory");
        assertMessage(fails(withInitializer(m, 0, external(w, "missing.bin", n)).toByteArray(), models),
                "does not exist");
        Files.write(models.resolve("short.bin"), new byte[8]);
        assertMessage(fails(withInitializer(m, 0, external(w, "short.bin", n)).toByteArray(), models), "has 8 bytes");
        assertMessage(fails(withInitializer(m, 0, external(w, "short.bin", 8)).toByteArray(), models), "length 8");
    }

    /** Seeded mutations of a valid model: each loads, or fails with an IllegalArgumentException. */
    @Test
    void fuzzedModelsLoadOrFailCleanly() {
        byte[] bytes = valid().toByteArray();
        Random r = new Random(2026);
        long deadline = System.nanoTime() + 60_000_000_000L;
        int loaded = 0;
        for (int i = 0; i < 1500 && System.nanoTime() < deadline; i++) {
            byte[] m = bytes.clone();
            int edits = 1 + r.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int pos = r.nextInt(m.length);
                switch (r.nextInt(3)) {
                    case 0: m[pos] = (byte) r.nextInt(256); break;
                    case 1: m[pos] ^= (byte) (1 << r.nextInt(8)); break;
                    default: m = Arrays.copyOf(m, Math.max(1, pos));
                }
            }
            try {
                OnnxModel model = OnnxImport.load(m, null, "fuzz.onnx");
                model.graph().shapes(2);
                loaded++;
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage() != null && !expected.getMessage().isBlank());
            } catch (RuntimeException | Error e) {
                fail("mutation " + i + " threw " + e, e);
            }
        }
        assertTrue(loaded > 0, "some mutations (of weights, say) still load");
    }
}
