package dev.clnn.reference;

/**
 * The plain-Java oracle for a dense (fully connected) layer and its gradients, in double precision.
 * Layouts: input {@code x (N, IN)}, weight {@code w (IN, OUT)} (as Keras stores it), bias
 * {@code (OUT)}, output {@code y = x w + b (N, OUT)}; all row-major.
 */
public final class ReferenceDense {
    private ReferenceDense() {
    }

    /** {@code y = x w + b}; {@code b} may be null. */
    public static double[] forward(double[] x, double[] w, double[] b, int n, int in, int out) {
        double[] y = new double[n * out];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < out; j++) {
                double s = b == null ? 0 : b[j];
                for (int k = 0; k < in; k++) {
                    s += x[r * in + k] * w[k * out + j];
                }
                y[r * out + j] = s;
            }
        }
        return y;
    }

    /** {@code dx = dy w^T}, shape {@code (N, IN)}. */
    public static double[] backwardInput(double[] dy, double[] w, int n, int in, int out) {
        double[] dx = new double[n * in];
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < in; k++) {
                double s = 0;
                for (int j = 0; j < out; j++) {
                    s += dy[r * out + j] * w[k * out + j];
                }
                dx[r * in + k] = s;
            }
        }
        return dx;
    }

    /** {@code dw = x^T dy}, shape {@code (IN, OUT)}. */
    public static double[] backwardWeight(double[] x, double[] dy, int n, int in, int out) {
        double[] dw = new double[in * out];
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < in; k++) {
                double xv = x[r * in + k];
                for (int j = 0; j < out; j++) {
                    dw[k * out + j] += xv * dy[r * out + j];
                }
            }
        }
        return dw;
    }

    /** Sums of each column of a row-major {@code (rows, cols)} matrix: the bias gradient. */
    public static double[] columnSums(double[] m, int rows, int cols) {
        double[] s = new double[cols];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                s[j] += m[r * cols + j];
            }
        }
        return s;
    }
}
