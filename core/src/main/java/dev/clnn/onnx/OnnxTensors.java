package dev.clnn.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;

/**
 * Reads ONNX {@code TensorProto}s (initializers, {@code Constant} values) into {@link Const}s:
 * data in {@code raw_data}, in the typed fields, or in an external file next to the model. Every
 * size is checked against the dimensions before anything is allocated, so a corrupt file gives an
 * {@link OnnxFormatException}, never an {@link OutOfMemoryError}.
 */
final class OnnxTensors {
    /** The most elements one tensor may have (1 GiB of floats). */
    static final long MAX_ELEMENTS = 1L << 28;

    private OnnxTensors() {
    }

    /** Dimensions checked: none negative, none enormous, and the product within {@link #MAX_ELEMENTS}. */
    static int[] dims(List<Long> dims, String what) {
        int[] d = new int[dims.size()];
        long n = 1;
        for (int i = 0; i < d.length; i++) {
            long v = dims.get(i);
            if (v < 0) {
                throw new OnnxFormatException(what + " has a negative dimension " + v + " in " + dims);
            }
            if (v > MAX_ELEMENTS) {
                throw new OnnxFormatException(what + " has an enormous dimension " + v + " in " + dims);
            }
            d[i] = (int) v;
            n *= v;
            if (n > MAX_ELEMENTS) {
                throw new OnnxFormatException(what + " of shape " + dims + " has more than " + MAX_ELEMENTS
                        + " elements");
            }
        }
        return d;
    }

