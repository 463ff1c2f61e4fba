package dev.clnn.reference;

/**
 * Plain-Java oracles for the rest of a training step, in double precision: activation functions
 * and their gradients, softmax cross-entropy with integer labels, and the SGD and Adam updates.
 */
public final class ReferenceTraining {
    private ReferenceTraining() {
    }

    /** The activations that have a backward pass, by the names {@code ops.Activation.Kind} uses. */
    public enum Act { NONE, RELU, RELU6, SIGMOID, TANH }

    /** The activation in double ({@link ReferenceActivation}'s functions). */
    public static double activate(Act act, double x) {
        switch (act) {
            case RELU: return ReferenceActivation.relu(x);
            case RELU6: return ReferenceActivation.clip(x, 0, 6);
            case SIGMOID: return ReferenceActivation.sigmoid(x);
            case TANH: return ReferenceActivation.tanh(x);
            default: return x;
        }
    }

    /** {@code dL/dx} given {@code dL/dy} and the pre-activation input {@code x}. */
    public static double activationGrad(Act act, double dy, double x) {
        switch (act) {
            case RELU: return x > 0 ? dy : 0;
            case RELU6: return x > 0 && x < 6 ? dy : 0;
            case SIGMOID: {
                double s = ReferenceActivation.sigmoid(x);
                return dy * s * (1 - s);
            }
            case TANH: {
                double t = ReferenceActivation.tanh(x);
                return dy * (1 - t * t);
            }
            default: return dy;
        }
    }

    /** The result of {@link #softmaxCrossEntropy}. */
    public record LossResult(double[] losses, double[] grad, boolean[] correct) {
        public double meanLoss() {
            double s = 0;
            for (double l : losses) {
                s += l;
            }
            return s / losses.length;
        }
    }

    /**
     * Softmax cross-entropy of {@code logits (n, classes)} against integer {@code labels}: per-example
     * losses, the gradient of their MEAN with respect to the logits, and whether the first maximum
     * of each row is the label.
     */
    public static LossResult softmaxCrossEntropy(double[] logits, int[] labels, int classes) {
        int n = labels.length;
        double[] losses = new double[n];
        double[] grad = new double[n * classes];
        boolean[] correct = new boolean[n];
        for (int r = 0; r < n; r++) {
            int base = r * classes;
            double m = logits[base];
            int best = 0;
            for (int j = 1; j < classes; j++) {
                if (logits[base + j] > m) {
                    m = logits[base + j];
                    best = j;
                }
            }
            double s = 0;
            for (int j = 0; j < classes; j++) {
                s += Math.exp(logits[base + j] - m);
            }
            double lse = m + Math.log(s);
            losses[r] = lse - logits[base + labels[r]];
            correct[r] = best == labels[r];
            for (int j = 0; j < classes; j++) {
                grad[base + j] = (Math.exp(logits[base + j] - lse) - (j == labels[r] ? 1 : 0)) / n;
            }
        }
        return new LossResult(losses, grad, correct);
    }

    /** One SGD step in place (Keras' formulation): {@code v = momentum v - lr g; w += v} ({@code v} may be null when momentum is 0). */
    public static void sgdStep(double[] w, double[] g, double[] v, double lr, double momentum) {
        for (int i = 0; i < w.length; i++) {
            if (v == null) {
                w[i] -= lr * g[i];
            } else {
                v[i] = momentum * v[i] - lr * g[i];
                w[i] += v[i];
            }
        }
    }

    /**
     * Adam step {@code t} (1-based) in place, as Keras and TensorFlow compute it:
     * {@code m += (1-b1)(g-m); v += (1-b2)(g²-v); w -= lr sqrt(1-b2^t)/(1-b1^t) m/(sqrt(v)+eps)}.
     */
    public static void adamStep(double[] w, double[] g, double[] m, double[] v, int t, double lr, double beta1,
                                double beta2, double epsilon) {
        double alpha = lr * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
        for (int i = 0; i < w.length; i++) {
            m[i] += (1 - beta1) * (g[i] - m[i]);
            v[i] += (1 - beta2) * (g[i] * g[i] - v[i]);
            w[i] -= alpha * m[i] / (Math.sqrt(v[i]) + epsilon);
        }
    }

    /** Widens floats to doubles. */
    public static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** Rounds doubles to floats. */
    public static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
