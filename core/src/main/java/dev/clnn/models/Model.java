package dev.clnn.models;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;
import dev.clnn.graph.Executable;
import dev.clnn.graph.Graph;
import dev.clnn.graph.Passes;
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

    /** Compiles on the default device ({@link Devices#defaultDevice()}). */
    public static Model compile(Graph graph, int batch) {
        return compile(graph, Devices.defaultDevice(), batch);
    }

    /** Compiles into an existing context, which the caller keeps owning. */
    public static Model compile(Graph graph, ClContext cl, int batch) {
        return new Model(cl, false, Executable.compile(cl, Passes.optimize(graph), batch));
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

    /** Runs one batch already on the device; the result is overwritten by the next call. */
    public Tensor predict(Tensor input) {
        return executable.run(input);
    }

    @Override
    public void close() {
        executable.close();
        if (ownsContext) {
            cl.close();
        }
    }
}
