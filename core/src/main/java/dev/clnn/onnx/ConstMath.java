package dev.clnn.onnx;

import java.util.Arrays;
import java.util.function.LongBinaryOperator;

/**
 * The element-wise folders of {@link ConstEval}: the arithmetic of shape computations ({@code Add},
 * {@code Sub}, {@code Mul}, {@code Div}, {@code Max}, {@code Min}), and beyond it comparisons, logic,
 * {@code Where}, {@code Mod}, {@code Pow} and unary math on constants, as exporters write them to
 * build masks and index tables from static shapes (Swin's shifted-window attention mask and
 * relative-position index) or to pick the batch out of a shape (DeiT's
 * {@code Where(Equal(shape, -1), 1, shape)} before expanding its class token).
 *
 * <p>ONNX booleans are integer tensors of 0 and 1 here, as {@code Cast} to bool writes them; any
 * non-zero element reads as true. Outputs keep ONNX's types: a comparison or a logical operator
 * gives booleans, {@code Where} its operands' type, {@code Mod}, {@code Pow} and the unary
 * operators their (first) input's.
 *
 * <p>The batch markers ({@link Const#BATCH}, {@link Const#batchTimes}) stand for {@code N * k},
 * with the batch size N at least 1 and unknown until compile time. They go through exactly where
 * the result does not depend on N: {@code Where} carries them, the same marker equals itself,
 * {@code N * k} is greater than any value below k, {@code N * k} is below {@code N * j} for k
 * below j, {@code Abs} keeps them and {@code Sign} gives 1, {@code N * k mod m} is 0 when m divides
 * k, a marker is true as a boolean. Anything else on a marker (comparing {@code N} with 4, {@code
 * N} to a power) fails with an {@link OnnxFormatException} rather than guessing.
 */
final class ConstMath {
    /** An {@link #order} of two values where one is NaN. */
    private static final int UNORDERED = Integer.MIN_VALUE;

    private ConstMath() {
    }

    // ---- comparisons ----------------------------------------------------------------------------

    /** Equal, Less, Greater, LessOrEqual or GreaterOrEqual, broadcast: booleans. */
    static Const compare(String op, Const a, Const b) {
        int[] out = ConstEval.broadcast(a.dims(), b.dims());
        ConstEval.checkComputed(out, op);
        int[] ia = ConstEval.broadcastIndex(a.dims(), out);
        int[] ib = ConstEval.broadcastIndex(b.dims(), out);
        long[] r = new long[ia.length];
        if (a.isInteger() && b.isInteger()) {
            long[] la = a.l();
            long[] lb = b.l();
            for (int i = 0; i < r.length; i++) {
                r[i] = holds(op, order(op, la[ia[i]], lb[ib[i]])) ? 1 : 0;
            }
            return Const.ofLongs(out, r);
        }
        long[] la = a.isInteger() ? a.l() : null;
        long[] lb = b.isInteger() ? b.l() : null;
        float[] fa = a.isInteger() ? null : a.f();
        float[] fb = b.isInteger() ? null : b.f();
        for (int i = 0; i < r.length; i++) {
            int ord = la != null ? order(op, la[ia[i]], fb[ib[i]]) : lb != null ? flip(order(op, lb[ib[i]], fa[ia[i]]))
                    : order(fa[ia[i]], fb[ib[i]]);
            r[i] = holds(op, ord) ? 1 : 0;
        }
        return Const.ofLongs(out, r);
    }

    private static boolean holds(String op, int ord) {
        if (ord == UNORDERED) {
            return false;
        }
        switch (op) {
            case "Equal": return ord == 0;
            case "Less": return ord < 0;
            case "Greater": return ord > 0;
            case "LessOrEqual": return ord <= 0;
            case "GreaterOrEqual": return ord >= 0;
            default: throw new IllegalStateException(op);
        }
    }

