package dev.clnn.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.clnn.cl.ClContext;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * A stack of layers, each feeding the next: forward, backward, prediction, and saving and loading
 * the weights. Training is {@code dev.clnn.train.Trainer}'s.
 *
 * <pre>{@code
 * try (ClContext cl = ClContext.create("gpu");
 *      Sequential model = new Sequential(cl, Shape.of(28, 28, 1),
 *              new Conv2d(32, 3, Activation.RELU), new Flatten(),
 *              new Dense(128, Activation.RELU), new Dense(10))) {
 *     model.initialize(42);                       // Glorot-uniform kernels, zero biases
 *     float[] logits = model.predict(images);     // images: n * 28*28*1 floats, NHWC
 * }
 * }</pre>
 *
 * <p>The model builds its layers for the per-example input shape, names them Keras-style
 * ({@code conv2d}, {@code flatten}, {@code dense}, {@code dense_1}), stores every parameter in one
 * {@link ParameterStore}, and owns and closes the layers. Not thread-safe, like its context.
 */
public final class Sequential implements AutoCloseable {
    /** Examples per forward pass in {@link #predict}. */
    static final int PREDICT_BATCH = 256;

    private final ClContext cl;
    private final Shape inputShape;
    private final List<Layer> layers;
    private final List<String> names;
    private final ParameterStore store;
    private boolean closed;

    /**
     * Builds {@code layers} for examples of {@code inputShape} (e.g. {@code (28, 28, 1)}, NHWC),
     * takes ownership of them, and initialises the parameters with seed 0.
     */
    public Sequential(ClContext cl, Shape inputShape, Layer... layers) {
        this(cl, inputShape, List.of(layers));
    }

