package dev.clnn.reference;

/**
 * IEEE 754 half precision in plain Java, the reference of half-precision storage ({@code ops.Cast} and
 * every kernel built with {@code STORE_HALF}): {@link #toHalfBits} rounds a float to the nearest half,
 * ties to even, as OpenCL's {@code vstore_half} does in its default rounding mode (overflow to
 * infinity, gradual underflow to the subnormals, NaN kept as a quiet NaN); {@link #toFloat} widens a
 * half exactly.
 */
public final class ReferenceCast {
    private ReferenceCast() {
    }

    /** The half nearest {@code f} (ties to even), as its 16 bits. */
    public static short toHalfBits(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
        }
        int e = exp - 127 + 15;             // the half's biased exponent
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            // a subnormal half (or zero): the significand with its implicit bit, in units of 2^-24
            if (e < -10) {
                return (short) sign;
            }
            int full = mant | 0x800000;
            int shift = 14 - e;
            int half = full >> shift;
            int rest = full & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rest > mid || (rest == mid && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
            half++;                          // a carry into the exponent is right, up to infinity
        }
        return (short) (sign | half);
    }

    /** The value of the half whose bits are {@code h}, exactly. */
    public static float toFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** {@code f} rounded to half precision and back: the value half storage keeps. */
    public static float round(float f) {
        return toFloat(toHalfBits(f));
    }

    /** Every element {@link #round rounded} to half precision, in a new array. */
    public static float[] round(float[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = round(values[i]);
        }
        return out;
    }
}
