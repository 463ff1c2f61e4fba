package dev.clnn.nn;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClKernel;
import dev.clnn.cl.KernelSource;
import dev.clnn.ops.Activation;

/**
 * The epilogue of a GEMM-based layer and its gradient ({@code kernels/train/bias_act.cl}):
 * {@code y = act(x + bias)} forward, {@code dx = dy * act'(.)} from the saved output backward.
 * One instance per layer (its own kernel objects).
 */
final class BiasActivation {
    private static final String SOURCE = "train/bias_act.cl";

    private final Activation activation;
    private final ClKernel forward;
    private final ClKernel backward;

    BiasActivation(ClContext cl, Activation activation, boolean bias) {
        requireGradient(activation);
        this.activation = activation;
        KernelSource source = KernelSource.load(SOURCE).withHeader("common/activation.cl");
        BuildOptions options = activation.defines(BuildOptions.none().define("HAS_BIAS", bias ? 1 : 0));
        this.forward = cl.program(source, options).kernel("bias_act");
        this.backward = cl.program(source, options).kernel("act_grad");
    }

    /**
     * Rejects activations whose derivative the output does not determine (the backward pass keeps
     * only the output).
     */
    static void requireGradient(Activation a) {
        switch (a.kind()) {
            case NONE: case RELU: case CLIP: case SIGMOID: case TANH:
                return;
            case LEAKY_RELU:
                if (a.alpha() > 0f) {
                    return;
                }
                break;
            default:
                break;
        }
        throw new IllegalArgumentException("Activation " + a + " has no backward pass yet; layers that train "
                + "support none, relu, clip (relu6), leaky_relu with a positive slope, sigmoid and tanh");
    }

    Activation activation() { return activation; }

    /** True when the activation is the identity (backward passes the gradient through unchanged). */
    boolean isIdentity() {
        return activation.kind() == Activation.Kind.NONE;
    }

    /** Enqueues {@code y = act(x + bias[offb + col])} over {@code (rows, cols)}; x and y may be one buffer. */
    void forward(ClBuffer x, ClBuffer bias, long offb, int rows, int cols, ClBuffer y) {
        forward.args(x, bias, (int) offb, cols, y);
        forward.launch(new long[] {(long) rows * cols}, null);
    }

    /** Enqueues {@code dx = dy * act'} for {@code count} elements, from the forward output {@code y}. */
    void backward(ClBuffer dy, ClBuffer y, long count, ClBuffer dx) {
        backward.args(dy, y, dx);
        backward.launch(new long[] {count}, null);
    }
}
