package dev.clnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IDX reader on files whose header lies: element counts far beyond the file, gzip streams that
 * hold less or more than declared, a device, and seeded byte-level mutants of valid plain and gzip
 * files. Each either loads data of its declared dimensions or fails with one {@link IOException}
 * that names the file, without allocating more than a small bound.
 */
class IdxTest {
    /** Most any one read of a small file may allocate: stream buffers, the first data buffer, messages. */
    private static final long SMALL_READ_BYTES = 6L << 20;

    @TempDir
    Path dir;
    private int mutants;

    /** An IDX file of unsigned bytes: magic 0x0000 08 rank, big-endian dims, data. */
    static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(0x0800 | dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    /** Reading {@code file} fails with an IOException naming it and saying each of {@code parts}, allocating little. */
    private static IOException bad(Path file, int rank, String... parts) {
        long before = allocated();
        IOException e = assertThrows(IOException.class, () -> Idx.read(file, rank));
        long used = allocated() - before;
        assertTrue(used < SMALL_READ_BYTES, "allocated " + used + " bytes");
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "'" + p + "' not in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void aSmallFileDeclaringBillionsOfElementsAllocatesNothing() throws IOException {
        // 32 bytes: a rank-3 header declaring 2^31 elements, then 16 bytes of data
        Path two31 = write("two31", idx(new int[] {1 << 15, 1 << 8, 1 << 8}, new byte[16]));
        assertEquals(32, Files.size(two31));
        bad(two31, 3, "[32768, 256, 256]", "more than", "one array holds");
        Path two30 = write("two30", idx(new int[] {1 << 14, 1 << 8, 1 << 8}, new byte[16]));
        bad(two30, 3, "truncated", "1073741840 bytes", "the file has 32");
        Path max = write("max", idx(new int[] {Integer.MAX_VALUE}, new byte[24]));
        bad(max, 1, "more than");
        bad(write("neg", idx(new int[] {-5}, new byte[24])), 1, "negative");
    }

    @Test
    void gzipHoldingLessOrMoreThanItsHeaderDeclares() throws IOException {
        Path lies = write("lies.gz", gzip(idx(new int[] {1 << 14, 1 << 8, 1 << 8}, new byte[16])));
        bad(lies, 3, "truncated", "1073741824 elements", "after 16");
        Path bomb = write("bomb.gz", gzip(idx(new int[] {10}, new byte[5 << 20])));
        bad(bomb, 1, "more data than its header announces");
        Path two31 = write("two31.gz", gzip(idx(new int[] {1 << 15, 1 << 8, 1 << 8}, new byte[16])));
        bad(two31, 3, "one array holds");
    }

    @Test
    void aGzipStreamOfManyMegabytesGrowsItsBufferAndReadsExactly() throws IOException {
        byte[] data = new byte[3_000_001];
        new Random(5).nextBytes(data);
        Path f = write("big.gz", gzip(idx(new int[] {3_000_001}, data)));
        Idx.Array a = Idx.read(f, 1);
        assertArrayEquals(new int[] {3_000_001}, a.dims());
        assertArrayEquals(data, a.data());
    }

    @Test
    @Timeout(10)
    void devZeroFailsAtOnce() {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.isReadable(zero), "no /dev/zero here");
        bad(zero, 3, "not an IDX file");
    }

    /** One random edit: a byte set, a bit flipped, an interesting value written, a cut, or a byte inserted. */
    static byte[] mutate(byte[] in, Random r) {
        byte[] m = in.clone();
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits && m.length > 0; e++) {
            // most edits hit the header (16 bytes or less), where lies cost memory
            int pos = r.nextBoolean() ? r.nextInt(Math.min(m.length, 16)) : r.nextInt(m.length);
            switch (r.nextInt(5)) {
                case 0: m[pos] = (byte) r.nextInt(256); break;
                case 1: m[pos] ^= (byte) (1 << r.nextInt(8)); break;
                case 2: m[pos] = new byte[] {0, (byte) 0xff, 0x7f, (byte) 0x80, 1}[r.nextInt(5)]; break;
                case 3: m = Arrays.copyOf(m, pos); break;
                default: {
                    byte[] longer = new byte[m.length + 1];
                    System.arraycopy(m, 0, longer, 0, pos);
                    longer[pos] = (byte) r.nextInt(256);
                    System.arraycopy(m, pos, longer, pos + 1, m.length - pos);
                    m = longer;
                }
            }
        }
        return m;
    }

    /** Reads {@code bytes} from a file: it loads consistent data or fails cleanly; returns whether it loaded. */
    private boolean loadsOrFailsCleanly(byte[] bytes, int rank, String what) throws IOException {
        // NOTE: a fresh name each time: rewriting one file truncates it, which ext4 follows with a flush
        Path f = write("mutant" + mutants++, bytes);
        long before = allocated();
        boolean loaded = false;
        try {
            Idx.Array a = Idx.read(f, rank);
            assertEquals(rank, a.dims().length);
            assertEquals(Arrays.stream(a.dims()).asLongStream().reduce(1, (x, y) -> x * y), a.data().length,
                    what + ": data matches its dimensions");
            loaded = true;
        } catch (IOException expected) {
            String msg = expected.getMessage();
            assertTrue(msg != null && msg.contains(f.toString()), what + ": the message names the file: " + msg);
        } catch (RuntimeException | Error e) {
            fail(what + " " + Arrays.toString(Arrays.copyOf(bytes, Math.min(bytes.length, 64))) + " threw " + e, e);
        }
        long used = allocated() - before;
        assertTrue(used < SMALL_READ_BYTES, what + " allocated " + used + " bytes");
        Files.delete(f);
        return loaded;
    }

    @Test
    void mutantsOfPlainAndGzipFilesLoadOrFailCleanly() throws IOException {
        Random r = new Random(31337);
        byte[] pixels = new byte[7 * 5 * 3];
        r.nextBytes(pixels);
        byte[][] seeds = {idx(new int[] {7, 5, 3}, pixels), idx(new int[] {0, 28, 28}, new byte[0])};
        byte[] labels = idx(new int[] {40}, Arrays.copyOf(pixels, 40));
        int loaded = 0;
        int cases = 0;
        for (int i = 0; i < 300; i++) {
            byte[] seed = seeds[i % 2];
            // plain mutants; gzip of a mutant (the header lies inside a valid stream); mutated gzip bytes
            loaded += loadsOrFailsCleanly(mutate(seed, r), 3, "plain mutant " + i) ? 1 : 0;
            loaded += loadsOrFailsCleanly(gzip(mutate(seed, r)), 3, "gzip of mutant " + i) ? 1 : 0;
            loaded += loadsOrFailsCleanly(mutate(gzip(seed), r), 3, "mutated gzip " + i) ? 1 : 0;
            loaded += loadsOrFailsCleanly(mutate(labels, r), 1, "plain labels mutant " + i) ? 1 : 0;
            cases += 4;
        }
        assertTrue(loaded > 20 && loaded < cases - 300, loaded + " of " + cases + " mutants loaded");
    }
}
