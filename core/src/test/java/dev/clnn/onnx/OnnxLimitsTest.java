package dev.clnn.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.clnn.graph.ReferenceExecutor;
import dev.clnn.testing.TestData;

/**
 * Small models that name large amounts of data: external data in a sparse 1 GiB file (unused,
 * not matching the shape, past the file's end, used by several initializers at once), chains of
 * computed constants, a model read from {@code /dev/zero}. Each loads without reading what it does
 * not use, or fails fast with one {@link OnnxFormatException} naming the tensor, never an
 * {@link OutOfMemoryError}.
 */
@Timeout(60)
class OnnxLimitsTest {
    private static final long GIB = 1L << 30;
    /** Most an import of one of these small models may allocate when it reads no large tensor. */
    private static final long SMALL_IMPORT_BYTES = 64L << 20;

    @TempDir
    Path dir;

    @BeforeEach
    void sparseGigabyte() throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("big.bin").toFile(), "rw")) {
            f.setLength(GIB);           // sparse: no disk space, reads as zeros
        }
    }

    static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** {@code t} stored externally in {@code location} at {@code offset}, with {@code length} (-1: none given). */
    private static TensorProto external(TensorProto t, String location, long offset, long length) {
        TensorProto.Builder b = t.toBuilder().clearFloatData().clearRawData()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue(Long.toString(offset)));
        if (length >= 0) {
            b.addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(Long.toString(length)));
        }
        return b.build();
    }

    private static TensorProto floatsOfShape(String name, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private Path save(ModelProto m) throws Exception {
        Path file = dir.resolve("model.onnx");
        Files.write(file, m.toByteArray());
        return file;
    }

    /** Loading {@code m} fails with a message holding each of {@code parts}, and allocates little. */
    private OnnxFormatException fails(ModelProto m, long budget, String... parts) {
        long before = allocated();
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxImport.load(m, dir, "m.onnx", budget));
        long used = allocated() - before;
        assertTrue(used < SMALL_IMPORT_BYTES, "allocated " + used + " bytes");
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "'" + p + "' not in: " + e.getMessage());
        }
        return e;
    }

    private OnnxFormatException fails(ModelProto m, String... parts) {
        return fails(m, TensorSource.defaultBudget(), parts);
    }

    private static ModelProto withInitializer(ModelProto m, int index, TensorProto t) {
        ModelProto.Builder b = m.toBuilder();
        b.getGraphBuilder().setInitializer(index, t);
        return b.build();
    }

    @Test
    void anUnusedInitializerInAGigabyteFileIsNeverRead() throws Exception {
        ModelProto.Builder b = OnnxBadFileTest.valid().toBuilder();
        b.getGraphBuilder().addInitializer(external(floatsOfShape("unused", 1 << 28), "big.bin", 0, GIB));
        Path file = save(b.build());
        assertTrue(Files.size(file) < 4096);
        long before = allocated();
        OnnxModel m = OnnxImport.load(file);
        assertTrue(allocated() - before < SMALL_IMPORT_BYTES, "allocated " + (allocated() - before) + " bytes");
        OnnxModel inline = OnnxImport.load(OnnxBadFileTest.valid().toByteArray(), null, "inline");
        float[] x = TestData.uniform(m.inputShape(2).sizeAsInt(), 3);
        assertArrayEquals(ReferenceExecutor.run(inline.graph(), x, 2), ReferenceExecutor.run(m.graph(), x, 2));
    }

    @Test
    void externalDataThatDoesNotFitFailsFastNamingTheInitializer() {
        ModelProto m = OnnxBadFileTest.valid();
        TensorProto w = m.getGraph().getInitializer(0);
        String name = "'" + w.getName() + "'";
        fails(withInitializer(m, 0, external(w, "big.bin", 0, GIB)), name, "length 1073741824", "432 bytes");
        fails(withInitializer(m, 0, external(w, "big.bin", GIB - 100, -1)), name, "has 1073741824 bytes",
                "needs 432 from offset 1073741724");
        fails(withInitializer(m, 0, external(w, "big.bin", Long.MAX_VALUE, 432)), name, "has 1073741824 bytes");
        fails(withInitializer(m, 0, external(w, "big.bin", -1, 432)), name, "offset -1");
        // the shape fits the file, but not the convolution: found before a byte is read
        TensorProto gig = external(floatsOfShape(w.getName(), 1 << 28), "big.bin", 0, GIB);
        fails(withInitializer(m, 0, gig), "Conv weights", "[268435456]");
    }

    @Test
    void aGigabyteInitializerOnlyReshapedAndMeasuredIsNeverRead() {
        OnnxBuilder b = new OnnxBuilder("measured", 1);
        String x = b.input("x", -1, 4);
        b.graph().addInitializer(external(floatsOfShape("big", 1 << 28), "big.bin", 0, GIB));
        String square = b.node("Reshape", new String[] {"big", b.ints(1 << 14, 1 << 14)});
        b.node("Shape", square);        // folded at load time, like the exporters' shape arithmetic
        ModelProto m = b.build(b.node("Relu", x));
        long before = allocated();
        // the budget is a count, not memory: 2 GiB lets the 1 GiB tensor be declared whatever the heap
        OnnxModel model = OnnxImport.load(m, dir, "measured", 2 * GIB);
        assertTrue(allocated() - before < SMALL_IMPORT_BYTES, "allocated " + (allocated() - before) + " bytes");
        assertEquals(4, model.outputShape(1).size());
    }

    @Test
    void aTensorLargerThanTheBudgetFailsBeforeItIsRead() {
        OnnxBuilder b = new OnnxBuilder("wide", 1);
        String x = b.input("x", -1, 1 << 13);
        b.graph().addInitializer(external(floatsOfShape("huge", 1 << 13, 1 << 15), "big.bin", 0, GIB));
        ModelProto m = b.build(b.node("Gemm", new String[] {x, "huge"}));
        fails(m, 256L << 20, "tensor 'huge'", "needs 1073741824 bytes", "268435456 bytes", "-Xmx");
    }

    @Test
    void manyInitializersSharingOneFileAreCountedTogether() {
        OnnxBuilder b = new OnnxBuilder("shared", 1);
        String x = b.input("x", -1, 1 << 24);
        for (int i = 0; i < 8; i++) {
            b.graph().addInitializer(external(floatsOfShape("w" + i, 1, 1 << 24), "big.bin", 0, 4L << 24));
            x = b.node("Add", new String[] {x, "w" + i});
        }
        fails(b.build(x), 300L << 20, "tensor 'w4'", "needs 67108864 bytes");
    }

    @Test
    void computedConstantsAreCountedToo() {
        OnnxBuilder b = new OnnxBuilder("computed", 1);
        String x = b.input("x", -1, 4);
        String shape = b.ints(1 << 20);
        String c = null;
        for (int i = 0; i < 12; i++) {
            c = b.node("ConstantOfShape", shape);
        }
        ModelProto m = b.build(b.node("Relu", x));
        OnnxFormatException e = fails(m, 16L << 20, "ConstantOfShape", "needs 4194304 bytes");
        assertTrue(!e.getMessage().contains(c), "an early constant fails, not the last: " + e.getMessage());
        OnnxImport.load(m, null, "computed", 64L << 20);
    }

    /** A million axes, as floats: converted once, not once per element (which took hours). */
    @Test
    void aLongFloatAxesListIsReadInLinearTime() {
        OnnxBuilder b = new OnnxBuilder("axes", 1);
        String x = b.input("x", -1, 3, 4, 4);
        b.graph().addInitializer(external(floatsOfShape("axes", 1 << 20), "big.bin", 0, 4L << 20));
        ModelProto m = b.build(b.node("Squeeze", new String[] {x, "axes"}));
        fails(m, "Squeeze", "batch axis");
    }

    @Test
    void aModelFromDevZeroFailsAtOnce() {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.isReadable(zero), "no /dev/zero here");
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxImport.load(zero));
        assertTrue(e.getMessage().contains("/dev/zero") && e.getMessage().contains("not a valid ONNX model"),
                e.getMessage());
    }

    @Test
    void streamsLoadLikeBytes() throws Exception {
        byte[] bytes = OnnxBadFileTest.valid().toByteArray();
        OnnxModel a = OnnxImport.load(new ByteArrayInputStream(bytes), null, "stream");
        OnnxModel b = OnnxImport.load(bytes, null, "bytes");
        assertEquals(b.graph().nodes().size(), a.graph().nodes().size());
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxImport.load(InputStream.nullInputStream(), null, "nothing"));
        assertTrue(e.getMessage().contains("nothing is empty"), e.getMessage());
    }

    /** clnn's public ONNX API speaks in clnn's own types, files, streams and bytes, not protobuf classes. */
    @Test
    void publicApiExposesNoThirdPartyTypes() {
        List<String> leaks = new ArrayList<>();
        for (Class<?> c : new Class<?>[] {OnnxImport.class, OnnxExport.class, OnnxModel.class,
                OnnxFormatException.class}) {
            for (Method m : c.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers())) {
                    continue;
                }
                List<Type> types = new ArrayList<>(List.of(m.getGenericParameterTypes()));
                types.add(m.getGenericReturnType());
                for (Type t : types) {
                    String n = t.getTypeName();
                    if (n.contains(".") && !n.startsWith("java.") && !n.startsWith("dev.clnn.")) {
                        leaks.add(c.getSimpleName() + "." + m.getName() + ": " + n);
                    }
                }
            }
        }
        assertTrue(leaks.isEmpty(), "third-party types in the public API: " + leaks);
    }
}
