package dev.clnn.nn;

import dev.clnn.cl.ClContext;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * Flattens each example to a vector: {@code (n, d1, d2, ...)} to {@code (n, d1*d2*...)}, in memory
 * order. For NHWC images this is Keras' order (channels fastest), so a following {@link Dense}
 * kernel has Keras' row order. Both passes are views of the same buffer: no kernel runs, the
 * gradient is the output gradient seen with the input's shape.
 */
public final class Flatten extends LayerBase {
    private Layout inputLayout = Layout.NHWC;

    @Override
    public String kind() { return "flatten"; }

    @Override
    Shape configure(ClContext cl, Shape input) {
        if (input.rank() < 1) {
            throw new IllegalArgumentException("Flatten needs an input of rank 1 or more per example, got " + input);
        }
        return Shape.of(input.sizeAsInt());
    }

    /** Returns a view of {@code input}; it shares the input's buffer. */
    @Override
    public Tensor forward(Tensor input, boolean training) {
        int n = checkInput(input);
        inputLayout = input.layout();
        return input.reshape(batched(n, outputShape()), Layout.ROW_MAJOR);
    }

    /** Returns a view of {@code gradOutput} with the input's shape, or null. */
    @Override
    public Tensor backward(Tensor gradOutput, boolean inputGradient) {
        int n = checkGradient(gradOutput);
        return inputGradient ? gradOutput.reshape(batched(n, inputShape()), inputLayout) : null;
    }

    @Override
    void release() {
        // views only: nothing owned
    }

    @Override
    public String toString() {
        return "Flatten()";
    }
}
