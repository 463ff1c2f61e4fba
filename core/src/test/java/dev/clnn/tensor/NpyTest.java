package dev.clnn.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .npy reader on files whose header lies: enormous header lengths, shapes that overflow or
 * exceed the file, endless streams, and seeded byte-level mutants of valid files. Each either loads
 * data of its declared shape or fails with one {@link IllegalArgumentException} that names the
 * file, without allocating more than a small bound.
 */
class NpyTest {
    /** Most any one read of a small file may allocate: its chunk buffer, header text, messages. */
    private static final long SMALL_READ_BYTES = 4L << 20;

    /** A .npy file: magic, version, header length (2 or 4 bytes), header text, data. */
    static byte[] npy(int version, String header, byte[] data) {
        int lengthBytes = version == 1 ? 2 : 4;
        ByteBuffer b = ByteBuffer.allocate(8 + lengthBytes + header.length() + data.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        if (version == 1) {
            b.putShort((short) header.length());
        } else {
            b.putInt(header.length());
        }
        b.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    static String dict(String descr, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }\n";
    }

    private static byte[] floats(ByteOrder order, boolean doubles, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * (doubles ? 8 : 4)).order(order);
        for (float v : values) {
            if (doubles) {
                b.putDouble(v);
            } else {
                b.putFloat(v);
            }
        }
        return b.array();
    }

