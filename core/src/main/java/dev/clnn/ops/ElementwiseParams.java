package dev.clnn.ops;

import java.util.Locale;

/**
 * Parameters of an {@link Elementwise}: the binary operation and the activation fused after it.
 * Immutable.
 *
 * @param op         add, subtract, multiply, divide or compare for equality (ONNX {@code Add}, {@code Sub},
 *                   {@code Mul}, {@code Div}, {@code Equal}; a comparison gives 1 or 0)
 * @param activation applied to each result, {@link Activation#NONE} for none
 */
public record ElementwiseParams(Op op, Activation activation) {

    /** The operation; {@link #code()} is {@code OP} in {@code eltwise/binary.cl}, fixed per constant. */
    public enum Op {
        ADD(0), SUB(1), MUL(2), DIV(3),
        /** 1 where the operands are equal, else 0 (ONNX Equal; clnn holds booleans as 0 / 1 floats). */
        EQUAL(4);

        private final int code;

        Op(int code) {
            this.code = code;
        }

        /** The {@code OP} code of the kernel. */
        public int code() {
            return code;
        }
    }

    public ElementwiseParams {
        if (op == null || activation == null) {
            throw new IllegalArgumentException(
                    "Elementwise: an operation and an activation (NONE for none) are required");
        }
    }

    public static ElementwiseParams add() {
        return new ElementwiseParams(Op.ADD, Activation.NONE);
    }

    public static ElementwiseParams sub() {
        return new ElementwiseParams(Op.SUB, Activation.NONE);
    }

    public static ElementwiseParams mul() {
        return new ElementwiseParams(Op.MUL, Activation.NONE);
    }

    public static ElementwiseParams div() {
        return new ElementwiseParams(Op.DIV, Activation.NONE);
    }

    /** {@code a == b} as 1 or 0. */
    public static ElementwiseParams equal() {
        return new ElementwiseParams(Op.EQUAL, Activation.NONE);
    }

    /** The same operation followed by {@code act}, as in a residual add with ReLU. */
    public ElementwiseParams with(Activation act) {
        return new ElementwiseParams(op, act);
    }

    @Override
    public String toString() {
        return op.name().toLowerCase(Locale.ROOT) + (activation.kind() == Activation.Kind.NONE ? "" : "+" + activation);
    }
}
