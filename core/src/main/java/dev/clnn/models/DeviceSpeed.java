package dev.clnn.models;

/**
 * What one device of a {@link MultiDeviceModel} costs per call, {@code overhead + n * perExample}
 * seconds for {@code n} examples, fitted through two points: the time of one example (from the
 * calibration, then from calls that gave the device one) and the time of the device's latest
 * larger share. Each point is an exponential moving average of observed call times, so the
 * estimate follows a device that slows down (another process, thermal throttling) without
 * jumping at a single slow call. Not thread-safe; the model guards it.
 */
final class DeviceSpeed {
    /** Weight of a new observation in the moving averages. */
    static final double SMOOTHING = 0.3;

    private double single = Double.NaN;      // seconds for one example
    private int size;                        // the larger share last observed (> 1), 0 if none
    private double sized = Double.NaN;       // seconds for `size` examples
    private final boolean fixed;
    private final double fixedPerExample;

    private DeviceSpeed(boolean fixed, double fixedPerExample) {
        this.fixed = fixed;
        this.fixedPerExample = fixedPerExample;
    }

    /** An estimate learnt from observations. */
    static DeviceSpeed measured() {
        return new DeviceSpeed(false, Double.NaN);
    }

    /** A given speed, no overhead, observations ignored. */
    static DeviceSpeed fixed(double examplesPerSecond) {
        return new DeviceSpeed(true, 1 / examplesPerSecond);
    }

    /** Records that {@code examples} took {@code seconds} on the device. */
    void observe(int examples, double seconds) {
        if (fixed || examples < 1 || !(seconds > 0)) {
            return;
        }
        if (examples == 1) {
            single = Double.isNaN(single) ? seconds : single + SMOOTHING * (seconds - single);
        } else if (examples == size) {
            sized += SMOOTHING * (seconds - sized);
        } else {
            size = examples;
            sized = seconds;
        }
    }

    /** Seconds per example beyond the first's overhead; NaN before any observation. */
    double perExample() {
        if (fixed) {
            return fixedPerExample;
        }
        if (size > 1 && !Double.isNaN(single)) {
            double slope = (sized - single) / (size - 1);
            // noise can make the larger call look cheaper per example than the fit allows
            return slope > 0 ? slope : sized / size;
        }
        return size > 1 ? sized / size : single;
    }

    /** Fixed seconds per call (launches, copies, synchronisation), never negative. */
    double overhead() {
        if (fixed || size <= 1 || Double.isNaN(single)) {
            return 0;
        }
        return Math.max(0, single - perExample());
    }

    /** Examples per second at a share of {@code examples} (overhead included). */
    double examplesPerSecond(int examples) {
        int n = Math.max(1, examples);
        return n / (overhead() + n * perExample());
    }
}
