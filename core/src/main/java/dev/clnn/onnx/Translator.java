package dev.clnn.onnx;

/**
 * Translates one ONNX node into clnn graph nodes: reads its inputs, attributes and their layouts
 * from {@code cx}, adds nodes through it and records the value of the node's output with
 * {@link NodeContext#put}. Throws {@link OnnxFormatException} (or {@link IllegalArgumentException})
 * for a node clnn cannot run; the importer prefixes the node's name.
 *
 * <p>The importer calls a translator only for a node that reads at least one value computed from
 * the model input (a node on constants alone is folded by {@link ConstEval} or rejected), after
 * checking that every input is defined and that no extra output (a mask, indices) is used.
 */
@FunctionalInterface
interface Translator {
    void translate(NodeContext cx);

    /**
     * Whether the node is translated even when all its inputs are constants, and without the
     * extra-output check: true for an operator that only reads its inputs' dimensions
     * ({@code Shape}), whose result is a constant either way.
     */
    default boolean takesConstants() {
        return false;
    }

    /**
     * Whether the translator records a value for every output of the node ({@code Split}), so the
     * importer must not mark outputs after the first as extra outputs clnn does not compute.
     */
    default boolean writesEveryOutput() {
        return false;
    }
}
