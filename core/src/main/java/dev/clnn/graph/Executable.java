package dev.clnn.graph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClException;
import dev.clnn.cl.ClQueue;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * A {@link Graph} compiled for one device and one batch size: every operator configured and its
 * kernels built, the weights on the device, intermediate values placed by a {@link MemoryPlan}.
 * Running only enqueues kernels.
 *
 * <p>Thread-safe: {@link #run(float[])} may be called from any number of threads. The weights are
 * on the device once; each concurrent call runs in a lane of its own (kernel objects, activation
 * buffers and a command queue), made on first need and reused, up to {@link #maxLanes()} lanes;
 * further callers wait for a free one. The device-tensor methods {@link #run(Tensor)} and
 * {@link #profile} use the first lane, whose output tensor they return: callers of those are
 * serialised, and the tensor is overwritten by the next such call. Close it (after the last call)
 * to free the device memory.
 *
 * <pre>{@code
 * try (Executable net = Executable.compile(cl, Passes.optimize(graph), 1)) {
 *     float[] probabilities = net.run(image);     // image: (1, 224, 224, 3) NHWC, flattened
 * }
 * }</pre>
 */
public final class Executable implements AutoCloseable {
    /** Lanes made at most by default: enough to keep a GPU or a multi-core CPU busy. */
    public static final int DEFAULT_MAX_LANES = 4;

    private final ClContext cl;
    private final Graph graph;
    private final int batch;
    private final Map<String, Shape> shapes;
    private final MemoryPlan plan;
    private final Constants constants;
    private final Lane first;
    private final long weightBytes;
    // pool state, guarded by this
    private final Deque<Lane> idle = new ArrayDeque<>();
    private final List<Lane> lanes = new ArrayList<>();
    private int reserved;     // lanes being made outside the lock
    private int maxLanes = DEFAULT_MAX_LANES;
    private boolean firstBusy;
    private boolean closed;

    private Executable(ClContext cl, Graph graph, int batch, Constants constants) {
        this.cl = cl;
        this.graph = graph;
        this.batch = batch;
        this.shapes = graph.shapes(batch);
        this.plan = MemoryPlan.of(graph, shapes);
        this.constants = constants;
        long before = cl.allocatedBytes();
        try {
            this.first = new Lane(cl, graph, shapes, plan, constants, false);
        } catch (RuntimeException e) {
            constants.close();
            throw e;
        }
        this.weightBytes = cl.allocatedBytes() - before - 4 * plan.totalFloats();
        lanes.add(first);
    }

    /**
     * Configures every node of {@code graph} for batches of {@code batch} on {@code cl}.
     *
     * @throws IllegalArgumentException when a shape does not fit (naming the node), or the device
     *                                  cannot hold the weights and activations of this batch size
     */
    public static Executable compile(ClContext cl, Graph graph, int batch) {
        long need = deviceBytes(graph, batch);
        if (need > cl.device().globalMemBytes()) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "%s at batch %d needs about %.1f "
                    + "MiB of device memory; %s has %.1f MiB. Use a smaller batch size or another device.",
                    graph.name(), batch, need / 1048576.0, cl.device().name(),
                    cl.device().globalMemBytes() / 1048576.0));
        }
        return new Executable(cl, graph, batch, new Constants(cl));
    }

    /**
     * Like {@link #compile(ClContext, Graph, int)}, sharing the device copies of the weights with
     * {@code sibling}, an executable of the same graph in the same context at another batch size:
     * each batch size then costs its activations and packed operands only.
     *
     * @throws IllegalArgumentException when {@code sibling} is of another graph or context
     */
    public static Executable compile(ClContext cl, Graph graph, int batch, Executable sibling) {
        if (sibling.graph != graph || sibling.cl != cl) {
            throw new IllegalArgumentException("Weights are shared only between executables of the same graph object"
                    + " in the same context; " + graph.name() + " and " + sibling.graph.name() + " differ");
        }
        long need = 4 * MemoryPlan.of(graph, graph.shapes(batch)).totalFloats();  // fails on a shape first
        if (need > cl.device().globalMemBytes()) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "%s at batch %d needs about %.1f "
                    + "MiB of device memory for its activations; %s has %.1f MiB. Use a smaller batch size.",
                    graph.name(), batch, need / 1048576.0, cl.device().name(), cl.device().globalMemBytes() / 1048576.0));
        }
        return new Executable(cl, graph, batch, sibling.constants.share());     // which closes its share on failure
    }

    /**
     * About how many device bytes {@link #compile} needs for {@code graph} at {@code batch}: the
     * weights and one lane's activations (what compile checks against the device's memory first).
     */
    public static long deviceBytes(Graph graph, int batch) {
        return 4 * (graph.weightFloats() + MemoryPlan.of(graph, graph.shapes(batch)).totalFloats());
    }

    public Graph graph() { return graph; }

    public int batch() { return batch; }

    public Shape inputShape() { return shapes.get(graph.input()); }

    public Shape outputShape() { return shapes.get(graph.output()); }

    public MemoryPlan plan() { return plan; }

    /** Device bytes of weights and operator scratch (packed weights) of the first lane. */
    public long weightBytes() { return weightBytes; }

    /** Device bytes of the activation slots of one lane. */
    public long activationBytes() { return 4 * plan.totalFloats(); }

    /** The most lanes (concurrent runs) this executable makes. */
    public synchronized int maxLanes() { return maxLanes; }

    /** Lanes made so far (one after compile). */
    public synchronized int lanes() { return lanes.size(); }

    /**
     * Sets the most lanes, i.e. runs of {@link #run(float[])} that proceed at once; further callers
     * wait. Each lane costs the activations of one batch and the operators' packed weights.
     */
    public synchronized void maxLanes(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxLanes must be at least 1, got " + max);
        }
        maxLanes = max;
        notifyAll();
    }

    /**
     * Runs the graph on {@code input} ({@link #inputShape()}) in the first lane and returns the
     * output tensor, which belongs to this executable and is overwritten by the next call of this
     * method or {@link #profile}. Returns once the work is enqueued on the context's default
     * queue; reading the result there waits for it. Concurrent callers are serialised.
     */
    public Tensor run(Tensor input) {
        checkInput(input);
        Lane lane = acquire(true);
        try {
            return lane.run(input, null);
        } finally {
            release(lane);
        }
    }

    /**
     * Copies {@code input} (flattened {@link #inputShape()}) to the device, runs, and reads the
     * output back. Safe to call from any number of threads at once.
     */
    public float[] run(float[] input) {
        if (input.length != inputShape().size()) {
            throw new IllegalArgumentException(graph.name() + " takes " + inputShape() + " = " + inputShape().size()
                    + " floats per batch of " + batch + ", got " + input.length);
        }
        float[] out = new float[outputShape().sizeAsInt()];
        run(input, 0, out, 0);
        return out;
    }

    /**
     * Like {@link #run(float[])} for a batch that is part of larger arrays: reads
     * {@link #inputShape()}'s floats of {@code input} from {@code inOffset} and writes the output
     * into {@code output} from {@code outOffset}, without copying either slice on the host.
     * Safe to call from any number of threads at once.
     */
    public void run(float[] input, int inOffset, float[] output, int outOffset) {
        int in = inputShape().sizeAsInt();
        int out = outputShape().sizeAsInt();
        if (inOffset < 0 || (long) inOffset + in > input.length || outOffset < 0 || (long) outOffset + out > output.length) {
            throw new IllegalArgumentException(graph.name() + " reads " + in + " floats from offset " + inOffset
                    + " of " + input.length + " and writes " + out + " from offset " + outOffset + " of " + output.length);
        }
        Lane lane = acquire(false);
        try (ClQueue.Binding b = lane.bind()) {
            Tensor x = lane.input(inputShape());
            x.buffer().write(input, inOffset, 0, in);
            lane.run(x, null).buffer().read(output, outOffset, 0, out);
        } finally {
            release(lane);
        }
    }

    /** Device time of one run per node, from profiling events (in the first lane); finishes the queue. */
    public List<LayerTime> profile(Tensor input) {
        checkInput(input);
        List<LayerTime> times = new ArrayList<>();
        Lane lane = acquire(true);
        try {
            lane.run(input, times);
        } finally {
            release(lane);
        }
        return times;
    }

    private void checkInput(Tensor input) {
        if (!input.shape().equals(inputShape())) {
            throw new IllegalArgumentException(graph.name() + " was compiled for input " + inputShape() + ", got "
                    + input.shape() + (input.shape().dim(0) != batch ? "; compile it for batch " + input.shape().dim(0) : ""));
        }
    }

    /** A lane for the calling thread: the first one when {@code first}, else any, made if needed. */
    private Lane acquire(boolean firstOnly) {
        synchronized (this) {
            while (true) {
                ensureOpen();
                if (!firstBusy && (firstOnly || idle.isEmpty())) {
                    firstBusy = true;
                    return first;
                }
                if (!firstOnly && !idle.isEmpty()) {
                    return idle.pop();
                }
                if (!firstOnly && lanes.size() + reserved < maxLanes && anotherLaneFits()) {
                    reserved++;
                    break;
                }
                waitForLane();
            }
        }
        return makeLane();
    }

    private Lane makeLane() {
        Lane lane = null;
        try {
            lane = new Lane(cl, graph, shapes, plan, constants, true);
            return lane;
        } catch (ClException | IllegalArgumentException e) {
            // NOTE: no device memory for another lane: run with the lanes there are
            synchronized (this) {
                reserved--;
                maxLanes = Math.max(1, lanes.size() + reserved);
            }
            return acquire(false);
        } finally {
            if (lane != null) {
                synchronized (this) {
                    reserved--;
                    lanes.add(lane);
                    if (closed) {
                        lanes.remove(lane);
                        lane.close();
                        closeIdle();
                        throw new IllegalStateException("This executable of " + graph.name() + " was closed");
                    }
                }
            }
        }
    }

    /** Whether the device has room for one more lane's activations and operator scratch. */
    private boolean anotherLaneFits() {
        return cl.allocatedBytes() + activationBytes() + weightBytes < cl.device().globalMemBytes();
    }

    private void waitForLane() {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for a free lane of " + graph.name(), e);
        }
    }

    private synchronized void release(Lane lane) {
        if (lane == first) {
            firstBusy = false;
        } else {
            idle.push(lane);
        }
        if (closed) {
            closeIdle();
        }
        notifyAll();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("This executable of " + graph.name() + " was closed");
        }
    }

    /** Device time of one node in a profiled run. */
    public record LayerTime(Node node, Shape output, double flops, long nanos, int kernels) {
    }

    /**
     * Frees the device memory. Runs in progress finish first: their lanes are released when they
     * return; later calls throw {@link IllegalStateException}.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeIdle();
        notifyAll();
    }

    private void closeIdle() {
        for (Lane l : idle) {
            l.close();
            lanes.remove(l);
        }
        idle.clear();
        if (!firstBusy && lanes.contains(first)) {
            first.close();
            lanes.remove(first);
        }
        if (lanes.isEmpty() && reserved == 0) {
            constants.close();
        }
    }
}