    /** -1, 0 or 1 as x is below, equal to or above y; markers by the rules of the class comment. */
    private static int order(String op, long x, long y) {
        boolean bx = Const.isBatch(x);
        boolean by = Const.isBatch(y);
        if (!bx && !by) {
            return Long.compare(x, y);
        }
        if (bx && by) {
            // N * j vs N * k with N >= 1: as j vs k
            return Long.compare(Const.batchFactor(x), Const.batchFactor(y));
        }
        return bx ? markerOrder(op, Const.batchFactor(x), y) : -markerOrder(op, Const.batchFactor(y), x);
    }

    /** {@link #order} of an integer (perhaps a marker) and a float (never one). */
    private static int order(String op, long x, float y) {
        if (Const.isBatch(x)) {
            return Float.isNaN(y) ? UNORDERED : markerOrder(op, Const.batchFactor(x), y);
        }
        return order((float) x, y);
    }

    /** The order of y and x from that of x and y. */
    private static int flip(int ord) {
        return ord == UNORDERED ? UNORDERED : -ord;
    }

    private static int order(float x, float y) {
        return x < y ? -1 : x > y ? 1 : x == y ? 0 : UNORDERED;
    }

    /** N * k (N at least 1) against a literal: above any v below k, else not known at load time. */
    private static int markerOrder(String op, long k, double v) {
        if (v < k) {
            return 1;
        }
        throw new OnnxFormatException(op + " compares " + marker(k) + " with " + (v == Math.rint(v) ? String
                .valueOf((long) v) : String.valueOf(v)) + ": the result depends on the batch size, which clnn only"
                + " knows at compile time");
    }

    /** How a batch marker reads in a message. */
    static String marker(long k) {
        return k == 1 ? "the batch size" : "the batch size times " + k;
    }

    // ---- logic ----------------------------------------------------------------------------------

    /** Each element as a boolean, 0 or 1: non-zero is true (a marker too: the batch is at least 1). */
    private static long[] truth(Const c) {
        long[] r = new long[c.size()];
        if (c.isInteger()) {
            long[] l = c.l();
            for (int i = 0; i < r.length; i++) {
                r[i] = l[i] != 0 ? 1 : 0;
            }
        } else {
            float[] f = c.f();
            for (int i = 0; i < r.length; i++) {
                r[i] = f[i] != 0 ? 1 : 0;
            }
        }
        return r;
    }

    static Const not(Const x) {
        long[] r = truth(x);
        for (int i = 0; i < r.length; i++) {
            r[i] ^= 1;
        }
        return Const.ofLongs(x.dims(), r);
    }

    /** And, Or or Xor, broadcast. */
    static Const logic(String op, Const a, Const b) {
        int[] out = ConstEval.broadcast(a.dims(), b.dims());
        ConstEval.checkComputed(out, op);
        int[] ia = ConstEval.broadcastIndex(a.dims(), out);
        int[] ib = ConstEval.broadcastIndex(b.dims(), out);
        long[] ta = truth(a);
        long[] tb = truth(b);
        long[] r = new long[ia.length];
        for (int i = 0; i < r.length; i++) {
            long x = ta[ia[i]];
            long y = tb[ib[i]];
            switch (op) {
                case "And": r[i] = x & y; break;
                case "Or": r[i] = x | y; break;
                default: r[i] = x ^ y;
            }
        }
        return Const.ofLongs(out, r);
    }

