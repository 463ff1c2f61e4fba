package dev.clnn.tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format versions 1 to 3), the common exchange format for arrays.
 * Reads float32 and float64 (converted to float32), either byte order, C order; writes float32
 * little-endian, version 1, via a temporary file so a failed write leaves no partial output.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=]?)([a-z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** An array read from a file: its shape and its elements in C order. */
    public record Array(Shape shape, float[] data) {
    }

    public static Array read(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readAllBytes();
        }
        return parse(bytes, file.toString());
    }

    static Array parse(byte[] bytes, String name) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || !startsWithMagic(bytes)) {
            throw bad(name, "it does not start with the .npy magic string");
        }
        int major = bytes[6] & 0xFF;
        int headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = buf.getShort(8) & 0xFFFF;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw bad(name, "the header is truncated");
            }
            headerLength = buf.getInt(8);
            headerStart = 12;
        } else {
            throw bad(name, "format version " + major + " is not supported (1 to 3 are)");
        }
        if (headerLength < 0 || headerStart + headerLength > bytes.length) {
            throw bad(name, "the header is truncated");
        }
        String header = new String(bytes, headerStart, headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw bad(name, "the header lacks descr, fortran_order or shape: " + header.strip());
        }
        if (f.group(1).equals("True")) {
            throw bad(name, "it is in Fortran order; save it with numpy.ascontiguousarray first");
        }
        String kind = d.group(2);
        int width = Integer.parseInt(d.group(3));
        if (!kind.equals("f") || (width != 4 && width != 8)) {
            throw bad(name, "its dtype is '" + d.group(1) + kind + width + "'; clnn reads float32 (or float64) arrays");
        }
        ByteOrder order = d.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        Shape shape = parseShape(s.group(1), name);
        long count = shape.size();
        int dataStart = headerStart + headerLength;
        if ((long) (bytes.length - dataStart) < count * width) {
            throw bad(name, "it is truncated: shape " + shape + " needs " + count * width + " bytes of data, the file has "
                    + (bytes.length - dataStart));
        }
        float[] data = new float[shape.sizeAsInt()];
        ByteBuffer body = ByteBuffer.wrap(bytes, dataStart, bytes.length - dataStart).slice().order(order);
        if (width == 4) {
            body.asFloatBuffer().get(data);
        } else {
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) body.getDouble(i * 8);
            }
        }
        return new Array(shape, data);
    }

    private static Shape parseShape(String text, String name) {
        List<Integer> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            p = p.endsWith("L") ? p.substring(0, p.length() - 1) : p;
            try {
                dims.add(Integer.parseInt(p));
            } catch (NumberFormatException e) {
                throw bad(name, "its shape (" + text + ") is not a tuple of integers");
            }
        }
        return Shape.of(dims.stream().mapToInt(Integer::intValue).toArray());
    }

    private static boolean startsWithMagic(byte[] bytes) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
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
