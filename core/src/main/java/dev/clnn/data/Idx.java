package dev.clnn.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader for the IDX format MNIST and Fashion-MNIST ship in, plain or gzip-compressed (detected
 * from the content, not the name).
 *
 * <pre>
 *   bytes 0-1   zero
 *   byte  2     element type: 0x08 unsigned byte (the only type MNIST uses, and the only one read here)
 *   byte  3     number of dimensions D
 *   4 D bytes   dimension sizes, big-endian uint32, outermost first
 *   then        the elements, row-major
 * </pre>
 * Every malformed input is an {@link IOException} that names the file: a wrong magic number, an
 * unsupported type, a truncated file or trailing bytes, a gzip stream that fails its checksum, or
 * data too large for one array.
 *
 * <p>The header is not trusted: before anything is allocated, a plain file's declared element count
 * is checked against the file's size, and a gzip stream (whose decompressed size is unknown) is read
 * into a buffer that grows with the data actually decompressed and never beyond what the header
 * declares, so a small file cannot make the reader allocate gigabytes.
 */
public final class Idx {
    private static final int UNSIGNED_BYTE = 0x08;
    /** The largest Java array. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    /** The first buffer for data of unknown length (gzip, pipes); it doubles as data arrives. */
    private static final int FIRST_BUFFER = 1 << 16;

    private Idx() {
    }

    /** The content of an IDX file of unsigned bytes: its dimensions and its elements. */
    public record Array(Path file, int[] dims, byte[] data) {
        /** Element {@code i} as an unsigned value 0-255. */
        public int get(int i) {
            return Byte.toUnsignedInt(data[i]);
        }
    }

    /**
     * Reads an IDX file of unsigned bytes with {@code expectedRank} dimensions.
     *
     * @throws IOException naming the file when it is missing, malformed or truncated, or declares
     *                     more data than it holds or than this JVM's heap can take
     */
    public static Array read(Path file, int expectedRank) throws IOException {
        // NOTE: a device or pipe reports size 0; its size is unknown, not zero
        long fileSize = Files.isRegularFile(file) ? Files.size(file) : -1;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            boolean gz = isGzip(raw);
            DataInputStream in = new DataInputStream(gz ? new GZIPInputStream(raw, 1 << 16) : raw);
            int[] dims = header(in, file, expectedRank);
            long size = count(dims, file);
            byte[] data;
            if (gz || fileSize < 0) {
                data = readGrowing(in, size, file);
            } else {
                long declared = 4L + 4L * dims.length + size;
                if (fileSize < declared) {
                    throw truncated(file, declared, fileSize);
                }
                if (fileSize > declared) {
                    throw new IOException(file + ": more data than its header announces (" + size + " elements, "
                            + declared + " bytes in all; the file has " + fileSize + ")");
                }
                data = allocate(size, file);
                in.readFully(data);
            }
            // reading on to the end also makes GZIPInputStream check the CRC in the gzip trailer
            if (in.read() != -1) {
                throw new IOException(file + ": more data than its header announces (" + size + " elements)");
            }
            return new Array(file, dims, data);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated (the file ends before the data its header announces)", e);
        } catch (ZipException e) {
            throw new IOException(file + ": corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }

    /** The magic number and dimensions. */
    private static int[] header(DataInputStream in, Path file, int expectedRank) throws IOException {
        int magic = in.readInt();
        int type = (magic >>> 8) & 0xFF;
        int rank = magic & 0xFF;
        if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || rank != expectedRank) {
            throw new IOException(file + ": not an IDX file of unsigned bytes with " + expectedRank
                    + " dimensions (magic number 0x" + String.format(java.util.Locale.ROOT, "%08X", magic) + ", expected 0x"
                    + String.format(java.util.Locale.ROOT, "%08X", (UNSIGNED_BYTE << 8) | expectedRank) + ")");
        }
        int[] dims = new int[rank];
        for (int d = 0; d < rank; d++) {
            dims[d] = in.readInt();
            if (dims[d] < 0) {
                throw new IOException(file + ": dimension " + d + " is negative (" + dims[d] + ")");
            }
        }
        return dims;
    }

    /** The element count, which must fit one array. */
    private static long count(int[] dims, Path file) throws IOException {
        long size = 1;
        for (int d : dims) {
            size *= d;      // each factor is below 2^31 and the product is checked at every step: no overflow
            if (size > MAX_ELEMENTS) {
                throw new IOException(file + ": its header declares dimensions " + Arrays.toString(dims)
                        + ", more than the " + MAX_ELEMENTS + " elements one array holds");
            }
        }
        return size;
    }

    /** A buffer of {@code size} bytes, or an exception naming the file when the heap cannot hold it. */
    private static byte[] allocate(long size, Path file) throws IOException {
        if (size > Runtime.getRuntime().maxMemory()) {
            throw new IOException(file + ": its data needs " + size + " bytes, more than this JVM's "
                    + Runtime.getRuntime().maxMemory() + "-byte heap holds (raise it with -Xmx)");
        }
        try {
            return new byte[(int) size];
        } catch (OutOfMemoryError e) {
            // one large array that does not fit fails alone, leaving the heap usable
            throw new IOException(file + ": its " + size + " elements need more memory than this JVM's heap has free"
                    + " (raise it with -Xmx)");
        }
    }

    /**
     * Reads exactly {@code size} bytes from a stream of unknown length: the buffer grows with the
     * data that arrives, so a header that lies costs no more memory than the data really there.
     */
    private static byte[] readGrowing(InputStream in, long size, Path file) throws IOException {
        byte[] buf = allocate(Math.min(size, FIRST_BUFFER), file);
        int n = 0;
        while (n < size) {
            if (n == buf.length) {
                byte[] bigger = allocate(Math.min(size, 2L * buf.length), file);
                System.arraycopy(buf, 0, bigger, 0, n);
                buf = bigger;
            }
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                throw new IOException(file + ": truncated (its header declares " + size + " elements, the data ends"
                        + " after " + n + ")");
            }
            n += r;
        }
        return buf;
    }

    private static IOException truncated(Path file, long declared, long fileSize) {
        return new IOException(file + ": truncated (its header declares " + declared + " bytes in all, the file has "
                + fileSize + ")");
    }

    private static boolean isGzip(InputStream in) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b;
    }
}