    /** Where(condition, x, y), the three broadcast together; integer operands keep their markers. */
    static Const where(Const c, Const x, Const y) {
        int[] out = ConstEval.broadcast(ConstEval.broadcast(c.dims(), x.dims()), y.dims());
        ConstEval.checkComputed(out, "Where");
        int[] ic = ConstEval.broadcastIndex(c.dims(), out);
        int[] ix = ConstEval.broadcastIndex(x.dims(), out);
        int[] iy = ConstEval.broadcastIndex(y.dims(), out);
        long[] t = truth(c);
        int n = ic.length;
        if (x.isInteger() && y.isInteger()) {
            long[] lx = x.l();
            long[] ly = y.l();
            long[] r = new long[n];
            for (int i = 0; i < n; i++) {
                r[i] = t[ic[i]] != 0 ? lx[ix[i]] : ly[iy[i]];
            }
            return Const.ofLongs(out, r);
        }
        float[] fx = x.floats();
        float[] fy = y.floats();
        float[] r = new float[n];
        for (int i = 0; i < n; i++) {
            r[i] = t[ic[i]] != 0 ? fx[ix[i]] : fy[iy[i]];
        }
        return Const.ofFloats(out, r);
    }

    // ---- arithmetic -----------------------------------------------------------------------------

    /**
     * {@code x op y} where one or both are the batch size or a multiple of it: multiples multiply
     * and divide exactly ({@code N * 64 * 16}, {@code N * 64 / 64}, {@code (N * 4) / N}); adding 0
     * keeps the value, and Max and Min against a value no larger than {@code k} know their answer
     * ({@code N * k} is at least {@code k}). Anything else depends on N in a way a marker cannot
     * hold, and fails rather than folding to a wrong constant.
     */
    private static long batchArithmetic(String op, long x, long y) {
        boolean bx = Const.isBatch(x);
        boolean by = Const.isBatch(y);
        long fx = bx ? Const.batchFactor(x) : x;
        long fy = by ? Const.batchFactor(y) : y;
        switch (op) {
            case "Mul":
                if (bx != by && (bx ? fy : fx) >= 1) {
                    return Const.batchTimes(fx * fy);
                }
                break;
            case "Div":
                if (bx && !by && fy >= 1 && fx % fy == 0) {
                    return Const.batchTimes(fx / fy);
                }
                if (bx && by && fx % fy == 0) {
                    return fx / fy;
                }
                break;
            case "Add":
            case "Sub":
                if (bx && !by && y == 0) {
                    return x;
                }
                if (by && !bx && x == 0 && op.equals("Add")) {
                    return y;
                }
                break;
            case "Max":
            case "Min":
                if (bx != by) {
                    long k = bx ? fx : fy;
                    long other = bx ? y : x;
                    if (other <= k) {
                        return op.equals("Max") ? (bx ? x : y) : other;
                    }
                }
                break;
            default:
                break;
        }
        throw new OnnxFormatException("shape arithmetic " + op + "(" + markerText(x) + ", " + markerText(y)
                + ") depends on the batch size in a way clnn cannot follow before compile time; export the model"
                + " with a fixed batch size or simplify it (onnx-simplifier)");
    }

    private static String markerText(long v) {
        if (!Const.isBatch(v)) {
            return Long.toString(v);
        }
        long k = Const.batchFactor(v);
        return k == 1 ? "N" : "N*" + k;
    }

    /**
     * Add, Sub, Mul, Div, Max or Min, broadcast: integers exactly (a batch marker by {@link
     * #batchArithmetic}), floats in float.
     */
    static Const binary(String op, Const a, Const b) {
        Arith f = Arith.of(op);
        return elementwise(op, a, b, (x, y) -> Const.isBatch(x) || Const.isBatch(y) ? batchArithmetic(op, x, y)
                : f.onLongs.applyAsLong(x, y), f.onFloats);
    }

    /** The arithmetic of a constant Add, Sub, Mul, Max, Min or (any other name) Div, on integers and on floats. */
    private enum Arith {
        ADD((x, y) -> x + y, (x, y) -> x + y),
        SUB((x, y) -> x - y, (x, y) -> x - y),
        MUL((x, y) -> x * y, (x, y) -> x * y),
        MAX(Math::max, Math::max),
        MIN(Math::min, Math::min),
        DIV(Arith::divide, (x, y) -> x / y);

        final LongBinaryOperator onLongs;
        final FloatBinaryOperator onFloats;

