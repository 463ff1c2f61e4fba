package dev.clnn.data;

import java.util.Arrays;

import dev.clnn.tensor.Shape;

/**
 * A labelled classification dataset in host memory: {@code size} examples of
 * {@link #exampleShape()} (row-major, e.g. NHWC images {@code (28, 28, 1)}) and one integer label
 * in {@code [0, classes)} per example. Immutable; the arrays are not copied, so do not change them.
 */
public final class Dataset {
    private final String name;
    private final Shape exampleShape;
    private final float[] features;
    private final int[] labels;
    private final int classes;

    /**
     * @throws IllegalArgumentException when the arrays do not fit the shape or a label is out of range
     */
    public Dataset(String name, Shape exampleShape, float[] features, int[] labels, int classes) {
        long per = exampleShape.size();
        if (per < 1 || (long) labels.length * per != features.length) {
            throw new IllegalArgumentException("Dataset " + name + ": " + features.length + " feature values are not "
                    + labels.length + " examples of shape " + exampleShape);
        }
        if (classes < 1) {
            throw new IllegalArgumentException("Dataset " + name + " needs at least one class, got " + classes);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("Dataset " + name + ": label " + labels[i] + " of example " + i
                        + " is outside [0, " + classes + ")");
            }
        }
        this.name = name;
        this.exampleShape = exampleShape;
        this.features = features;
        this.labels = labels;
        this.classes = classes;
    }

    /** A short description for messages, e.g. {@code fashion-mnist train}. */
    public String name() { return name; }

    public Shape exampleShape() { return exampleShape; }

    /** Number of examples. */
    public int size() { return labels.length; }

    public int classes() { return classes; }

    /** All examples, row-major: {@code size * exampleShape.size()} floats. Not a copy. */
    public float[] features() { return features; }

    /** One label per example. Not a copy. */
    public int[] labels() { return labels; }

    /** The examples {@code from} (inclusive) to {@code to} (exclusive), copied. */
    public Dataset slice(int from, int to) {
        if (from < 0 || to > size() || from >= to) {
            throw new IllegalArgumentException("Dataset " + name + " of " + size() + " examples has no slice ["
                    + from + ", " + to + ")");
        }
        int per = exampleShape.sizeAsInt();
        return new Dataset(name, exampleShape, Arrays.copyOfRange(features, from * per, to * per),
                Arrays.copyOfRange(labels, from, to), classes);
    }

    /** The first {@code n} examples (all of them when {@code n >= size()}). */
    public Dataset head(int n) {
        return n >= size() ? this : slice(0, n);
    }

    @Override
    public String toString() {
        return "Dataset(" + name + ", " + size() + " x " + exampleShape + ", " + classes + " classes)";
    }
}
