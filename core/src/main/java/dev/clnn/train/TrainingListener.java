package dev.clnn.train;

/**
 * Callbacks of {@link Trainer#fit}, on the calling thread, for progress displays and logs. Every
 * method does nothing by default.
 */
public interface TrainingListener {

    /** Before epoch {@code epoch} (1-based) of {@code epochs}, which takes {@code steps} steps. */
    default void epochStarted(int epoch, int epochs, int steps) {
    }

    /**
     * After step {@code step} (1-based) of {@code steps}, every {@link FitOptions#progressEvery()}
     * steps and after the last: {@code running} is the loss and accuracy so far this epoch.
     */
    default void progress(int epoch, int step, int steps, Metrics running) {
    }

    /** After the epoch, evaluation included. */
    default void epochEnded(EpochMetrics metrics) {
    }
}
