package dev.clnn.nn;

import dev.clnn.ops.Activation;
import dev.clnn.reference.ReferenceTraining;
import dev.clnn.reference.ReferenceTraining.Act;

/** Shared pieces of the layer tests: the activations under test and their reference twins. */
final class LayerTesting {
    private LayerTesting() {
    }

    /** The activations layers train with, each with its reference. */
    static final Activation[] ACTIVATIONS = {Activation.NONE, Activation.RELU, Activation.RELU6, Activation.TANH,
        Activation.SIGMOID};

    static Act reference(Activation a) {
        switch (a.kind()) {
            case RELU: return Act.RELU;
            case CLIP: return Act.RELU6;
            case TANH: return Act.TANH;
            case SIGMOID: return Act.SIGMOID;
            default: return Act.NONE;
        }
    }

    /** {@code act(z)} element-wise. */
    static double[] activate(Act act, double[] z) {
        double[] y = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            y[i] = ReferenceTraining.activate(act, z[i]);
        }
        return y;
    }

    /** {@code dL/dz} from {@code dL/dy} and the pre-activation {@code z}. */
    static double[] activationGrad(Act act, double[] dy, double[] z) {
        double[] dz = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            dz[i] = ReferenceTraining.activationGrad(act, dy[i], z[i]);
        }
        return dz;
    }

    /** Uniform in [-scale, scale), seeded. */
    static float[] uniform(int n, long seed, float scale) {
        float[] f = dev.clnn.testing.TestData.uniform(n, seed);
        for (int i = 0; i < n; i++) {
            f[i] *= scale;
        }
        return f;
    }
}
