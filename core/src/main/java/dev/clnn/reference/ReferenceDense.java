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
        return times(x, w, b, n, in, out, false);
    }

    /** {@code dx = dy w^T}, shape {@code (N, IN)}. */
    public static double[] backwardInput(double[] dy, double[] w, int n, int in, int out) {
        return times(dy, w, null, n, out, in, true);
    }

    /**
     * {@code a (rows, inner)} times {@code w}, plus {@code b} (null: none): {@code w} is
     * {@code (inner, cols)}, or with {@code transposed} {@code (cols, inner)} read as its transpose.
     * Each element is summed in double along the inner dimension, starting from its bias.
     */
    private static double[] times(double[] a, double[] w, double[] b, int rows, int inner, int cols,
                                  boolean transposed) {
        double[] y = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                double s = b == null ? 0 : b[j];
                for (int k = 0; k < inner; k++) {
                    s += a[r * inner + k] * (transposed ? w[j * inner + k] : w[k * cols + j]);
                }
                y[r * cols + j] = s;
            }
        }
        return y;
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
