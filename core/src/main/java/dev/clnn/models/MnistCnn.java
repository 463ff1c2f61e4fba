package dev.clnn.models;

import java.util.List;

import dev.clnn.cl.ClContext;
import dev.clnn.graph.Graph;
import dev.clnn.nn.Conv2d;
import dev.clnn.nn.Dense;
import dev.clnn.nn.Flatten;
import dev.clnn.nn.Layer;
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
 * Trained with Adam (1e-3) and softmax cross-entropy, batch 32, 5 epochs ({@link #create}); the
 * same network as an inference graph for {@code clnn bench mnist_cnn} and {@link Model} ({@link #build}).
 */
public final class MnistCnn {
    /** Per-example input shape, NHWC. */
    public static final Shape INPUT = Shape.of(28, 28, 1);
    public static final int CLASSES = 10;

    private MnistCnn() {
    }

    /** The layers, unbuilt: the one definition behind {@link #create} and {@link #build}. */
    public static List<Layer> layers() {
        return List.of(new Conv2d(32, 3, Activation.RELU), new Flatten(), new Dense(128, Activation.RELU),
                new Dense(CLASSES));
    }

    /** The model on {@code cl}, initialised (Glorot-uniform kernels, zero biases) from {@code seed}. */
    public static Sequential create(ClContext cl, long seed) {
        Sequential model = new Sequential(cl, INPUT, layers());
        model.initialize(seed);
        return model;
    }

    /** The network as an inference graph with parameters from {@code weights} (Keras names: conv2d, dense, dense_1). */
    public static Graph build(WeightSource weights) {
        return SequentialGraph.of("mnist_cnn", INPUT, layers(), weights);
    }
}
