package dev.clnn.models;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;
import dev.clnn.graph.Executable;
import dev.clnn.graph.Graph;
import dev.clnn.graph.Passes;
import dev.clnn.nn.Sequential;
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
 * <p>Thread-safe: {@link #predict(float[])} may be called from any number of threads at once, as
 * from a service's request threads. The weights are on the device once; each concurrent call gets
 * its own execution state (kernel objects, activation buffers and command queue), made on first
 * need and reused, at most {@link #maxConcurrency()} of them (further callers wait). Results do
 * not depend on how many threads call. Close the model after the last call.
 */
public final class Model implements AutoCloseable {
    private final ClContext cl;
    private final boolean ownsContext;
    private final Executable executable;

    private Model(ClContext cl, boolean ownsContext, Executable executable) {
        this.cl = cl;
        this.ownsContext = ownsContext;
        this.executable = executable;
    }

    /** Compiles {@code graph} for {@code batch} examples per call on {@code device} (its own context). */
    public static Model compile(Graph graph, ClDevice device, int batch) {
        ClContext cl = ClContext.create(device);
        try {
            return new Model(cl, true, Executable.compile(cl, Passes.optimize(graph), batch));
        } catch (RuntimeException e) {
            cl.close();
            throw e;
        }
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
        return new Model(cl, false, Executable.compile(cl, Passes.optimize(graph), batch));
    }

    /**
     * Compiles a trained (or any) {@link Sequential} for inference with its current weights, in
     * its context: the same layers, with bias and activation fused into the kernels. Later training
     * does not change the compiled model; compile again to pick up new weights.
     */
    public static Model compile(Sequential trained, int batch) {
        return compile(SequentialGraph.of(trained, "sequential"), trained.context(), batch);
    }

    /** {@code (batch, ...)}: what {@link #predict} takes. */
    public Shape inputShape() { return executable.inputShape(); }

    public Shape outputShape() { return executable.outputShape(); }

    public ClContext context() { return cl; }

    public Executable executable() { return executable; }

    /**
     * Runs one batch: {@code input} is the flattened {@link #inputShape()} (NHWC for images);
     * returns the flattened {@link #outputShape()}.
     */
    public float[] predict(float[] input) {
        return executable.run(input);
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
