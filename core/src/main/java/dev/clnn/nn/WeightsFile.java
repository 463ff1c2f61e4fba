package dev.clnn.nn;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

import dev.clnn.tensor.Shape;

/**
 * clnn's weights file: named float32 tensors, little-endian, with a checksum.
 *
 * <pre>
 *   offset  size         field
 *   0       8            magic: the ASCII bytes "CLNNWTS" followed by a zero byte
 *   8       4            format version, uint32 = 1
 *   12      4            tensor count T, uint32
 *   then T times:
 *           2            name length L in bytes, uint16
 *           L            name, UTF-8 (e.g. "conv2d/kernel")
 *           1            rank R, uint8
 *           4 R          dimensions, uint32 each, outermost first
 *           4 prod(dims) values, float32, row-major
 *   last    4            CRC-32 (java.util.zip.CRC32, as zlib) of every byte before it, uint32
 * </pre>
 *
 * Writes go to a temporary file in the target's directory that is then renamed over the target,
 * so a crash never leaves a half-written file under the target's name. A truncated or corrupt file
 * is one {@link IOException} naming the file and what is wrong with it.
 */
public final class WeightsFile {
    static final byte[] MAGIC = {'C', 'L', 'N', 'N', 'W', 'T', 'S', 0};
    static final int VERSION = 1;
    private static final int MAX_RANK = 8;

    private WeightsFile() {
    }

    /** One named tensor of a weights file. */
    public record Entry(String name, Shape shape, float[] data) {
        public Entry {
            if (data.length != shape.size()) {
                throw new IllegalArgumentException("Weights entry " + name + " of shape " + shape + " needs "
                        + shape.size() + " floats, got " + data.length);
            }
        }
    }

    /** Writes {@code entries} to {@code file} atomically (see the class comment for the format). */
    public static void write(Path file, List<Entry> entries) throws IOException {
        long size = 8 + 4 + 4 + 4;
        List<byte[]> names = new ArrayList<>();
        for (Entry e : entries) {
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            if (name.length > 0xFFFF || e.shape().rank() > MAX_RANK) {
                throw new IllegalArgumentException("Weights entry " + e.name() + " " + e.shape()
                        + ": names are limited to 65535 bytes and ranks to " + MAX_RANK);
            }
            names.add(name);
            size += 2 + name.length + 1 + 4L * e.shape().rank() + 4L * e.data().length;
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Weights of " + size + " bytes exceed the 2 GiB a weights file holds");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).putInt(VERSION).putInt(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            buf.putShort((short) names.get(i).length).put(names.get(i)).put((byte) e.shape().rank());
            for (int d : e.shape().dims()) {
                buf.putInt(d);
            }
            buf.asFloatBuffer().put(e.data());
            buf.position(buf.position() + 4 * e.data().length);
        }
        CRC32 crc = new CRC32();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        writeAtomically(file, buf.array());
    }

    /**
     * Reads every entry of {@code file}.
     *
     * @throws IOException naming the file when it cannot be read, is not a weights file, is
     *                     truncated or fails its checksum
     */
    public static List<Entry> read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            byte[] magic = new byte[MAGIC.length];
            buf.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw corrupt(file, "not a clnn weights file (it does not start with \"CLNNWTS\")");
            }
            int version = buf.getInt();
            if (version != VERSION) {
                throw corrupt(file, "format version " + Integer.toUnsignedString(version)
                        + " is not supported (this clnn reads version " + VERSION + ")");
            }
            int count = buf.getInt();
            List<Entry> entries = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                entries.add(readEntry(file, buf, i));
            }
            if (buf.remaining() != 4) {
                throw buf.remaining() < 4 ? truncated(file, bytes.length)
                        : corrupt(file, (buf.remaining() - 4) + " unexpected bytes after the last tensor");
            }
            CRC32 crc = new CRC32();
            crc.update(bytes, 0, buf.position());
            int stored = buf.getInt();
            if (stored != (int) crc.getValue()) {
                throw corrupt(file, "checksum mismatch (the file was changed or damaged after it was written)");
            }
            return entries;
        } catch (BufferUnderflowException e) {
            throw truncated(file, bytes.length);
        }
    }

    private static Entry readEntry(Path file, ByteBuffer buf, int index) throws IOException {
        int nameLength = Short.toUnsignedInt(buf.getShort());
        byte[] name = new byte[nameLength];
        buf.get(name);
        int rank = Byte.toUnsignedInt(buf.get());
        if (rank > MAX_RANK) {
            throw corrupt(file, "tensor " + index + " has rank " + rank + " (at most " + MAX_RANK + ")");
        }
        int[] dims = new int[rank];
        long size = 1;
        for (int d = 0; d < rank; d++) {
            dims[d] = buf.getInt();
            if (dims[d] < 0) {
                throw corrupt(file, "tensor " + index + " has a negative dimension");
            }
            size *= dims[d];
            if (size > buf.remaining() / 4) {
                throw truncated(file, buf.capacity());
            }
        }
        float[] data = new float[(int) size];
        buf.asFloatBuffer().get(data);
        buf.position(buf.position() + 4 * data.length);
        return new Entry(new String(name, StandardCharsets.UTF_8), Shape.of(dims), data);
    }

    private static IOException truncated(Path file, long length) {
        return new IOException("Weights file " + file + " is truncated (" + length
                + " bytes end before the data its header announces)");
    }

    private static IOException corrupt(Path file, String what) {
        return new IOException("Weights file " + file + " is corrupt: " + what);
    }

    /** Writes {@code data} to a temporary file beside {@code file}, then renames it over {@code file}. */
    static void writeAtomically(Path file, byte[] data) throws IOException {
        dev.clnn.io.AtomicFiles.write(file, data);
    }
}
