package dev.clnn.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;

class TensorTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void holdsDataAndShapeAndFailsAfterClose(ClDevice device, @TempDir Path dir) throws Exception {
        try (ClContext cl = ClContext.create(device)) {
            float[] data = {1, 2, 3, 4, 5, 6};
            Tensor t = Tensor.of(cl, Shape.of(1, 2, 3), Layout.ROW_MAJOR, data);
            assertArrayEquals(data, t.toArray());
            Tensor flat = t.reshape(Shape.of(6));
            assertArrayEquals(data, flat.toArray());
            flat.close();
            assertArrayEquals(data, t.toArray(), "closing a view leaves the tensor alive");
            Path file = dir.resolve("t.npy");
            t.writeNpy(file);
            try (Tensor back = Tensor.readNpy(cl, file, Layout.NHWC)) {
                assertEquals(Shape.of(1, 2, 3), back.shape());
                assertArrayEquals(data, back.toArray());
            }
            Tensor view = t.reshape(Shape.of(3, 2));
            t.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, t::toArray);
            assertTrue(e.getMessage().contains("after close"), e.getMessage());
            assertThrows(IllegalStateException.class, view::toArray);
            assertThrows(IllegalArgumentException.class, () -> Tensor.of(cl, Shape.of(2, 2), new float[3]));
        }
    }

    @Test
    void shapesDescribeThemselves() {
        Shape s = Shape.of(2, 3, 4);
        assertEquals(24, s.size());
        assertArrayEquals(new long[] {12, 4, 1}, s.strides());
        assertEquals(4, s.dim(-1));
        assertEquals("(2, 3, 4)", s.toString());
        assertEquals("(5,)", Shape.of(5).toString());
        assertThrows(IllegalArgumentException.class, () -> s.axis(3));
        assertThrows(IllegalArgumentException.class, () -> Shape.of(2, -1));
    }

    @Test
    void readsNumpyHeadersOfEveryVersionByteOrderAndWidth() {
        float[] values = {1.5f, -2f, 0f, 3.25f};
        assertArrayEquals(values, Npy.parse(npy(1, "<f4", "(2, 2)", values, false), "a").data());
        assertArrayEquals(values, Npy.parse(npy(2, "<f4", "(4,)", values, false), "b").data());
        assertArrayEquals(values, Npy.parse(npy(1, ">f4", "(4,)", values, false), "c").data());
        assertArrayEquals(values, Npy.parse(npy(1, "<f8", "(1, 4)", values, true), "d").data());
        assertEquals(Shape.of(2, 2), Npy.parse(npy(1, "<f4", "(2, 2)", values, false), "e").shape());
        assertEquals(Shape.of(), Npy.parse(npy(1, "<f4", "()", new float[] {7f}, false), "f").shape());
    }

    @Test
    void rejectsMalformedNumpyFilesWithTheReason() {
        float[] values = {1, 2, 3, 4};
        assertBad(new byte[] {1, 2, 3}, "magic");
        assertBad(npy(1, "<i8", "(4,)", values, false), "float32");
        byte[] full = npy(1, "<f4", "(4,)", values, false);
        assertBad(java.util.Arrays.copyOf(full, full.length - 3), "truncated");
        String header = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }";
        assertBad(raw(1, header, new byte[16]), "Fortran");
    }

    @Test
    void writesAlignedHeadersAndNeverLeavesPartialFiles(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.npy");
        Npy.write(f, Shape.of(3, 1), new float[] {1, 2, 3});
        byte[] bytes = Files.readAllBytes(f);
        int headerLen = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
        assertEquals(0, (10 + headerLen) % 64, "header padded to 64 bytes");
        assertTrue(new String(bytes, 10, headerLen, StandardCharsets.ISO_8859_1).contains("'shape': (3, 1)"));
        assertThrows(IllegalArgumentException.class, () -> Npy.write(f, Shape.of(2), new float[3]));
        assertArrayEquals(new float[] {1, 2, 3}, Npy.read(f).data(), "a rejected write leaves the old file");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    private static void assertBad(byte[] bytes, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.parse(bytes, "in.npy"));
        assertTrue(e.getMessage().contains("in.npy") && e.getMessage().contains(reason), e.getMessage());
    }

    private static byte[] npy(int version, String descr, String shape, float[] values, boolean asDouble) {
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        ByteOrder order = descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        ByteBuffer body = ByteBuffer.allocate(values.length * (asDouble ? 8 : 4)).order(order);
        for (float v : values) {
            if (asDouble) {
                body.putDouble(v);
            } else {
                body.putFloat(v);
            }
        }
        return raw(version, header, body.array());
    }

    private static byte[] raw(int version, String header, byte[] body) {
        int prefix = version == 1 ? 10 : 12;
        String padded = header + " ".repeat(63 - (prefix + header.length()) % 64) + "\n";
        ByteBuffer out = ByteBuffer.allocate(prefix + padded.length() + body.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        if (version == 1) {
            out.putShort((short) padded.length());
        } else {
            out.putInt(padded.length());
        }
        out.put(padded.getBytes(StandardCharsets.ISO_8859_1)).put(body);
        return out.array();
    }
}