    /**
     * The tensor {@code t}; {@code dir} is the model's directory (for external data; null when the
     * model was not read from a file).
     */
    static Const read(TensorProto t, Path dir) {
        String what = "tensor '" + t.getName() + "'";
        int[] dims = dims(t.getDimsList(), what);
        int n = (int) Const.count(dims);
        int type = t.getDataType();
        int elem = elementSize(type, what);
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return decode(type, dims, external(t, dir, (long) n * elem, what), what);
        }
        if (t.hasRawData()) {
            ByteString raw = t.getRawData();
            if (raw.size() != (long) n * elem) {
                throw new OnnxFormatException(what + " of shape " + java.util.Arrays.toString(dims) + " needs "
                        + (long) n * elem + " bytes of raw data, got " + raw.size());
            }
            return decode(type, dims, raw.asReadOnlyByteBuffer(), what);
        }
        int count;
        switch (type) {
            case 1: count = t.getFloatDataCount(); break;
            case 11: count = t.getDoubleDataCount(); break;
            case 7: count = t.getInt64DataCount(); break;
            case 13: case 12: count = t.getUint64DataCount(); break;
            default: count = t.getInt32DataCount();
        }
        if (count != n) {
            throw new OnnxFormatException(what + " of shape " + java.util.Arrays.toString(dims) + " needs " + n
                    + " values, holds " + count);
        }
        switch (type) {
            case 1: {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = t.getFloatData(i);
                }
                return Const.ofFloats(dims, f);
            }
            case 11: {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = (float) t.getDoubleData(i);
                }
                return Const.ofFloats(dims, f);
            }
            case 10: {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = halfToFloat((short) t.getInt32Data(i));
                }
                return Const.ofFloats(dims, f);
            }
            case 7: {
                long[] l = new long[n];
                for (int i = 0; i < n; i++) {
                    l[i] = t.getInt64Data(i);
                }
                return Const.ofLongs(dims, l);
            }
            case 12: case 13: {
                long[] l = new long[n];
                for (int i = 0; i < n; i++) {
                    l[i] = t.getUint64Data(i);
                }
                return Const.ofLongs(dims, l);
            }
            default: {
                long[] l = new long[n];
                for (int i = 0; i < n; i++) {
                    l[i] = t.getInt32Data(i);
                }
                return Const.ofLongs(dims, l);
            }
        }
    }

    /** IEEE 754 half precision bits to float. */
    static float halfToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        if (exp == 31) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    static int elementSize(int type, String what) {
        switch (type) {
            case 1: case 6: case 12: return 4;          // float, int32, uint32
            case 7: case 11: case 13: return 8;         // int64, double, uint64
            case 2: case 3: case 9: return 1;           // uint8, int8, bool
            case 4: case 5: case 10: return 2;          // uint16, int16, float16
            default:
                throw new OnnxFormatException(what + " has data type " + type
                        + ", which clnn does not read (float, double, float16 and integer types only)");
        }
    }

    private static Const decode(int type, int[] dims, ByteBuffer raw, String what) {
        ByteBuffer b = raw.order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) Const.count(dims);
        if (type == 1 || type == 11 || type == 10) {
            float[] f = new float[n];
            for (int i = 0; i < n; i++) {
                f[i] = type == 1 ? b.getFloat() : type == 11 ? (float) b.getDouble() : halfToFloat(b.getShort());
            }
            return Const.ofFloats(dims, f);
        }
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
            switch (type) {
                case 6: l[i] = b.getInt(); break;
                case 12: l[i] = b.getInt() & 0xFFFFFFFFL; break;
                case 7: case 13: l[i] = b.getLong(); break;
                case 2: case 9: l[i] = b.get() & 0xFF; break;
                case 3: l[i] = b.get(); break;
                case 4: l[i] = b.getShort() & 0xFFFF; break;
                default: l[i] = b.getShort(); break;
            }
        }
        return Const.ofLongs(dims, l);
    }

    /** The bytes of an external tensor, from a file inside the model's directory. */
    private static ByteBuffer external(TensorProto t, Path dir, long need, String what) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            try {
                switch (e.getKey()) {
                    case "location": location = e.getValue(); break;
                    case "offset": offset = Long.parseLong(e.getValue()); break;
                    case "length": length = Long.parseLong(e.getValue()); break;
                    default: break;
                }
            } catch (NumberFormatException ex) {
                throw new OnnxFormatException(what + ": external data " + e.getKey() + " '" + e.getValue()
                        + "' is not a number");
            }
        }
        if (location == null || location.isEmpty()) {
            throw new OnnxFormatException(what + " is stored externally but names no location");
        }
        if (dir == null) {
            throw new OnnxFormatException(what + " is stored in external file '" + location
                    + "', but the model was not loaded from a file; load it with OnnxImport.load(Path)");
        }
        Path rel;
        try {
            rel = Path.of(location);
        } catch (InvalidPathException ex) {
            throw new OnnxFormatException(what + ": external data location '" + location + "' is not a valid path");
        }
        if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\")) {
            throw new OnnxFormatException(what + ": external data location '" + location
                    + "' is absolute; only paths relative to the model's directory are allowed");
        }
        for (Path part : rel) {
            if (part.toString().equals("..")) {
                throw new OnnxFormatException(what + ": external data location '" + location
                        + "' contains '..'; only paths inside the model's directory are allowed");
            }
        }
        if (offset < 0 || length < -1 || (length >= 0 && length != need)) {
            throw new OnnxFormatException(what + ": external data offset " + offset + " and length " + length
                    + " do not give the " + need + " bytes its shape needs");
        }
        if (need > Integer.MAX_VALUE - 16) {
            throw new OnnxFormatException(what + " needs " + need + " bytes, more than one tensor may hold");
        }
        try {
            Path base = dir.toRealPath();
            Path file = base.resolve(rel).normalize();
            if (!file.startsWith(base) || !Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.exists(file)) {
                throw new OnnxFormatException(what + ": external data file '" + location + "' does not exist in "
                        + base);
            }
            Path real = file.toRealPath();
            if (!real.startsWith(base)) {
                throw new OnnxFormatException(what + ": external data file '" + location
                        + "' leads outside the model's directory (a symbolic link to " + real + ")");
            }
            if (!Files.isRegularFile(real)) {
                throw new OnnxFormatException(what + ": external data '" + location + "' is not a regular file");
            }
            try (FileChannel ch = FileChannel.open(real, StandardOpenOption.READ)) {
                if (offset + need > ch.size()) {
                    throw new OnnxFormatException(what + ": external data file '" + location + "' has " + ch.size()
                            + " bytes, the tensor needs " + need + " from offset " + offset);
                }
                ByteBuffer buf = ByteBuffer.allocate((int) need);
                while (buf.hasRemaining()) {
                    if (ch.read(buf, offset + buf.position()) < 0) {
                        throw new OnnxFormatException(what + ": external data file '" + location + "' ended early");
                    }
                }
                buf.flip();
                return buf;
            }
        } catch (IOException e) {
            throw new OnnxFormatException(what + ": cannot read external data '" + location + "': " + e.getMessage(), e);
        }
    }
}
