package dev.clnn.ops;

/**
 * Parameters of a {@link Unary}: which element-wise function, and the constant exponent of
 * {@code POW}. Immutable.
 *
 * @param kind     the function
 * @param exponent {@code POW} only: {@code y = x ^ exponent}, finite; 0 for the other kinds
 */
public record UnaryParams(Kind kind, float exponent) {

    /**
     * The functions, each with the code {@code kernels/eltwise/unary.cl} knows it by ({@code UNARY}):
     * explicit numbers, so reordering the enum changes nothing.
     */
    public enum Kind {
        ERF(1, "Erf"), GELU(2, "Gelu"), GELU_TANH(3, "Gelu(tanh)"), SQRT(4, "Sqrt"), RECIPROCAL(5, "Reciprocal"),
        EXP(6, "Exp"), LOG(7, "Log"), NEG(8, "Neg"), ABS(9, "Abs"), POW(10, "Pow");

        private final int code;
        private final String label;

        Kind(int code, String label) {
            this.code = code;
            this.label = label;
        }

        /** The kernel's {@code UNARY} code. */
        public int code() { return code; }
    }

    public UnaryParams {
        if (kind == null) {
            throw new IllegalArgumentException("Unary: a kind is required");
        }
        if (kind != Kind.POW && exponent != 0f) {
            throw new IllegalArgumentException("Unary " + kind + ": only POW takes an exponent, got " + exponent);
        }
        if (!Float.isFinite(exponent)) {
            throw new IllegalArgumentException("Unary POW: the exponent must be finite, got " + exponent);
        }
    }

    /** Any kind but {@code POW}. */
    public static UnaryParams of(Kind kind) {
        if (kind == Kind.POW) {
            throw new IllegalArgumentException("Unary POW needs an exponent: UnaryParams.pow(e)");
        }
        return new UnaryParams(kind, 0f);
    }

    /** {@code y = x ^ exponent}. */
    public static UnaryParams pow(float exponent) {
        return new UnaryParams(Kind.POW, exponent);
    }

    /** The exponent as an int when it is a whole number the kernel can take with {@code pown}, else 0. */
    public int integerExponent() {
        return kind == Kind.POW && exponent == Math.rint(exponent) && Math.abs(exponent) <= 1 << 20 ? (int) exponent
                : 0;
    }

    @Override
    public String toString() {
        return kind == Kind.POW ? "pow " + exponent : kind.label.toLowerCase(java.util.Locale.ROOT);
    }
}
