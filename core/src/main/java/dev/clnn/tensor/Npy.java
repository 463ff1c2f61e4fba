package dev.clnn.tensor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format versions 1 to 3), the common exchange format for arrays.
 * Reads float32 and float64 (converted to float32), either byte order, C order; writes float32
 * little-endian, version 1, via a temporary file so a failed write leaves no partial output.
 *
 * <p>Reading trusts nothing in the header: the header length is bounded ({@link #MAX_HEADER_BYTES}),
 * the shape's element count is computed without overflow and checked against the file's real size
 * (or, for a pipe or device, against {@link #MAX_STREAM_BYTES}) before the array is allocated, and
 * the data is streamed, so a small or endless file never makes the reader allocate or read more
 * than the header honestly declares. Every malformed file is an {@link IllegalArgumentException}
 * naming the file and the problem.
 */
public final class Npy {
    /** The longest header read: NumPy writes about a hundred bytes, and its own reader stops at 10 KB. */
    static final int MAX_HEADER_BYTES = 1 << 20;
    /** The most data read from a file that is not a regular file (a pipe, a device), whose size is unknown. */
    static final long MAX_STREAM_BYTES = 1L << 30;
    /** The largest Java array. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final int CHUNK = 1 << 16;

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=]?)([a-z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** An array read from a file: its shape and its elements in C order. */
    public record Array(Shape shape, float[] data) {
    }

    /** What the header says: the data's shape, element width in bytes and byte order. */
    private record Header(Shape shape, long count, int width, ByteOrder order, long dataStart) {
    }

    /**
     * Reads a float32 or float64 array.
     *
     * @throws IllegalArgumentException naming the file when it is not a .npy array clnn reads, or is
     *                                  truncated, or declares more data than it holds
     * @throws IOException              when the file cannot be read
     */
    public static Array read(Path file) throws IOException {
        // NOTE: a device or pipe reports size 0; its size is unknown, not zero
        long size = Files.isRegularFile(file) ? Files.size(file) : -1;
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, size, file.toString());
        }
    }

    /** Parses the bytes of a whole .npy file; {@code name} is used in messages. */
    static Array parse(byte[] bytes, String name) {
        try {
            return read(new ByteArrayInputStream(bytes), bytes.length, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);      // a byte array does not fail to read
        }
    }

    /**
     * Reads from {@code in}, which holds {@code size} bytes, or -1 when that is unknown (a pipe, a
     * device): then no more than the header and the data it declares are read.
     */
    static Array read(InputStream in, long size, String name) throws IOException {
        Header h = header(in, size, name);
        long bytes = Math.multiplyExact(h.count(), (long) h.width());
        if (size >= 0 && size - h.dataStart() < bytes) {
            throw bad(name, "it is truncated: shape " + h.shape() + " needs " + bytes + " bytes of data, the file has "
                    + (size - h.dataStart()));
        }
        if (size < 0 && bytes > MAX_STREAM_BYTES) {
            throw bad(name, "its shape " + h.shape() + " declares " + bytes + " bytes of data, more than the "
                    + MAX_STREAM_BYTES + " read from a file that is not a regular file (a pipe or a device)");
        }
        float[] data = allocate(h, name);
        readData(in, h, data, name);
        return new Array(h.shape(), data);
    }

    /** Reads and checks the magic string, version, header length and header dictionary. */
    private static Header header(InputStream in, long size, String name) throws IOException {
        byte[] prefix = in.readNBytes(10);
        if (prefix.length < MAGIC.length || !Arrays.equals(prefix, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw bad(name, "it does not start with the .npy magic string");
        }
        if (prefix.length < 10) {
            throw bad(name, "the header is truncated");
        }
        int major = prefix[6] & 0xFF;
        long headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = ByteBuffer.wrap(prefix, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            byte[] rest = in.readNBytes(2);
            if (rest.length < 2) {
                throw bad(name, "the header is truncated");
            }
            byte[] len = {prefix[8], prefix[9], rest[0], rest[1]};
            headerLength = Integer.toUnsignedLong(ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt());
            headerStart = 12;
        } else {
            throw bad(name, "format version " + major + " is not supported (1 to 3 are)");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw bad(name, "its header length " + headerLength + " is more than the " + MAX_HEADER_BYTES
                    + " bytes a .npy header may have");
        }
        if (size >= 0 && headerStart + headerLength > size) {
            throw bad(name, "the header is truncated (it declares " + headerLength + " bytes, the file has "
                    + (size - headerStart) + " after the prefix)");
        }
        byte[] text = in.readNBytes((int) headerLength);
        if (text.length < headerLength) {
            throw bad(name, "the header is truncated");
        }
        String dict = new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        return dictionary(dict, name, headerStart + headerLength);
    }

    /** Interprets the header's Python dictionary literal. */
    private static Header dictionary(String header, String name, long dataStart) {
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            String shown = header.length() > 200 ? header.substring(0, 200) + "..." : header;
            throw bad(name, "the header lacks descr, fortran_order or shape: " + shown.strip());
        }
        if (f.group(1).equals("True")) {
            throw bad(name, "it is in Fortran order; save it with numpy.ascontiguousarray first");
        }
        String kind = d.group(2);
        String digits = d.group(3);
        int width = digits.length() > 2 ? -1 : Integer.parseInt(digits);
        if (!kind.equals("f") || (width != 4 && width != 8)) {
            throw bad(name, "its dtype is '" + d.group(1) + kind + digits + "'; clnn reads float32 (or float64) arrays");
        }
        ByteOrder order = d.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        int[] dims = parseShape(s.group(1), name);
        long count = 1;
        try {
            for (int dim : dims) {
                count = Math.multiplyExact(count, (long) dim);
            }
        } catch (ArithmeticException e) {
            count = Long.MAX_VALUE;
        }
        if (count > MAX_ELEMENTS) {
            throw bad(name, "its shape (" + s.group(1).strip() + ") has more elements than one Java array holds");
        }
        return new Header(Shape.of(dims), count, width, order, dataStart);
    }

    private static int[] parseShape(String text, String name) {
        List<Integer> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            p = p.endsWith("L") ? p.substring(0, p.length() - 1) : p;
            int v;
            try {
                v = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw bad(name, "its shape (" + shorten(text) + ") is not a tuple of integers below 2^31");
            }
            if (v < 0) {
                throw bad(name, "its shape (" + shorten(text) + ") has a negative dimension " + v);
            }
            dims.add(v);
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String shorten(String text) {
        String t = text.strip();
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }

    /** The result array, failing with a message rather than an {@link OutOfMemoryError} when the heap is too small. */
    private static float[] allocate(Header h, String name) {
        long bytes = 4 * h.count();
        if (bytes > Runtime.getRuntime().maxMemory()) {
            throw bad(name, "its shape " + h.shape() + " needs " + bytes + " bytes of memory, more than this JVM's "
                    + Runtime.getRuntime().maxMemory() + "-byte heap (raise it with -Xmx)");
        }
        try {
            return new float[(int) h.count()];
        } catch (OutOfMemoryError e) {
            // one large array that does not fit fails alone, leaving the heap usable
            throw bad(name, "its shape " + h.shape() + " needs " + bytes + " bytes of memory, more than this JVM's"
                    + " heap has free (raise it with -Xmx)");
        }
    }

    /** Reads the data in chunks, converting as it goes, so no second copy of the file is held. */
    private static void readData(InputStream in, Header h, float[] data, String name) throws IOException {
        int w = h.width();
        byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(w, (long) data.length * w))];
        int perChunk = chunk.length / w;
        for (int at = 0; at < data.length; ) {
            int n = Math.min(perChunk, data.length - at);
            if (in.readNBytes(chunk, 0, n * w) < n * w) {
                throw bad(name, "it is truncated: the data ends before the " + h.count() + " elements of shape "
                        + h.shape());
            }
            ByteBuffer b = ByteBuffer.wrap(chunk, 0, n * w).order(h.order());
            if (w == 4) {
                b.asFloatBuffer().get(data, at, n);
            } else {
                for (int i = 0; i < n; i++) {
                    data[at + i] = (float) b.getDouble(i * 8);
                }
            }
            at += n;
        }
    }

    private static IllegalArgumentException bad(String name, String why) {
        return new IllegalArgumentException("Cannot read " + name + " as a .npy array: " + why);
    }

    /** Writes {@code data} with {@code shape} as float32 little-endian; replaces {@code file} atomically. */
    public static void write(Path file, Shape shape, float[] data) throws IOException {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("Shape " + shape + " needs " + shape.size() + " floats, got " + data.length);
        }
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < shape.rank(); i++) {
            dims.append(shape.dim(i)).append(shape.rank() == 1 || i + 1 < shape.rank() ? "," : "");
            if (i + 1 < shape.rank()) {
                dims.append(' ');
            }
        }
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = 10 + dict.length() + 1;
        int padded = (unpadded + 63) / 64 * 64;
        String header = dict + " ".repeat(padded - unpadded) + "\n";
        ByteBuffer out = ByteBuffer.allocate(10 + header.length() + data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        out.asFloatBuffer().put(data);
        dev.clnn.io.AtomicFiles.write(file, out.array());
    }
}
