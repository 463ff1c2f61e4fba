package dev.clnn.train;

/**
 * How {@link Trainer#fit} trains: epochs, batch size, shuffling and its seed, and how often it
 * reports progress. Immutable; start from {@link #defaults()} and change what differs.
 *
 * @param epochs        passes over the training data, at least 1
 * @param batchSize     examples per step, at least 1 (the last step of an epoch may take fewer)
 * @param shuffle       reshuffle the training data before every epoch
 * @param seed          seed of the shuffling: the same seed gives the same order, epoch by epoch
 * @param progressEvery steps between progress reports (the only times a step waits for the
 *                      device and reads two floats back); at least 1
 */
public record FitOptions(int epochs, int batchSize, boolean shuffle, long seed, int progressEvery) {

    public FitOptions {
        if (epochs < 1 || batchSize < 1 || progressEvery < 1) {
            throw new IllegalArgumentException("Training needs epochs, batch size and progress interval of at least 1,"
                    + " got epochs=" + epochs + " batchSize=" + batchSize + " progressEvery=" + progressEvery);
        }
    }

    /** 1 epoch, batches of 32 (Keras' default), shuffled with seed 0, progress every 25 steps. */
    public static FitOptions defaults() {
        return new FitOptions(1, 32, true, 0, 25);
    }

    public FitOptions withEpochs(int value) {
        return new FitOptions(value, batchSize, shuffle, seed, progressEvery);
    }

    public FitOptions withBatchSize(int value) {
        return new FitOptions(epochs, value, shuffle, seed, progressEvery);
    }

    public FitOptions withShuffle(boolean value) {
        return new FitOptions(epochs, batchSize, value, seed, progressEvery);
    }

    public FitOptions withSeed(long value) {
        return new FitOptions(epochs, batchSize, shuffle, value, progressEvery);
    }

    public FitOptions withProgressEvery(int value) {
        return new FitOptions(epochs, batchSize, shuffle, seed, value);
    }
}