    public Sequential(ClContext cl, Shape inputShape, List<Layer> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("A Sequential model needs at least one layer");
        }
        this.cl = cl;
        this.inputShape = inputShape;
        this.layers = List.copyOf(layers);
        this.names = new ArrayList<>();
        try {
            Shape shape = inputShape;
            List<Parameter> params = new ArrayList<>();
            List<String> paramNames = new ArrayList<>();
            names.addAll(layerNames(this.layers));
            for (int i = 0; i < this.layers.size(); i++) {
                Layer layer = this.layers.get(i);
                shape = layer.build(cl, shape);
                String name = names.get(i);
                for (Parameter p : layer.parameters()) {
                    params.add(p);
                    paramNames.add(name + "/" + p.name());
                }
            }
            this.store = ParameterStore.allocate(cl, params, paramNames);
        } catch (RuntimeException e) {
            this.layers.forEach(Layer::close);
            throw e;
        }
    }

    /** Redraws every parameter from its initializer, seeded: the same seed gives the same weights. */
    public void initialize(long seed) {
        store.initialize(seed);
    }

    /**
     * Enqueues the forward pass of {@code input} {@code (n, inputShape...)} (read) and returns the
     * output {@code (n, outputShape...)}, owned by the last layer (valid until its next call with
     * this batch size). With {@code training}, layers keep what their backward pass needs.
     */
    public Tensor forward(Tensor input, boolean training) {
        ensureOpen();
        Tensor x = input;
        for (Layer layer : layers) {
            x = layer.forward(x, training);
        }
        return x;
    }

    /**
     * Enqueues the backward pass from {@code gradOutput} {@code (n, outputShape...)} (dLoss/dOutput,
     * read), after a training forward pass of the same batch size; writes every parameter's
     * gradient. The first layer computes no input gradient.
     */
    public void backward(Tensor gradOutput) {
        ensureOpen();
        Tensor g = gradOutput;
        for (int i = layers.size() - 1; i >= 0; i--) {
            g = layers.get(i).backward(g, i > 0);
        }
    }

    /**
     * The outputs (logits for a classifier) for {@code inputs}: {@code n} examples of
     * {@code inputShape}, row-major ({@code n * inputShape.size()} floats), in batches of up to
     * {@value #PREDICT_BATCH}. Returns {@code n * outputShape.size()} floats.
     */
    public float[] predict(float[] inputs) {
        ensureOpen();
        int per = inputShape.sizeAsInt();
        if (inputs.length == 0 || inputs.length % per != 0) {
            throw new IllegalArgumentException("predict takes whole examples of shape " + inputShape + " (" + per
                    + " floats each), got " + inputs.length + " floats");
        }
        int n = inputs.length / per;
        int outPer = outputShape().sizeAsInt();
        float[] out = new float[Math.multiplyExact(n, outPer)];
        Map<Integer, Tensor> staging = new HashMap<>();
        try {
            for (int start = 0; start < n; start += PREDICT_BATCH) {
                int b = Math.min(PREDICT_BATCH, n - start);
                Tensor x = staging.computeIfAbsent(b,
                        k -> Tensor.allocate(cl, LayerBase.batched(k, inputShape), layoutOf(inputShape)));
                x.buffer().write(inputs, start * per, 0, b * per);
                Tensor y = forward(x, false);
                y.buffer().read(out, start * outPer, 0, b * outPer);
            }
        } finally {
            staging.values().forEach(Tensor::close);
        }
        return out;
    }

    /** The index of the largest output (the first, on ties) of each example of {@code inputs}. */
    public int[] predictClasses(float[] inputs) {
        float[] logits = predict(inputs);
        int classes = outputShape().sizeAsInt();
        int[] out = new int[logits.length / classes];
        for (int r = 0; r < out.length; r++) {
            int best = 0;
            for (int j = 1; j < classes; j++) {
                if (logits[r * classes + j] > logits[r * classes + best]) {
                    best = j;
                }
            }
            out[r] = best;
        }
        return out;
    }

    /** Saves every parameter to {@code file} in clnn's weights format ({@link WeightsFile}), atomically. */
    public void save(Path file) throws IOException {
        ensureOpen();
        List<WeightsFile.Entry> entries = new ArrayList<>();
        for (Parameter p : store.parameters()) {
            entries.add(new WeightsFile.Entry(p.name(), p.shape(), p.read()));
        }
        WeightsFile.write(file, entries);
    }

    /**
     * Loads weights saved by {@link #save}; the file must hold exactly this model's parameters,
     * same names and shapes, in any order.
     *
     * @throws IOException              when the file is unreadable, truncated or corrupt
     * @throws IllegalArgumentException when it holds another model's parameters
     */
    public void load(Path file) throws IOException {
        ensureOpen();
        Map<String, WeightsFile.Entry> byName = new HashMap<>();
        for (WeightsFile.Entry e : WeightsFile.read(file)) {
            byName.put(e.name(), e);
        }
        List<Parameter> params = store.parameters();
        for (Parameter p : params) {
            WeightsFile.Entry e = byName.get(p.name());
            if (e == null || !e.shape().equals(p.shape())) {
                throw new IllegalArgumentException("Weights file " + file + " does not fit this model: parameter "
                        + p.name() + " " + p.shape() + (e == null ? " is missing" : " has shape " + e.shape()
                        + " there") + " (file holds " + describe(byName.values()) + ")");
            }
        }
        if (byName.size() != params.size()) {
            throw new IllegalArgumentException("Weights file " + file + " holds " + byName.size()
                    + " tensors, this model has " + params.size() + " parameters: " + describe(byName.values()));
        }
        for (Parameter p : params) {
            p.write(byName.get(p.name()).data());
        }
    }

    private static String describe(Iterable<WeightsFile.Entry> entries) {
        StringBuilder sb = new StringBuilder();
        for (WeightsFile.Entry e : entries) {
            sb.append(sb.length() > 0 ? ", " : "").append(e.name()).append(e.shape());
        }
        return sb.toString();
    }

    /** A Keras-like table: each layer's name, kind, output shape and parameter count, and the total. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        String line = "-".repeat(88) + "\n";
        sb.append(String.format(java.util.Locale.ROOT, "%-50s %-24s %12s%n", "Layer", "Output shape", "Parameters")).append(line);
        sb.append(String.format(java.util.Locale.ROOT, "%-50s %-24s %12s%n", "input", "(None" + tail(inputShape) + ")", "0"));
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            long count = l.parameters().stream().mapToLong(Parameter::size).sum();
            sb.append(String.format(java.util.Locale.ROOT, "%-50s %-24s %,12d%n", names.get(i) + " " + l, "(None" + tail(l.outputShape())
                    + ")", count));
        }
        sb.append(line).append(String.format(java.util.Locale.ROOT, "Trainable parameters: %,d%n", store.count()));
        return sb.toString();
    }

    private static String tail(Shape s) {
        StringBuilder sb = new StringBuilder();
        for (int d : s.dims()) {
            sb.append(", ").append(d);
        }
        return sb.toString();
    }

    private static Layout layoutOf(Shape example) {
        return example.rank() == 3 ? Layout.NHWC : Layout.ROW_MAJOR;
    }

    public ClContext context() { return cl; }

    /**
     * Keras' names for {@code layers} in order: the kind, then {@code _1}, {@code _2}, ... for
     * later layers of the same kind ({@code conv2d, flatten, dense, dense_1}). Parameters are
     * named {@code <layer>/<parameter>} ({@code dense_1/kernel}).
     */
    public static List<String> layerNames(List<Layer> layers) {
        Map<String, Integer> seen = new HashMap<>();
        List<String> out = new ArrayList<>();
        for (Layer layer : layers) {
            int k = seen.merge(layer.kind(), 1, Integer::sum);
            out.add(k == 1 ? layer.kind() : layer.kind() + "_" + (k - 1));
        }
        return out;
    }

    /** The per-example input shape, e.g. {@code (28, 28, 1)}. */
    public Shape inputShape() { return inputShape; }

    /** The per-example output shape, e.g. {@code (10,)}. */
    public Shape outputShape() { return layers.get(layers.size() - 1).outputShape(); }

    public List<Layer> layers() { return layers; }

    /** The layers' names, in order ({@code conv2d}, {@code flatten}, {@code dense}, {@code dense_1}). */
    public List<String> layerNames() { return Collections.unmodifiableList(names); }

    /** Every parameter, in storage order, named {@code <layer>/<parameter>}. */
    public List<Parameter> parameters() { return store.parameters(); }

    /** The flat storage of values and gradients, for optimizers. */
    public ParameterStore parameterStore() { return store; }

    /** Number of trainable floats. */
    public long parameterCount() { return store.count(); }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("This Sequential model was closed");
        }
    }

    /** Closes the layers and the parameter storage (not the context). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            layers.forEach(Layer::close);
            store.close();
        }
    }
}
