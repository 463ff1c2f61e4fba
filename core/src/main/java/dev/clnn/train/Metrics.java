package dev.clnn.train;

/**
 * Mean loss and accuracy over a number of examples.
 *
 * @param loss     mean per-example loss
 * @param accuracy share of examples whose highest output is the label, in [0, 1]
 * @param examples how many examples the means cover
 */
public record Metrics(double loss, double accuracy, long examples) {

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "loss %.4f, accuracy %.2f %% (%d examples)", loss, accuracy * 100, examples);
    }
}