    /** Bytes this thread has allocated so far (HotSpot's per-thread counter). */
    static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static IllegalArgumentException bad(byte[] bytes, String... parts) {
        long before = allocated();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.parse(bytes, "in.npy"));
        assertTrue(allocated() - before < SMALL_READ_BYTES, "allocated " + (allocated() - before) + " bytes");
        assertTrue(e.getMessage().contains("in.npy"), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "'" + p + "' not in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void headerLengthOf2GiBIsRejectedBeforeReading() {
        for (int version : new int[] {2, 3}) {
            byte[] f = npy(version, dict("<f4", "(2,)"), floats(ByteOrder.LITTLE_ENDIAN, false, 1, 2));
            ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0x7fffffff);
            bad(f, "header length 2147483647", "1048576");
            ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0xffffffff);
            bad(f, "header length 4294967295");
            ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 1000);
            bad(f, "header is truncated");
        }
    }

    @Test
    void shapesLargerThanTheFileOrAnArrayAreRejectedBeforeAllocating() {
        bad(npy(1, dict("<f4", "(1000000000,)"), new byte[8]), "truncated", "4000000000 bytes", "has 8");
        bad(npy(1, dict("<f8", "(100000, 100000)"), new byte[8]), "more elements than one Java array holds");
        bad(npy(1, dict("<f4", "(2147483647, 2147483647, 2147483647, 4)"), new byte[8]), "more elements");
        bad(npy(1, dict("<f4", "(4294967296,)"), new byte[8]), "below 2^31");
        bad(npy(1, dict("<f4", "(3, -1)"), new byte[8]), "negative dimension -1");
        bad(npy(1, dict("<f4", "(3,)"), new byte[8]), "truncated", "needs 12 bytes");
        bad(npy(1, dict("<f4", "(3,)").replace("'<f4'", "'<f99999999999'"), new byte[8]), "dtype");
    }

    @Test
    void readsEveryVersionAndBothWidthsFromFiles(@TempDir Path dir) throws IOException {
        float[] v = {1.5f, -2f, 0f, 3.25f, 7f, 9f};
        byte[][] files = {
            npy(1, dict("<f4", "(2, 3)"), floats(ByteOrder.LITTLE_ENDIAN, false, v)),
            npy(2, dict(">f4", "(6,)"), floats(ByteOrder.BIG_ENDIAN, false, v)),
            npy(3, dict("<f8", "(3, 2, 1)"), floats(ByteOrder.LITTLE_ENDIAN, true, v)),
        };
        for (int i = 0; i < files.length; i++) {
            Path f = dir.resolve(i + ".npy");
            Files.write(f, files[i]);
            Npy.Array a = Npy.read(f);
            assertArrayEquals(v, a.data());
            assertEquals(6, a.shape().size());
        }
        Files.write(dir.resolve("cut.npy"), Arrays.copyOf(files[0], files[0].length - 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Npy.read(dir.resolve("cut.npy")));
        assertTrue(e.getMessage().contains("cut.npy") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    @Timeout(10)
    void devZeroFailsAtOnce() {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.isReadable(zero), "no /dev/zero here");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.read(zero));
        assertTrue(e.getMessage().contains("/dev/zero") && e.getMessage().contains("magic"), e.getMessage());
    }

    /** A stream that starts with {@code prefix} and then gives zeros forever, like a device. */
    private static final class Endless extends InputStream {
        private final byte[] prefix;
        private long position;

        Endless(byte[] prefix) {
            this.prefix = prefix;
        }

        @Override
        public int read() {
            return position < prefix.length ? prefix[(int) position++] & 0xFF : zero();
        }

        private int zero() {
            position++;
            return 0;
        }
    }

    @Test
    @Timeout(10)
    void anEndlessStreamIsReadOnlyAsFarAsItsHeaderDeclares() throws IOException {
        byte[] header = npy(1, dict("<f4", "(5, 2)"), new byte[0]);
        Endless in = new Endless(header);
        Npy.Array a = Npy.read(in, -1, "/dev/fake");
        assertEquals(Shape.of(5, 2), a.shape());
        assertEquals(header.length + 40, in.position, "the header and 10 floats, and nothing more");

        byte[] huge = npy(1, dict("<f8", "(200000000,)"), new byte[0]);
        long before = allocated();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Npy.read(new Endless(huge), -1, "/dev/fake"));
        assertTrue(allocated() - before < SMALL_READ_BYTES);
        assertTrue(e.getMessage().contains("/dev/fake") && e.getMessage().contains("not a regular file")
                && e.getMessage().contains("1600000000 bytes"), e.getMessage());

        byte[] v2 = npy(2, dict("<f4", "(2,)"), new byte[0]);
        ByteBuffer.wrap(v2).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0x7fffffff);
        e = assertThrows(IllegalArgumentException.class, () -> Npy.read(new Endless(v2), -1, "/dev/fake"));
        assertTrue(e.getMessage().contains("header length 2147483647"), e.getMessage());
    }

    /** Valid files the mutants start from: each version, both byte orders and widths, a scalar, an empty array. */
    private static List<byte[]> seeds() {
        float[] v = new float[24];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.5f - 3f;
        }
        List<byte[]> s = new ArrayList<>();
        s.add(npy(1, dict("<f4", "(2, 3, 4)"), floats(ByteOrder.LITTLE_ENDIAN, false, v)));
        s.add(npy(1, dict(">f8", "(24,)"), floats(ByteOrder.BIG_ENDIAN, true, v)));
        s.add(npy(2, dict("<f4", "(4, 6)"), floats(ByteOrder.LITTLE_ENDIAN, false, v)));
        s.add(npy(3, dict("<f8", "(1, 24, 1)"), floats(ByteOrder.LITTLE_ENDIAN, true, v)));
        s.add(npy(1, dict("<f4", "()"), floats(ByteOrder.LITTLE_ENDIAN, false, 7f)));
        s.add(npy(1, dict("<f4", "(0, 5)"), new byte[0]));
        return s;
    }

    /** One random edit: a byte set, a bit flipped, an interesting value written, a cut, or a byte inserted. */
    static byte[] mutate(byte[] in, Random r) {
        byte[] m = in.clone();
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits && m.length > 0; e++) {
            // edits favour the first 80 bytes, where the prefix, header length and dictionary are
            int pos = r.nextInt(4) == 0 ? r.nextInt(m.length) : r.nextInt(Math.min(m.length, 80));
            switch (r.nextInt(5)) {
                case 0: m[pos] = (byte) r.nextInt(256); break;
                case 1: m[pos] ^= (byte) (1 << r.nextInt(8)); break;
                case 2: m[pos] = new byte[] {0, (byte) 0xff, 0x7f, (byte) 0x80, '9', '('}[r.nextInt(6)]; break;
                case 3: m = Arrays.copyOf(m, pos); break;
                default: {
                    byte[] longer = new byte[m.length + 1];
                    System.arraycopy(m, 0, longer, 0, pos);
                    longer[pos] = (byte) "0123456789,() L".charAt(r.nextInt(15));
                    System.arraycopy(m, pos, longer, pos + 1, m.length - pos);
                    m = longer;
                }
            }
        }
        return m;
    }

    @Test
    void mutantsLoadOrFailCleanly() {
        Random r = new Random(4242);
        int loaded = 0;
        int failed = 0;
        for (byte[] seed : seeds()) {
            for (int i = 0; i < 250; i++) {
                byte[] m = mutate(seed, r);
                long before = allocated();
                try {
                    Npy.Array a = Npy.parse(m, "mutant.npy");
                    assertEquals(a.shape().size(), a.data().length, "loaded data matches its shape");
                    loaded++;
                } catch (IllegalArgumentException expected) {
                    String msg = expected.getMessage();
                    assertTrue(msg != null && msg.contains("mutant.npy"), "message names the file: " + msg);
                    failed++;
                } catch (RuntimeException | Error e) {
                    fail("mutant " + i + " " + Arrays.toString(Arrays.copyOf(m, Math.min(m.length, 96))) + " threw "
                            + e, e);
                }
                long used = allocated() - before;
                assertTrue(used < SMALL_READ_BYTES, "mutant " + i + " allocated " + used + " bytes");
            }
        }
        assertTrue(loaded > 50 && failed > 500, loaded + " loaded, " + failed + " failed");
    }
}
