package dev.clnn.train;

/**
 * What one epoch of {@link Trainer#fit} measured.
 *
 * @param epoch        1-based
 * @param train        loss and accuracy on the training data, averaged over the epoch's steps as
 *                     the weights changed (as Keras reports them)
 * @param test         loss and accuracy on the validation data after the epoch, or null without any
 * @param trainSeconds wall time of the epoch's training steps, including the final wait for the device
 * @param seconds      wall time of the whole epoch, evaluation included
 */
public record EpochMetrics(int epoch, Metrics train, Metrics test, double trainSeconds, double seconds) {
}
