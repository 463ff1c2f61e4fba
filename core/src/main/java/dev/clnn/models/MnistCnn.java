package dev.clnn.models;

import dev.clnn.cl.ClContext;
import dev.clnn.nn.Conv2d;
import dev.clnn.nn.Dense;
import dev.clnn.nn.Flatten;
import dev.clnn.nn.Sequential;
import dev.clnn.ops.Activation;
import dev.clnn.tensor.Shape;

/**
 * The CNN of TensorFlow's "quickstart for experts" for 28x28 grey images (MNIST, Fashion-MNIST):
 * <pre>
 *   input (N, 28, 28, 1) NHWC
 *   Conv2D 32 filters 3x3, stride 1, valid, ReLU   -> (N, 26, 26, 32)      320 parameters
 *   Flatten                                         -> (N, 21632)
 *   Dense 128, ReLU                                 -> (N, 128)        2,769,024 parameters
 *   Dense 10 (logits)                               -> (N, 10)             1,290 parameters
 * </pre>
 * Trained with Adam (1e-3) and softmax cross-entropy, batch 32, 5 epochs.
 */
public final class MnistCnn {
    /** Per-example input shape, NHWC. */
    public static final Shape INPUT = Shape.of(28, 28, 1);
    public static final int CLASSES = 10;

    private MnistCnn() {
    }

    /** The model on {@code cl}, initialised (Glorot-uniform kernels, zero biases) from {@code seed}. */
    public static Sequential create(ClContext cl, long seed) {
        Sequential model = new Sequential(cl, INPUT, new Conv2d(32, 3, Activation.RELU), new Flatten(),
                new Dense(128, Activation.RELU), new Dense(CLASSES));
        model.initialize(seed);
        return model;
    }
}
