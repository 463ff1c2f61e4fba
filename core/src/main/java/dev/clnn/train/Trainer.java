package dev.clnn.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.data.Dataset;
import dev.clnn.nn.ColumnSums;
import dev.clnn.nn.Loss;
import dev.clnn.nn.Sequential;
import dev.clnn.nn.SoftmaxCrossEntropy;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * Trains and evaluates a classifier: a {@link Sequential} whose output is one logit per class,
 * with softmax cross-entropy on integer labels and an {@link Optimizer}.
 *
 * <pre>{@code
 * try (Adam adam = new Adam(1e-3f);
 *      Trainer trainer = new Trainer(model, adam)) {
 *     History h = trainer.fit(data.train(), data.test(),
 *             FitOptions.defaults().withEpochs(5).withBatchSize(32).withSeed(42), listener);
 *     Metrics test = trainer.evaluate(data.test(), 32);
 * }
 * }</pre>
 *
 * <p>A step moves no data between host and device: the datasets live on the device, batches are
 * gathered there, the loss writes per-example metrics into a device buffer, and the trainer sums
 * them on the device every {@link FitOptions#progressEvery()} steps and per epoch, reading two
 * floats back. Kernels are built when first needed and then reused, never rebuilt per step.
 * With the same model seed, options and device, a run repeats exactly: every kernel sums in a
 * fixed order.
 *
 * <p>The trainer owns its loss and buffers; the model and optimizer stay the caller's to close.
 */
public final class Trainer implements AutoCloseable {
    private final Sequential model;
    private final Optimizer optimizer;
    private final Loss loss;
    private final ClContext cl;
    private final ColumnSums sums;
    private final ClBuffer result;
    private final Map<Integer, Batch> batches = new HashMap<>();
    private final int classes;
    private boolean closed;

    /** A trainer with softmax cross-entropy loss. */
    public Trainer(Sequential model, Optimizer optimizer) {
        this(model, optimizer, new SoftmaxCrossEntropy(model.context()));
    }

    /** A trainer with {@code loss}, which it then owns. */
    public Trainer(Sequential model, Optimizer optimizer, Loss loss) {
        if (model.outputShape().rank() != 1) {
            throw new IllegalArgumentException("Trainer trains classifiers with one logit per class; the model's "
                    + "output shape per example is " + model.outputShape());
        }
        this.model = model;
        this.optimizer = optimizer;
        this.loss = loss;
        this.cl = model.context();
        this.classes = model.outputShape().dim(0);
        this.sums = new ColumnSums(cl);
        this.result = cl.buffer(2);
    }

    public Sequential model() { return model; }

    public Optimizer optimizer() { return optimizer; }

    /**
     * Trains on {@code train} (uploaded to the device for the run) for {@code options.epochs()}
     * epochs, evaluating on {@code validation} (may be null) after each.
     *
     * @param listener progress callbacks, or null
     */
    public History fit(Dataset train, Dataset validation, FitOptions options, TrainingListener listener) {
        try (DeviceDataset t = DeviceDataset.upload(cl, train);
             DeviceDataset v = validation == null ? null : DeviceDataset.upload(cl, validation)) {
            return fit(t, v, options, listener);
        }
    }

    /** Like {@link #fit(Dataset, Dataset, FitOptions, TrainingListener)} on data already on the device. */
    public History fit(DeviceDataset train, DeviceDataset validation, FitOptions options,
                       TrainingListener listener) {
        ensureOpen();
        check(train);
        if (validation != null) {
            check(validation);
        }
        TrainingListener l = listener != null ? listener : new TrainingListener() { };
        SplittableRandom random = new SplittableRandom(options.seed());
        List<EpochMetrics> epochs = new ArrayList<>();
        try (ClBuffer stats = cl.buffer(2L * train.size())) {
            for (int epoch = 1; epoch <= options.epochs(); epoch++) {
                EpochMetrics m = epoch(epoch, train, validation, options, random, stats, l);
                epochs.add(m);
                l.epochEnded(m);
            }
        }
        return new History(epochs);
    }

    private EpochMetrics epoch(int epoch, DeviceDataset train, DeviceDataset validation, FitOptions options,
                               SplittableRandom random, ClBuffer stats, TrainingListener listener) {
        long t0 = System.nanoTime();
        if (options.shuffle()) {
            train.order(permutation(train.size(), random));
        } else {
            train.identityOrder();
        }
        int n = train.size();
        int b = options.batchSize();
        int steps = (n + b - 1) / b;
        listener.epochStarted(epoch, options.epochs(), steps);
        Metrics running = null;
        for (int s = 0; s < steps; s++) {
            int start = s * b;
            int size = Math.min(b, n - start);
            Batch batch = batch(size, train.exampleShape());
            train.gather(start, size, batch.x, batch.y);
            Tensor logits = model.forward(batch.x, true);
            loss.compute(logits, batch.y, batch.grad, stats, start);
            model.backward(batch.grad);
            optimizer.step(model.parameterStore());
            if ((s + 1) % options.progressEvery() == 0 || s + 1 == steps) {
                running = sum(stats, start + size);
                listener.progress(epoch, s + 1, steps, running);
            }
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        Metrics test = validation == null ? null : evaluate(validation, b);
        return new EpochMetrics(epoch, running, test, trainSeconds, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Mean loss and accuracy of the model on {@code data} (uploaded for the call), in batches of
     * {@code batchSize}, without training.
     */
    public Metrics evaluate(Dataset data, int batchSize) {
        try (DeviceDataset d = DeviceDataset.upload(cl, data)) {
            return evaluate(d, batchSize);
        }
    }

    /** Like {@link #evaluate(Dataset, int)} on data already on the device. */
    public Metrics evaluate(DeviceDataset data, int batchSize) {
        ensureOpen();
        check(data);
        if (batchSize < 1) {
            throw new IllegalArgumentException("Evaluation needs a batch size of at least 1, got " + batchSize);
        }
        data.identityOrder();
        try (ClBuffer stats = cl.buffer(2L * data.size())) {
            for (int start = 0; start < data.size(); start += batchSize) {
                int size = Math.min(batchSize, data.size() - start);
                Batch batch = batch(size, data.exampleShape());
                data.gather(start, size, batch.x, batch.y);
                Tensor logits = model.forward(batch.x, false);
                loss.compute(logits, batch.y, batch.grad, stats, start);
            }
            return sum(stats, data.size());
        }
    }

    /** Sums the first {@code rows} (loss, correct) rows of {@code stats} on the device; reads two floats. */
    private Metrics sum(ClBuffer stats, int rows) {
        sums.run(stats, 0, rows, 2, 1f / rows, 0f, result, 0);
        float[] r = new float[2];
        result.read(r, 0, 0, 2);
        return new Metrics(r[0], r[1], rows);
    }

    private static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private void check(DeviceDataset data) {
        if (!data.exampleShape().equals(model.inputShape()) || data.classes() > classes) {
            throw new IllegalArgumentException("Dataset " + data.name() + " has examples of shape "
                    + data.exampleShape() + " and " + data.classes() + " classes; the model takes " + model.inputShape()
                    + " and outputs " + classes + " logits");
        }
    }

    private Batch batch(int n, Shape example) {
        return batches.computeIfAbsent(n, k -> new Batch(k, example));
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("This Trainer was closed");
        }
    }

    /** Frees the trainer's buffers and its loss (not the model or the optimizer). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            batches.values().forEach(Batch::close);
            batches.clear();
            sums.close();
            result.close();
            loss.close();
        }
    }

    /** The device tensors of one batch size: inputs, labels and the logits' gradient. */
    private final class Batch implements AutoCloseable {
        final Tensor x;
        final ClBuffer y;
        final Tensor grad;

        Batch(int n, Shape example) {
            int[] dims = new int[example.rank() + 1];
            dims[0] = n;
            System.arraycopy(example.dims(), 0, dims, 1, example.rank());
            x = Tensor.allocate(cl, Shape.of(dims), example.rank() == 3 ? Layout.NHWC : Layout.ROW_MAJOR);
            y = cl.buffer(n);
            grad = Tensor.allocate(cl, Shape.of(n, classes));
        }

        @Override
        public void close() {
            x.close();
            y.close();
            grad.close();
        }
    }
}