        Arith(LongBinaryOperator onLongs, FloatBinaryOperator onFloats) {
            this.onLongs = onLongs;
            this.onFloats = onFloats;
        }

        static Arith of(String op) {
            switch (op) {
                case "Add": return ADD;
                case "Sub": return SUB;
                case "Mul": return MUL;
                case "Max": return MAX;
                case "Min": return MIN;
                default: return DIV;
            }
        }

        private static long divide(long x, long y) {
            if (y == 0) {
                throw new OnnxFormatException("integer division by zero in a constant Div");
            }
            return x / y;       // toward zero, as ONNX Runtime divides integers
        }
    }

    /** A function of two floats to a float (java.util.function has none). */
    @FunctionalInterface
    private interface FloatBinaryOperator {
        float applyAsFloat(float x, float y);
    }

    /**
     * {@code f(a, b)} element by element, {@code a} and {@code b} broadcast: on the longs when both
     * are integer tensors (batch markers included), else on the values as floats; {@code op} names
     * the operator in messages.
     */
    private static Const elementwise(String op, Const a, Const b, LongBinaryOperator onLongs,
                                     FloatBinaryOperator onFloats) {
        int[] out = ConstEval.broadcast(a.dims(), b.dims());
        ConstEval.checkComputed(out, op);
        int[] ia = ConstEval.broadcastIndex(a.dims(), out);
        int[] ib = ConstEval.broadcastIndex(b.dims(), out);
        int n = ia.length;
        if (a.isInteger() && b.isInteger()) {
            long[] la = a.l();
            long[] lb = b.l();
            long[] r = new long[n];
            for (int i = 0; i < n; i++) {
                r[i] = onLongs.applyAsLong(la[ia[i]], lb[ib[i]]);
            }
            return Const.ofLongs(out, r);
        }
        float[] fa = a.floats();
        float[] fb = b.floats();
        float[] r = new float[n];
        for (int i = 0; i < n; i++) {
            r[i] = onFloats.applyAsFloat(fa[ia[i]], fb[ib[i]]);
        }
        return Const.ofFloats(out, r);
    }

    /**
     * Mod, broadcast. fmod 0 (integers only, as ONNX defines it): the remainder takes the divisor's
     * sign, as Python's %; fmod 1: the dividend's, as C's fmod (floats) or % (integers).
     */
    static Const mod(Const a, Const b, boolean fmod) {
        if (!fmod && !(a.isInteger() && b.isInteger())) {
            throw new OnnxFormatException("Mod of floats with fmod 0; ONNX defines floating-point Mod with fmod 1");
        }
        // Java's % on floats is C's fmod
        return elementwise("Mod", a, b, (x, y) -> intMod(x, y, fmod), (x, y) -> x % y);
    }

    /** {@code x mod y} of two integers, either perhaps a batch marker, by the rules of {@link #mod}. */
    private static long intMod(long x, long y, boolean fmod) {
        if (Const.isBatch(y) || y == 0) {
            if (x == 0 && y != 0) {
                return 0;            // 0 mod N * k
            }
            throw new OnnxFormatException(y == 0 ? "integer Mod by zero" : "Mod by " + marker(
                    Const.batchFactor(y)) + ", which clnn only knows at compile time");
        }
        if (Const.isBatch(x)) {
            if (Const.batchFactor(x) % y != 0) {
                throw new OnnxFormatException("Mod of " + marker(Const.batchFactor(x)) + " by " + y
                        + " depends on the batch size, which clnn only knows at compile time");
            }
            return 0;                // N * k mod m is 0 when m divides k
        }
        return fmod ? x % y : Math.floorMod(x, y);
    }

