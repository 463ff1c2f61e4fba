package dev.clnn.train;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClKernel;
import dev.clnn.nn.ParameterStore;

/**
 * Stochastic gradient descent, with optional momentum, as Keras defines it:
 * {@code w -= lr * g}, or with momentum {@code v = momentum * v - lr * g; w += v}.
 */
public final class Sgd extends KernelOptimizer {
    private final float learningRate;
    private final float momentum;

    /** Plain SGD. */
    public Sgd(float learningRate) {
        this(learningRate, 0f);
    }

    /**
     * @param learningRate step size, positive
     * @param momentum     in [0, 1); 0 is plain SGD
     */
    public Sgd(float learningRate, float momentum) {
        super(momentum == 0f ? 0 : 1);
        if (!(learningRate > 0f) || !(momentum >= 0f && momentum < 1f)) {
            throw new IllegalArgumentException("SGD needs a positive learning rate and a momentum in [0, 1), got lr="
                    + learningRate + " momentum=" + momentum);
        }
        this.learningRate = learningRate;
        this.momentum = momentum;
    }

    public float learningRate() { return learningRate; }

    public float momentum() { return momentum; }

    @Override
    public void step(ParameterStore params) {
        ClBuffer[] s = state.bind(params, toString());
        ClKernel kernel = kernel(params, momentum == 0f ? "sgd" : "sgd_momentum");
        if (momentum == 0f) {
            kernel.args(params.values(), params.gradients(), learningRate);
        } else {
            kernel.args(params.values(), params.gradients(), s[0], learningRate, momentum);
        }
        kernel.launch(new long[] {params.floats()}, null);
        params.changed();
        state.next();
    }

    @Override
    public String toString() {
        return "SGD(lr=" + learningRate + (momentum == 0f ? "" : ", momentum=" + momentum) + ")";
    }
}
