package dev.clnn.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClEvent;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * A {@link Graph} compiled for one device and one batch size: every operator configured and its
 * kernels built, the weights on the device, intermediate values placed by a {@link MemoryPlan}.
 * {@link #run(Tensor)} then only enqueues kernels. Not thread-safe; close it to free the device
 * memory.
 *
 * <pre>{@code
 * try (Executable net = Executable.compile(cl, Passes.optimize(graph), 1)) {
 *     float[] probabilities = net.run(image);     // image: (1, 224, 224, 3) NHWC, flattened
 * }
 * }</pre>
 */
public final class Executable implements AutoCloseable {
    private final ClContext cl;
    private final Graph graph;
    private final int batch;
    private final Map<String, Shape> shapes;
    private final MemoryPlan plan;
    private final List<ClBuffer> slots = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private final Map<String, Tensor> values = new HashMap<>();
    private final long weightBytes;
    private boolean closed;

    private Executable(ClContext cl, Graph graph, int batch) {
        this.cl = cl;
        this.graph = graph;
        this.batch = batch;
        this.shapes = graph.shapes(batch);
        this.plan = MemoryPlan.of(graph, shapes);
        long before = cl.allocatedBytes();
        try {
            for (Node n : graph.nodes()) {
                try {
                    steps.add(Step.of(cl, n.op(), shapesOf(n)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(graph.name() + ", node " + n.name() + ": " + e.getMessage(), e);
                }
            }
            this.weightBytes = cl.allocatedBytes() - before;
            for (long floats : plan.slotFloats()) {
                slots.add(cl.buffer(floats));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        for (Node n : graph.nodes()) {
            int slot = plan.slotOf(n.output());
            if (slot >= 0) {
                Shape s = shapes.get(n.output());
                values.put(n.output(), Tensor.wrap(slots.get(slot), s, layoutOf(s)));
            }
        }
    }

    /**
     * Configures every node of {@code graph} for batches of {@code batch} on {@code cl}.
     *
     * @throws IllegalArgumentException when a shape does not fit (naming the node), or the device
     *                                  cannot hold the weights and activations of this batch size
     */
    public static Executable compile(ClContext cl, Graph graph, int batch) {
        long need = 4 * (graph.weightFloats() + MemoryPlan.of(graph, graph.shapes(batch)).totalFloats());
        if (need > cl.device().globalMemBytes()) {
            throw new IllegalArgumentException(String.format("%s at batch %d needs about %.1f MiB of device memory; %s "
                    + "has %.1f MiB. Use a smaller batch size or another device.", graph.name(), batch, need / 1048576.0,
                    cl.device().name(), cl.device().globalMemBytes() / 1048576.0));
        }
        return new Executable(cl, graph, batch);
    }

    private static Layout layoutOf(Shape s) {
        return s.rank() == 4 ? Layout.NHWC : Layout.ROW_MAJOR;
    }

    public Graph graph() { return graph; }

    public int batch() { return batch; }

    public Shape inputShape() { return shapes.get(graph.input()); }

    public Shape outputShape() { return shapes.get(graph.output()); }

    public MemoryPlan plan() { return plan; }

    /** Device bytes of weights and operator scratch (packed weights). */
    public long weightBytes() { return weightBytes; }

    /** Device bytes of the activation slots. */
    public long activationBytes() { return 4 * plan.totalFloats(); }

    /**
     * Runs the graph on {@code input} ({@link #inputShape()}) and returns the output tensor, which
     * belongs to this executable and is overwritten by the next run. Returns once the work is
     * enqueued; reading the result waits for it.
     */
    public Tensor run(Tensor input) {
        return run(input, null);
    }

    /** Copies {@code input} (flattened {@link #inputShape()}) to the device, runs, and reads the output back. */
    public float[] run(float[] input) {
        if (input.length != inputShape().size()) {
            throw new IllegalArgumentException(graph.name() + " takes " + inputShape() + " = " + inputShape().size()
                    + " floats per batch of " + batch + ", got " + input.length);
        }
        try (Tensor x = Tensor.of(cl, inputShape(), layoutOf(inputShape()), input)) {
            return run(x).toArray();
        }
    }

    /** Device time of one run per node, from profiling events; finishes the queue. */
    public List<LayerTime> profile(Tensor input) {
        List<LayerTime> times = new ArrayList<>();
        run(input, times);
        return times;
    }

    private Tensor run(Tensor input, List<LayerTime> times) {
        if (closed) {
            throw new IllegalStateException("This executable of " + graph.name() + " was closed");
        }
        if (!input.shape().equals(inputShape())) {
            throw new IllegalArgumentException(graph.name() + " was compiled for input " + inputShape() + ", got "
                    + input.shape() + (input.shape().dim(0) != batch ? "; compile it for batch " + input.shape().dim(0) : ""));
        }
        Map<String, Tensor> bound = new HashMap<>(values);
        bound.put(graph.input(), input);
        List<Node> nodes = graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            Tensor[] in = new Tensor[n.inputs().size()];
            for (int k = 0; k < in.length; k++) {
                in[k] = bound.get(n.inputs().get(k));
            }
            Tensor out = bound.get(n.output());
            if (out == null) {
                // a reshape of the caller's input: a view of it
                out = in[0].reshape(shapes.get(n.output()), layoutOf(shapes.get(n.output())));
                bound.put(n.output(), out);
            }
            if (times != null) {
                cl.startRecording();
            }
            steps.get(i).run(in, out);
            if (times != null) {
                List<ClEvent> events = cl.stopRecording();
                cl.finish();
                times.add(new LayerTime(n, shapes.get(n.output()), n.op().flops(shapesOf(n), shapes.get(n.output())),
                        ClEvent.totalNanos(events), events.size()));
                events.forEach(ClEvent::close);
            }
        }
        return bound.get(graph.output());
    }

    private List<Shape> shapesOf(Node n) {
        List<Shape> out = new ArrayList<>();
        for (String v : n.inputs()) {
            out.add(shapes.get(v));
        }
        return out;
    }

    /** Device time of one node in a profiled run. */
    public record LayerTime(Node node, Shape output, double flops, long nanos, int kernels) {
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Step s : steps) {
            s.close();
        }
        for (ClBuffer b : slots) {
            b.close();
        }
    }
}
