package dev.clnn.train;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClKernel;
import dev.clnn.nn.ParameterStore;

/**
 * Stochastic gradient descent, with optional momentum, as Keras defines it:
 * {@code w -= lr * g}, or with momentum {@code v = momentum * v - lr * g; w += v}.
 */
public final class Sgd implements Optimizer {
    private final float learningRate;
    private final float momentum;
    private final OptimizerState state;
    private ClKernel kernel;

    /** Plain SGD. */
    public Sgd(float learningRate) {
        this(learningRate, 0f);
    }

    /**
     * @param learningRate step size, positive
     * @param momentum     in [0, 1); 0 is plain SGD
     */
    public Sgd(float learningRate, float momentum) {
        if (!(learningRate > 0f) || !(momentum >= 0f && momentum < 1f)) {
            throw new IllegalArgumentException("SGD needs a positive learning rate and a momentum in [0, 1), got lr="
                    + learningRate + " momentum=" + momentum);
        }
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.state = new OptimizerState(momentum == 0f ? 0 : 1);
    }

    public float learningRate() { return learningRate; }

    public float momentum() { return momentum; }

    @Override
    public void step(ParameterStore params) {
        ClBuffer[] s = state.bind(params, toString());
        if (kernel == null) {
            kernel = params.context().kernel("train/optimizer.cl", BuildOptions.none(),
                    momentum == 0f ? "sgd" : "sgd_momentum");
        }
        if (momentum == 0f) {
            kernel.args(params.values(), params.gradients(), learningRate);
        } else {
            kernel.args(params.values(), params.gradients(), s[0], learningRate, momentum);
        }
        kernel.launch(new long[] {params.count()}, null);
        params.changed();
        state.next();
    }

    @Override
    public void reset() {
        state.reset();
    }

    @Override
    public long steps() {
        return state.steps();
    }

    @Override
    public void close() {
        state.close();
    }

    @Override
    public String toString() {
        return "SGD(lr=" + learningRate + (momentum == 0f ? "" : ", momentum=" + momentum) + ")";
    }
}
