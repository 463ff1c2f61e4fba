package dev.clnn.cli;

import java.util.Locale;

import dev.clnn.tensor.DType;

/** The {@code --precision fp32|fp16} option of {@code bench} and {@code infer}: how activations are stored. */
final class PrecisionOption {
    private PrecisionOption() {
    }

    /** The storage type {@code value} names; a {@link UserError} for anything else. */
    static DType storage(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "fp32", "float32" -> DType.FLOAT32;
            case "fp16", "float16", "half" -> DType.FLOAT16;
            default -> throw new UserError("--precision must be fp32 or fp16, got '" + value + "'");
        };
    }
}