    /** Pow, broadcast, of the base's type: integers exactly (failing on overflow), floats as C's pow. */
    static Const pow(Const base, Const exponent) {
        int[] out = ConstEval.broadcast(base.dims(), exponent.dims());
        ConstEval.checkComputed(out, "Pow");
        int[] ib = ConstEval.broadcastIndex(base.dims(), out);
        int[] ie = ConstEval.broadcastIndex(exponent.dims(), out);
        int n = ib.length;
        if (exponent.dependsOnBatch()) {
            throw new OnnxFormatException("Pow by an exponent computed from the batch size, which clnn only knows at"
                    + " compile time");
        }
        double[] e = new double[exponent.size()];
        if (exponent.isInteger()) {
            long[] l = exponent.l();
            for (int i = 0; i < e.length; i++) {
                e[i] = l[i];
            }
        } else {
            float[] f = exponent.f();
            for (int i = 0; i < e.length; i++) {
                e[i] = f[i];
            }
        }
        if (!base.isInteger()) {
            float[] fb = base.f();
            float[] r = new float[n];
            for (int i = 0; i < n; i++) {
                r[i] = (float) Math.pow(fb[ib[i]], e[ie[i]]);
            }
            return Const.ofFloats(out, r);
        }
        long[] lb = base.l();
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
            r[i] = intPow(lb[ib[i]], e[ie[i]]);
        }
        return Const.ofLongs(out, r);
    }

    /** An integer to a power, exactly for a whole exponent; a marker only to the power 0 or 1. */
    private static long intPow(long x, double y) {
        if (y == 0) {
            return 1;
        }
        if (Const.isBatch(x)) {
            if (y == 1) {
                return x;
            }
            throw new OnnxFormatException("Pow of " + marker(Const.batchFactor(x)) + " to the power " + y
                    + " depends on the batch size, which clnn only knows at compile time");
        }
        if (y != Math.rint(y) || Math.abs(y) > Long.MAX_VALUE / 2.0) {
            return (long) Math.pow(x, y);        // the base's type: the real power truncated
        }
        boolean even = (long) y % 2 == 0;
        if (x == 1 || x == -1) {
            return x == 1 || even ? 1 : -1;
        }
        if (y < 0) {
            if (x == 0) {
                throw new OnnxFormatException("integer Pow of 0 to a negative power");
            }
            return 0;                             // 1 / x^k truncated
        }
        long r = 1;
        // |x| >= 2 overflows within 63 factors; 0 stops at once
        for (long k = (long) y; k > 0 && r != 0; k--) {
            try {
                r = Math.multiplyExact(r, x);
            } catch (ArithmeticException overflow) {
                throw new OnnxFormatException("integer Pow " + x + " ^ " + (long) y + " overflows 64 bits");
            }
        }
        return r;
    }

    /** Abs, Sign, Sqrt, Exp, Log or Reciprocal; the last four on floats only, as ONNX defines them. */
    static Const unary(String op, Const x) {
        if (x.isInteger()) {
            long[] l = x.l();
            long[] r = new long[l.length];
            for (int i = 0; i < l.length; i++) {
                long v = l[i];
                switch (op) {
                    case "Abs": r[i] = Const.isBatch(v) ? v : Math.abs(v); break;
                    case "Sign": r[i] = Const.isBatch(v) ? 1 : Long.signum(v); break;
                    default:
                        throw new OnnxFormatException(op + " of an integer tensor of shape " + Arrays.toString(
                                x.dims()) + "; ONNX defines " + op + " on floats");
                }
            }
            return Const.ofLongs(x.dims(), r);
        }
        float[] f = x.f();
        float[] r = new float[f.length];
        for (int i = 0; i < f.length; i++) {
            float v = f[i];
            switch (op) {
                case "Abs": r[i] = Math.abs(v); break;
                case "Sign": r[i] = Math.signum(v); break;
                case "Sqrt": r[i] = (float) Math.sqrt(v); break;
                case "Exp": r[i] = (float) Math.exp(v); break;
                case "Log": r[i] = (float) Math.log(v); break;
                case "Reciprocal": r[i] = 1f / v; break;
                default: throw new IllegalStateException(op);
            }
        }
        return Const.ofFloats(x.dims(), r);
    }
}
