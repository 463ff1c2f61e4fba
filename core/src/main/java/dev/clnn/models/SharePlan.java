package dev.clnn.models;

import java.util.Arrays;

/**
 * How a batch is split across devices, from a linear cost model per device: a call of {@code n}
 * examples takes {@code overhead + n * perExample} seconds there (nothing when {@code n} is 0).
 * The split minimises the time of the slowest device, which is the time of the whole call.
 *
 * <p>Why greedy is exact here: the k-th example given to device i finishes at
 * {@code overhead_i + k * perExample_i}. Giving each example in turn to the device where it would
 * finish first picks the {@code batch} earliest of all these finishing times, so no other split
 * finishes sooner. With no overhead the shares come out proportional to speed (rounded); a device
 * whose share rounds to 0, or whose overhead alone is longer than the batch takes on the others,
 * gets no example at all. Nor does a device whose share would shorten the call by less than
 * {@link #MIN_GAIN} of it: the model does not see what a busy device costs the others (a CPU
 * driving its cores beside GPUs takes time from the threads that feed them), so a marginal share
 * is a loss in practice.
 */
final class SharePlan {
    /** The least fraction of a call's time a device must save to be given a share. */
    static final double MIN_GAIN = 0.05;

    private SharePlan() {
    }

    /**
     * Examples per device for {@code batch} examples; devices with a non-finite or non-positive
     * per-example time get none. Ties go to the device listed first.
     */
    static int[] split(double[] overheadSeconds, double[] perExampleSeconds, int batch) {
        double[] allowed = perExampleSeconds.clone();
        int[] shares = greedy(overheadSeconds, allowed, batch);
        while (true) {
            double t = seconds(overheadSeconds, allowed, shares);
            int worst = -1;
            double worstGain = Double.POSITIVE_INFINITY;
            for (int i = 0; i < shares.length; i++) {
                if (shares[i] == 0 || shares[i] == batch) {
                    continue;
                }
                double[] without = allowed.clone();
                without[i] = Double.POSITIVE_INFINITY;
                double gain = 1 - t / seconds(overheadSeconds, without, greedy(overheadSeconds, without, batch));
                if (gain < worstGain) {
                    worstGain = gain;
                    worst = i;
                }
            }
            if (worst < 0 || worstGain >= MIN_GAIN) {
                return shares;
            }
            allowed[worst] = Double.POSITIVE_INFINITY;
            shares = greedy(overheadSeconds, allowed, batch);
        }
    }

    /** The exact split of the class comment, over the devices whose per-example time is usable. */
    private static int[] greedy(double[] overheadSeconds, double[] perExampleSeconds, int batch) {
        int devices = perExampleSeconds.length;
        int[] shares = new int[devices];
        for (int e = 0; e < batch; e++) {
            int best = -1;
            double bestFinish = Double.POSITIVE_INFINITY;
            for (int i = 0; i < devices; i++) {
                double c = perExampleSeconds[i];
                if (!(c > 0) || Double.isInfinite(c)) {
                    continue;
                }
                double finish = Math.max(0, overheadSeconds[i]) + (shares[i] + 1) * c;
                if (finish < bestFinish) {
                    bestFinish = finish;
                    best = i;
                }
            }
            if (best < 0) {
                throw new IllegalArgumentException("No device has a usable speed: per-example seconds "
                        + Arrays.toString(perExampleSeconds));
            }
            shares[best]++;
        }
        return shares;
    }

    /** The predicted time of a call split as {@code shares}: the slowest device's. */
    static double seconds(double[] overheadSeconds, double[] perExampleSeconds, int[] shares) {
        double worst = 0;
        for (int i = 0; i < shares.length; i++) {
            if (shares[i] > 0) {
                worst = Math.max(worst, Math.max(0, overheadSeconds[i]) + shares[i] * perExampleSeconds[i]);
            }
        }
        return worst;
    }
}
