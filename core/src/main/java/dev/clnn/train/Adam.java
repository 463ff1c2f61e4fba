package dev.clnn.train;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClKernel;
import dev.clnn.nn.ParameterStore;

/**
 * Adam with bias correction, as Keras and TensorFlow compute it: at step {@code t = 1, 2, ...}
 * <pre>
 *   m += (1 - beta1) (g - m);   v += (1 - beta2) (g² - v)
 *   w -= lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + epsilon)
 * </pre>
 * The corrected step size is computed on the host in double precision each step and passed to
 * the kernel as an argument (no recompilation). Defaults: lr 1e-3, beta1 0.9, beta2 0.999,
 * epsilon 1e-7 (Keras').
 */
public final class Adam extends KernelOptimizer {
    private final float learningRate;
    private final float beta1;
    private final float beta2;
    private final float epsilon;

    /** Keras' defaults: lr 1e-3, beta1 0.9, beta2 0.999, epsilon 1e-7. */
    public Adam() {
        this(1e-3f);
    }

    public Adam(float learningRate) {
        this(learningRate, 0.9f, 0.999f, 1e-7f);
    }

    public Adam(float learningRate, float beta1, float beta2, float epsilon) {
        super(2);
        if (!(learningRate > 0f) || !(beta1 >= 0f && beta1 < 1f) || !(beta2 >= 0f && beta2 < 1f)
                || !(epsilon > 0f)) {
            throw new IllegalArgumentException("Adam needs lr > 0, beta1 and beta2 in [0, 1) and epsilon > 0, got lr="
                    + learningRate + " beta1=" + beta1 + " beta2=" + beta2 + " epsilon=" + epsilon);
        }
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    public float learningRate() { return learningRate; }

    @Override
    public void step(ParameterStore params) {
        ClBuffer[] s = state.bind(params, toString());
        ClKernel kernel = kernel(params, "adam");
        long t = state.next();
        double alpha = learningRate * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
        kernel.args(params.values(), params.gradients(), s[0], s[1], (float) alpha, beta1, beta2, epsilon);
        kernel.launch(new long[] {params.floats()}, null);
        params.changed();
    }

    @Override
    public String toString() {
        return "Adam(lr=" + learningRate + ", beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon=" + epsilon + ")";
    }
}
