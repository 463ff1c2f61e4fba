package dev.clnn.models;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;
import dev.clnn.graph.Executable;
import dev.clnn.graph.Graph;
import dev.clnn.graph.Passes;
import dev.clnn.nn.Sequential;
import dev.clnn.tensor.DType;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * A network ready to run on one device: the graph optimised (BatchNorm folded, activations and
 * residual adds fused) and compiled for a batch size. The short path from a Java application:
 *
 * <pre>{@code
 * Graph net = MobileNetV1.build(new RandomWeights(42));          // or loaded weights
 * try (Model model = Model.compile(net, Devices.selectOne("gpu"), 1)) {
 *     float[] probabilities = model.predict(image);              // (1, 224, 224, 3) NHWC -> (1, 1000)
 * }
 * }</pre>
 *
 * <p>A network of several inputs or outputs (an imported ONNX model with two images in, or two
 * heads out) runs with {@link #predictAll(float[]...)}, arrays in {@link #inputNames()} and
 * {@link #outputNames()} order, or {@link #predict(Map)}, arrays by name:
 *
 * <pre>{@code
 * try (Model model = OnnxImport.load(file).compile(device, 1)) {    // inputs "left", "right"
 *     Map<String, float[]> out = model.predict(Map.of("left", l, "right", r));
 *     float[] depth = out.get("depth");
 * }
 * }</pre>
 *
 * <p>Thread-safe: the {@code predict} methods on host arrays may be called from any number of
 * threads at once, as from a service's request threads. The weights are on the device once; each concurrent call gets
 * its own execution state (kernel objects, activation buffers and command queue), made on first
 * need and reused, at most {@link #maxConcurrency()} of them (further callers wait). Results do
 * not depend on how many threads call. Close the model after the last call.
 */
public final class Model implements AutoCloseable {
    private final ClContext cl;
    private final boolean ownsContext;
    private final Executable executable;
    private volatile List<String> inputNames;
    private volatile List<String> outputNames;

    private Model(ClContext cl, boolean ownsContext, Executable executable) {
        this.cl = cl;
        this.ownsContext = ownsContext;
        this.executable = executable;
        this.inputNames = executable.graph().inputNames();
        this.outputNames = executable.graph().outputs();
    }

    /** Compiles {@code graph} for {@code batch} examples per call on {@code device} (its own context). */
    public static Model compile(Graph graph, ClDevice device, int batch) {
        return compile(graph, device, batch, DType.FLOAT32);
    }

    /**
     * Compiles for {@code batch} examples per call on {@code device} (its own context), with the
     * activations stored as {@code storage}: {@link DType#FLOAT32}, or {@link DType#FLOAT16}, where every
     * convolution keeps its input, output and residual as half-precision floats and computes in fp32
     * ({@link Passes#storeHalf}; so do the weights the matrix products read from packed panels):
     * half the memory traffic and activation memory, at the cost of
     * rounding each stored value to 11 significant bits ({@code clnn bench --precision fp16} measures
     * what that changes). Inputs and outputs stay fp32.
     */
    public static Model compile(Graph graph, ClDevice device, int batch, DType storage) {
        ClContext cl = ClContext.create(device);
        try {
            return new Model(cl, true, Executable.compile(cl, lower(graph, cl, storage), batch));
        } catch (RuntimeException e) {
            cl.close();
            throw e;
        }
    }

    /** The graph as it is compiled for {@code cl}'s device with activations stored as {@code storage}. */
    private static Graph lower(Graph graph, ClContext cl, DType storage) {
        Graph optimized = Passes.optimize(graph, cl.device());
        return storage == DType.FLOAT16 ? Passes.storeHalf(optimized) : optimized;
    }

    /** A model over an executable compiled in {@code cl}, which the caller keeps owning. */
    static Model of(ClContext cl, Executable executable) {
        return new Model(cl, false, executable);
    }

    /** Compiles on the default device ({@link Devices#defaultDevice()}). */
    public static Model compile(Graph graph, int batch) {
        return compile(graph, Devices.defaultDevice(), batch);
    }

    /** Compiles into an existing context, which the caller keeps owning. */
    public static Model compile(Graph graph, ClContext cl, int batch) {
        return compile(graph, cl, batch, DType.FLOAT32);
    }

    /** Compiles into an existing context, with the activations stored as {@code storage} (see above). */
    public static Model compile(Graph graph, ClContext cl, int batch, DType storage) {
        return new Model(cl, false, Executable.compile(cl, lower(graph, cl, storage), batch));
    }

    /**
     * Compiles a trained (or any) {@link Sequential} for inference with its current weights, in
     * its context: the same layers, with bias and activation fused into the kernels. Later training
     * does not change the compiled model; compile again to pick up new weights.
     */
    public static Model compile(Sequential trained, int batch) {
        return compile(SequentialGraph.of(trained, "sequential"), trained.context(), batch);
    }

    /** {@code (batch, ...)}: what {@link #predict(float[])} takes (the first input's shape). */
    public Shape inputShape() { return executable.inputShape(); }

    /** The first output's shape. */
    public Shape outputShape() { return executable.outputShape(); }

    /** Every input's shape {@code (batch, ...)}, in {@link #inputNames()} order. */
    public List<Shape> inputShapes() { return executable.inputShapes(); }

    /** Every output's shape, in {@link #outputNames()} order. */
    public List<Shape> outputShapes() { return executable.outputShapes(); }

    /**
     * The names of the inputs, in the order {@link #predictAll(float[]...)} takes them: the graph's
     * value names, or those set with {@link #names} (an imported ONNX model's own).
     */
    public List<String> inputNames() { return inputNames; }

    /** The names of the outputs, in the order {@link #predictAll(float[]...)} returns them. */
    public List<String> outputNames() { return outputNames; }

    /**
     * Names the inputs and outputs for {@link #predict(Map)} and {@link #inputNames()} /
     * {@link #outputNames()} (by default the graph's value names), e.g. as the ONNX file that the
     * graph was imported from names them. Returns this model.
     *
     * @throws IllegalArgumentException when the counts differ from the graph's or a name repeats
     */
    public Model names(List<String> inputs, List<String> outputs) {
        Graph g = executable.graph();
        if (inputs == null || outputs == null || inputs.size() != g.inputs().size() || outputs.size() != g.outputs().size()
                || new HashSet<>(inputs).size() != inputs.size() || new HashSet<>(outputs).size() != outputs.size()
                || inputs.stream().anyMatch(java.util.Objects::isNull)
                || outputs.stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException(g.name() + " has " + g.inputs().size() + " inputs and "
                    + g.outputs().size() + " outputs; got the distinct names " + inputs + " and " + outputs);
        }
        this.inputNames = List.copyOf(inputs);
        this.outputNames = List.copyOf(outputs);
        return this;
    }

    public ClContext context() { return cl; }

    public Executable executable() { return executable; }

    /**
     * Runs one batch of a network of one input and one output: {@code input} is the flattened
     * {@link #inputShape()} (NHWC for images); returns the flattened {@link #outputShape()}.
     *
     * @throws IllegalArgumentException when the network has several inputs or outputs (use
     *                                  {@link #predictAll(float[]...)} or {@link #predict(Map)}),
     *                                  or the length differs
     */
    public float[] predict(float[] input) {
        return executable.run(input);
    }

    /**
     * Runs one batch of a network of any number of inputs and outputs: {@code inputs} are the
     * flattened {@link #inputShapes()}, in {@link #inputNames()} order, and are only read; returns
     * the flattened {@link #outputShapes()} in {@link #outputNames()} order. Thread-safe.
     *
     * @throws IllegalArgumentException when the number of inputs or a length differs, naming the input
     */
    public float[][] predictAll(float[]... inputs) {
        return executable.runAll(inputs);
    }

    /**
     * {@link #predictAll(float[]...)} by name: every name of {@link #inputNames()} mapped to its
     * flattened batch in; every name of {@link #outputNames()} mapped to its flattened batch out,
     * in that order. Thread-safe.
     *
     * @throws IllegalArgumentException when an input is missing or a name is not one of the inputs
     */
    public Map<String, float[]> predict(Map<String, float[]> inputs) {
        List<String> in = inputNames;
        List<String> out = outputNames;
        if (inputs == null) {
            throw new IllegalArgumentException(executable.graph().name() + " takes inputs " + in + ", got none");
        }
        for (String k : inputs.keySet()) {
            if (!in.contains(k)) {
                throw new IllegalArgumentException(executable.graph().name() + " has no input named '" + k
                        + "'; its inputs are " + in);
            }
        }
        float[][] ordered = new float[in.size()][];
        for (int k = 0; k < ordered.length; k++) {
            ordered[k] = inputs.get(in.get(k));
            if (ordered[k] == null) {
                throw new IllegalArgumentException(executable.graph().name() + " takes inputs " + in + "; '"
                        + in.get(k) + "' is missing");
            }
        }
        float[][] results = executable.runAll(ordered);
        Map<String, float[]> named = new LinkedHashMap<>();
        for (int k = 0; k < results.length; k++) {
            named.put(out.get(k), results[k]);
        }
        return named;
    }

    /**
     * Runs one batch that is a slice of larger arrays: {@link #inputShape()}'s floats of
     * {@code input} from {@code inOffset} in, {@link #outputShape()}'s floats into {@code output}
     * from {@code outOffset}; no host copy of either slice. Thread-safe like {@link #predict(float[])}.
     */
    public void predict(float[] input, int inOffset, float[] output, int outOffset) {
        executable.run(input, inOffset, output, outOffset);
    }

    /**
     * Runs one batch already on the device (in this model's context) and returns the output
     * tensor, which the model owns and the next call of this method overwrites. For one thread
     * driving the device (benchmarks, pipelines); concurrent callers of this method are
     * serialised. Use {@link #predict(float[])} from several threads.
     */
    public Tensor predict(Tensor input) {
        return executable.run(input);
    }

    /**
     * Like {@link #predict(Tensor)} for a network of any number of inputs and outputs: device
     * tensors in {@link #inputNames()} order in, the model's output tensors in {@link #outputNames()}
     * order out (overwritten by the next call of a device-tensor method).
     */
    public List<Tensor> predictAll(Tensor... inputs) {
        return executable.runAll(inputs);
    }

    /** The most {@link #predict(float[])} calls that run at once (default {@value Executable#DEFAULT_MAX_LANES}). */
    public int maxConcurrency() {
        return executable.maxLanes();
    }

    /**
     * Sets how many {@link #predict(float[])} calls run at once; each costs one batch of
     * activations on the device. Returns this model.
     */
    public Model maxConcurrency(int calls) {
        executable.maxLanes(calls);
        return this;
    }

    @Override
    public void close() {
        executable.close();
        if (ownsContext) {
            cl.close();
        }
    }
}
