package dev.clnn.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 */
public final class Idx {
    private static final int UNSIGNED_BYTE = 0x08;

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
     * @throws IOException naming the file when it is missing, malformed or truncated
     */
    public static Array read(Path file, int expectedRank) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             DataInputStream in = new DataInputStream(maybeGunzip(raw))) {
            int magic = in.readInt();
            int type = (magic >>> 8) & 0xFF;
            int rank = magic & 0xFF;
            if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || rank != expectedRank) {
                throw new IOException(file + ": not an IDX file of unsigned bytes with " + expectedRank
                        + " dimensions (magic number 0x" + String.format("%08X", magic) + ", expected 0x"
                        + String.format("%08X", (UNSIGNED_BYTE << 8) | expectedRank) + ")");
            }
            int[] dims = new int[rank];
            long size = 1;
            for (int d = 0; d < rank; d++) {
                dims[d] = in.readInt();
                if (dims[d] < 0) {
                    throw new IOException(file + ": dimension " + d + " is negative (" + dims[d] + ")");
                }
                size *= dims[d];
                if (size > Integer.MAX_VALUE - 8) {
                    throw new IOException(file + ": " + size + "+ elements are more than one array holds");
                }
            }
            byte[] data = new byte[(int) size];
            in.readFully(data);
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

    private static InputStream maybeGunzip(InputStream in) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new GZIPInputStream(in, 1 << 16);
        }
        return in;
    }
}
