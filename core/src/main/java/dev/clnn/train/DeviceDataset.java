package dev.clnn.train;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClKernel;
import dev.clnn.data.Dataset;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * A {@link Dataset} uploaded to the device once, from which mini-batches are gathered on the
 * device ({@code kernels/train/batch.cl}) in any order: a shuffled epoch costs one upload of the
 * order (one float per example), a step none. Features are {@code (size, exampleShape...)},
 * labels one float per example. Owns its buffers; close it.
 */
public final class DeviceDataset implements AutoCloseable {
    /** Indices travel as floats, exact below 2^24. */
    static final int MAX_EXAMPLES = 1 << 24;

    private final Dataset source;
    private final ClBuffer features;
    private final ClBuffer labels;
    private final ClBuffer order;
    private final ClKernel gatherFeatures;
    private final ClKernel gatherLabels;
    private boolean identityOrder;
    private boolean closed;

    private DeviceDataset(ClContext cl, Dataset source) {
        this.source = source;
        this.gatherFeatures = cl.kernel("train/batch.cl", BuildOptions.none(), "gather_rows");
        this.gatherLabels = cl.kernel("train/batch.cl", BuildOptions.none(), "gather_rows");
        float[] y = new float[source.size()];
        int[] labelsHost = source.labels();
        for (int i = 0; i < y.length; i++) {
            y[i] = labelsHost[i];
        }
        ClBuffer f = cl.buffer(source.features());
        ClBuffer l = null;
        try {
            l = cl.buffer(y);
            this.order = cl.buffer(source.size());
        } catch (RuntimeException e) {
            f.close();
            if (l != null) {
                l.close();
            }
            throw e;
        }
        this.features = f;
        this.labels = l;
    }

    /**
     * Copies {@code data} to the device of {@code cl}.
     *
     * @throws IllegalArgumentException when it holds {@value #MAX_EXAMPLES} examples or more
     */
    public static DeviceDataset upload(ClContext cl, Dataset data) {
        if (data.size() >= MAX_EXAMPLES) {
            throw new IllegalArgumentException("Dataset " + data.name() + " has " + data.size()
                    + " examples; a device dataset holds fewer than " + MAX_EXAMPLES);
        }
        return new DeviceDataset(cl, data);
    }

    public String name() { return source.name(); }

    public int size() { return source.size(); }

    public Shape exampleShape() { return source.exampleShape(); }

    public int classes() { return source.classes(); }

    /** Uses examples in {@code permutation} order from now on (one upload). */
    void order(int[] permutation) {
        float[] f = new float[permutation.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = permutation[i];
        }
        order.write(f);
        identityOrder = false;
    }

    /** Uses examples in stored order from now on; uploads only when the order was shuffled. */
    void identityOrder() {
        if (!identityOrder) {
            int[] p = new int[size()];
            for (int i = 0; i < p.length; i++) {
                p[i] = i;
            }
            order(p);
            identityOrder = true;
        }
    }

    /**
     * Enqueues the gather of examples {@code start .. start + n - 1} of the current order into
     * {@code x} {@code (n, exampleShape...)} and their labels into {@code y} (n floats); both written.
     */
    void gather(int start, int n, Tensor x, ClBuffer y) {
        ensureOpen();
        int per = exampleShape().sizeAsInt();
        gatherFeatures.args(features, per, order, start, x.buffer());
        gatherFeatures.launch(new long[] {per, n}, null);
        gatherLabels.args(labels, 1, order, start, y);
        gatherLabels.launch(new long[] {1, n}, null);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Device dataset " + name() + " was closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            features.close();
            labels.close();
            order.close();
        }
    }

    @Override
    public String toString() {
        return "DeviceDataset(" + name() + ", " + size() + " x " + exampleShape() + ")";
    }
}
