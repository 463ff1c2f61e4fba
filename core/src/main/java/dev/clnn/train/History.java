package dev.clnn.train;

import java.util.List;

/** The per-epoch metrics of one {@link Trainer#fit} run, in order. */
public record History(List<EpochMetrics> epochs) {

    public History {
        epochs = List.copyOf(epochs);
    }

    /** The last epoch's metrics. */
    public EpochMetrics last() {
        return epochs.get(epochs.size() - 1);
    }
}
