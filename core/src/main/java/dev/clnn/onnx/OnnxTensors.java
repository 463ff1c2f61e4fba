package dev.clnn.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;

/**
 * Reads ONNX {@code TensorProto}s (initializers, {@code Constant} values) into {@link Const}s:
 * data in {@code raw_data}, in the typed fields, or in an external file next to the model
 * ({@link ExternalData}). Every size is checked against the dimensions, and counted against the
 * import's budget ({@link TensorSource}), before anything is allocated, so a corrupt file gives an
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
     * The tensor {@code t}. Everything its proto says is checked now, before any data is read: the
     * dimensions, the data type, and that exactly the bytes or values the shape needs are there
     * (in {@code raw_data}, in the typed field, or in an external file of {@code src}'s directory);
     * its decoded size is counted against {@code src}'s budget. The elements are decoded when first
     * used.
     */
    static Const read(TensorProto t, TensorSource src) {
        String what = "tensor '" + t.getName() + "'";
        int[] dims = dims(t.getDimsList(), what);
        int n = (int) Const.count(dims);
        int type = t.getDataType();
        int elem = elementSize(type, what);
        boolean integer = !isFloat(type);
        Supplier<Const> data;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            ExternalData ext = ExternalData.locate(t, src.dir(), (long) n * elem, what);
            data = () -> {
                Decoder d = new Decoder(type, dims, what);
                ext.read(elem, d::put);
                return d.result();
            };
        } else if (t.hasRawData()) {
            ByteString raw = t.getRawData();
            if (raw.size() != (long) n * elem) {
                throw new OnnxFormatException(what + " of shape " + Arrays.toString(dims) + " needs "
                        + (long) n * elem + " bytes of raw data, got " + raw.size());
            }
            data = () -> {
                Decoder d = new Decoder(type, dims, what);
                d.put(raw.asReadOnlyByteBuffer());
                return d.result();
            };
        } else {
            int count = typedCount(t, type);
            if (count != n) {
                throw new OnnxFormatException(what + " of shape " + Arrays.toString(dims) + " needs " + n
                        + " values, holds " + count);
            }
            data = () -> typed(t, type, dims);
        }
        src.take((long) n * (integer ? 8 : 4), what);
        return Const.lazy(dims, integer, data);
    }

    private static boolean isFloat(int type) {
        return type == 1 || type == 11 || type == 10;
    }

    /** How many values the typed field ONNX uses for {@code type} holds. */
    private static int typedCount(TensorProto t, int type) {
        switch (type) {
            case 1: return t.getFloatDataCount();
            case 11: return t.getDoubleDataCount();
            case 7: return t.getInt64DataCount();
            case 13: case 12: return t.getUint64DataCount();
            default: return t.getInt32DataCount();
        }
    }

    /** The elements of a tensor stored in its typed field (float_data, int64_data, ...). */
    private static Const typed(TensorProto t, int type, int[] dims) {
        int n = (int) Const.count(dims);
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
            case 7: case 12: case 13: {
                long[] l = new long[n];
                for (int i = 0; i < n; i++) {
                    l[i] = type == 7 ? t.getInt64Data(i) : t.getUint64Data(i);
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

    /** Decodes little-endian elements of one type, arriving in chunks of whole elements, into one array. */
    private static final class Decoder {
        private final int type;
        private final int[] dims;
        private final float[] f;
        private final long[] l;
        private int at;

        Decoder(int type, int[] dims, String what) {
            this.type = type;
            this.dims = dims;
            int n = (int) Const.count(dims);
            try {
                f = isFloat(type) ? new float[n] : null;
                l = isFloat(type) ? null : new long[n];
            } catch (OutOfMemoryError e) {
                // one large array that does not fit fails alone, leaving the heap usable
                throw new OnnxFormatException(what + " of shape " + Arrays.toString(dims) + " does not fit in this"
                        + " JVM's free heap (run java with a larger -Xmx)");
            }
        }

        void put(ByteBuffer chunk) {
            ByteBuffer b = chunk.order(ByteOrder.LITTLE_ENDIAN);
            if (f != null) {
                while (b.hasRemaining()) {
                    f[at++] = type == 1 ? b.getFloat() : type == 11 ? (float) b.getDouble() : halfToFloat(b.getShort());
                }
                return;
            }
            while (b.hasRemaining()) {
                switch (type) {
                    case 6: l[at] = b.getInt(); break;
                    case 12: l[at] = b.getInt() & 0xFFFFFFFFL; break;
                    case 7: case 13: l[at] = b.getLong(); break;
                    case 2: case 9: l[at] = b.get() & 0xFF; break;
                    case 3: l[at] = b.get(); break;
                    case 4: l[at] = b.getShort() & 0xFFFF; break;
                    default: l[at] = b.getShort(); break;
                }
                at++;
            }
        }

        Const result() {
            return f != null ? Const.ofFloats(dims, f) : Const.ofLongs(dims, l);
        }
    }
}
