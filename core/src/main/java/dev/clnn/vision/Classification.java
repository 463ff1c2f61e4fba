package dev.clnn.vision;

/**
 * One class of a classifier's output.
 *
 * @param index the output index
 * @param label its name, or {@code null} when no labels were given
 * @param probability its probability (after a softmax where one was needed)
 */
public record Classification(int index, String label, float probability) {
    /** The label, or "class INDEX" when there is none. */
    public String name() {
        return label != null ? label : "class " + index;
    }
}
