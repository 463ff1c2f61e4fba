package dev.clnn.graph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClEvent;
import dev.clnn.cl.ClException;
import dev.clnn.cl.ClQueue;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * A {@link Graph} compiled for one device and one batch size: every operator configured and its
 * kernels built, the weights on the device, intermediate values placed by a {@link MemoryPlan}.
 * Running only enqueues kernels.
 *
 * <p>A graph of one input and one output runs with {@link #run(float[])}; one of several inputs or
 * outputs with {@link #runAll(float[]...)} (arrays in the graph's input and output order) or
 * {@link #run(Map)} (arrays by value name).
 *
 * <p>Thread-safe: the host-array methods may be called from any number of threads. The weights are
 * on the device once; each concurrent call runs in a lane of its own (kernel objects, activation
 * buffers and a command queue), made on first need and reused, up to {@link #maxLanes()} lanes;
 * further callers wait for a free one. The device-tensor methods {@link #run(Tensor)},
 * {@link #runAll(Tensor...)} and {@link #profile} use the first lane, whose output tensors they
 * return: callers of those are serialised, and the tensors are overwritten by the next such call.
 * Close it (after the last call) to free the device memory.
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

    /** The first input's shape, {@code (batch, ...)}. */
    public Shape inputShape() { return shapes.get(graph.input()); }

    /** The first output's shape. */
    public Shape outputShape() { return shapes.get(graph.output()); }

    /** The shape of every input, in {@link Graph#inputs()} order. */
    public List<Shape> inputShapes() {
        return graph.inputNames().stream().map(shapes::get).toList();
    }

    /** The shape of every output, in {@link Graph#outputs()} order. */
    public List<Shape> outputShapes() {
        return graph.outputs().stream().map(shapes::get).toList();
    }

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
     * Runs a graph of one input and one output on {@code input} ({@link #inputShape()}) in the first
     * lane and returns the output tensor, which belongs to this executable and is overwritten by
     * the next call of this method, {@link #runAll(Tensor...)} or {@link #profile}. Returns once the
     * work is enqueued on the context's default queue; reading the result there waits for it.
     * Concurrent callers are serialised.
     *
     * @throws IllegalArgumentException when the graph has several inputs or outputs (use
     *                                  {@link #runAll(Tensor...)}), or the shape differs
     */
    public Tensor run(Tensor input) {
        requireOneInOneOut("runAll(Tensor...)");
        return runAll(input).get(0);
    }

    /**
     * Runs the graph on device tensors in the first lane: {@code inputs} are the graph's inputs in
     * {@link Graph#inputs()} order, of {@link #inputShapes()}, and are only read. Returns the
     * outputs in {@link Graph#outputs()} order, of {@link #outputShapes()}: tensors that belong to
     * this executable (or one of {@code inputs}, where an output is an input) and are overwritten
     * by the next device-tensor call. Enqueues on the context's default queue; concurrent callers
     * are serialised.
     *
     * @throws IllegalArgumentException when the number or a shape of the inputs differs
     */
    public List<Tensor> runAll(Tensor... inputs) {
        checkInputs(inputs);
        Lane lane = acquire(true);
        try {
            return List.of(lane.run(inputs, null));
        } finally {
            release(lane);
        }
    }

    /**
     * Copies {@code input} (flattened {@link #inputShape()}) to the device, runs, and reads the
     * output back, for a graph of one input and one output. Safe to call from any number of
     * threads at once.
     *
     * @throws IllegalArgumentException when the graph has several inputs or outputs (use
     *                                  {@link #runAll(float[]...)} or {@link #run(Map)}), or the
     *                                  length is not {@link #inputShape()}'s size
     */
    public float[] run(float[] input) {
        requireOneInOneOut("runAll(float[]...) or run(Map)");
        return runAll(input)[0];
    }

    /**
     * Runs one batch of a graph of any number of inputs and outputs: {@code inputs} are the
     * flattened inputs in {@link Graph#inputs()} order, each of its {@link #inputShapes()} entry,
     * and are only read; returns the flattened outputs in {@link Graph#outputs()} order, each of its
     * {@link #outputShapes()} entry. Safe to call from any number of threads at once.
     *
     * <pre>{@code
     * float[][] out = net.runAll(image, metadata);   // graph inputs (image, metadata)
     * float[] boxes = out[0], scores = out[1];       // graph outputs (boxes, scores)
     * }</pre>
     *
     * @throws IllegalArgumentException when the number of inputs or a length differs, naming the input
     */
    public float[][] runAll(float[]... inputs) {
        checkLengths(inputs);
        List<Shape> outShapes = outputShapes();
        float[][] out = new float[outShapes.size()][];
        Lane lane = acquire(false);
        try (ClQueue.Binding b = lane.bind()) {
            Tensor[] xs = new Tensor[inputs.length];
            boolean others = othersInFlight();
            for (int k = 0; k < xs.length; k++) {
                lane.upload(k, inputs[k], 0, inputs[k].length, others);
                xs[k] = lane.input(k);
            }
            Tensor[] ys = lane.run(xs, null);
            for (int k = 0; k < ys.length; k++) {
                out[k] = new float[outShapes.get(k).sizeAsInt()];
                lane.download(ys[k], out[k], 0, out[k].length, others);
            }
        } finally {
            release(lane);
        }
        return out;
    }

    /**
     * {@link #runAll(float[]...)} by name: {@code inputs} maps every graph input's value name to
     * its flattened batch; returns every output's value name mapped to its flattened batch, in
     * {@link Graph#outputs()} order. Safe to call from any number of threads at once.
     *
     * @throws IllegalArgumentException when an input is missing or a name is not a graph input
     */
    public Map<String, float[]> run(Map<String, float[]> inputs) {
        float[][] out = runAll(byName(graph, inputs));
        Map<String, float[]> named = new LinkedHashMap<>();
        for (int k = 0; k < out.length; k++) {
            named.put(graph.outputs().get(k), out[k]);
        }
        return named;
    }

    /**
     * The arrays of {@code inputs} in {@link Graph#inputs()} order, checked: every graph input is
     * there and nothing else.
     */
    static float[][] byName(Graph graph, Map<String, float[]> inputs) {
        if (inputs == null) {
            throw new IllegalArgumentException(graph.name() + " takes inputs " + graph.inputNames() + ", got none");
        }
        List<String> names = graph.inputNames();
        for (String k : inputs.keySet()) {
            if (!names.contains(k)) {
                throw new IllegalArgumentException(graph.name() + " has no input named " + k + "; its inputs are "
                        + names);
            }
        }
        float[][] ordered = new float[names.size()][];
        for (int k = 0; k < ordered.length; k++) {
            ordered[k] = inputs.get(names.get(k));
            if (ordered[k] == null) {
                throw new IllegalArgumentException(graph.name() + " takes inputs " + names + "; input " + names.get(k)
                        + " is missing");
            }
        }
        return ordered;
    }

    /**
     * Like {@link #run(float[])} for a batch that is part of larger arrays: reads
     * {@link #inputShape()}'s floats of {@code input} from {@code inOffset} and writes the output
     * into {@code output} from {@code outOffset}, without copying either slice on the host. For a
     * graph of one input and one output. Safe to call from any number of threads at once.
     */
    public void run(float[] input, int inOffset, float[] output, int outOffset) {
        requireOneInOneOut("runAll(float[]...)");
        int in = inputShape().sizeAsInt();
        int out = outputShape().sizeAsInt();
        if (inOffset < 0 || (long) inOffset + in > input.length || outOffset < 0 || (long) outOffset + out > output.length) {
            throw new IllegalArgumentException(graph.name() + " reads " + in + " floats from offset " + inOffset
                    + " of " + input.length + " and writes " + out + " from offset " + outOffset + " of " + output.length);
        }
        Lane lane = acquire(false);
        try (ClQueue.Binding b = lane.bind()) {
            boolean others = othersInFlight();
            lane.upload(0, input, inOffset, in, others);
            lane.download(lane.run(new Tensor[] {lane.input(0)}, null)[0], output, outOffset, out, others);
        } finally {
            release(lane);
        }
    }

    /**
     * Device time of one run per node, from profiling events (in the first lane); finishes the
     * queue. {@code inputs} as for {@link #runAll(Tensor...)}.
     */
    public List<LayerTime> profile(Tensor... inputs) {
        checkInputs(inputs);
        List<LayerTime> times = new ArrayList<>();
        Lane lane = acquire(true);
        try {
            lane.run(inputs, times);
        } finally {
            release(lane);
        }
        return times;
    }

    private void requireOneInOneOut(String instead) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new IllegalArgumentException(graph.name() + " takes " + describe("input", graph.inputNames(),
                    inputShapes()) + " and returns " + describe("output", graph.outputs(), outputShapes()) + "; use "
                    + instead);
        }
    }

    /** {@code 2 inputs (a (2, 8, 8, 3), b (2, 5))}. */
    private static String describe(String what, List<String> names, List<Shape> shapes) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < names.size(); k++) {
            sb.append(k == 0 ? "" : ", ").append(names.get(k)).append(' ').append(shapes.get(k));
        }
        return names.size() + " " + what + (names.size() == 1 ? "" : "s") + " (" + sb + ")";
    }

    /** Rejects a call with another number of inputs than the graph takes. */
    private void checkCount(int given) {
        int want = graph.inputs().size();
        if (given != want) {
            throw new IllegalArgumentException(graph.name() + " takes " + want + " input" + (want == 1 ? "" : "s")
                    + " (" + String.join(", ", graph.inputNames()) + "), got " + given);
        }
    }

    private void checkLengths(float[][] inputs) {
        List<Shape> want = inputShapes();
        checkCount(inputs == null ? 0 : inputs.length);
        for (int k = 0; k < inputs.length; k++) {
            Shape s = want.get(k);
            if (inputs[k] == null || inputs[k].length != s.size()) {
                throw new IllegalArgumentException(graph.name() + " takes "
                        + (want.size() == 1 ? "" : "input " + graph.inputs().get(k).name() + " of ") + s + " = "
                        + s.size() + " floats per batch of " + batch + ", got "
                        + (inputs[k] == null ? "none" : inputs[k].length));
            }
        }
    }

    private void checkInputs(Tensor[] inputs) {
        List<Shape> want = inputShapes();
        checkCount(inputs == null ? 0 : inputs.length);
        for (int k = 0; k < inputs.length; k++) {
            if (inputs[k] == null) {
                throw new IllegalArgumentException(graph.name() + ": input " + graph.inputs().get(k).name()
                        + " is null");
            }
            Shape s = inputs[k].shape();
            if (!s.equals(want.get(k))) {
                throw new IllegalArgumentException(graph.name() + " was compiled for input "
                        + (want.size() == 1 ? "" : graph.inputs().get(k).name() + " ") + want.get(k) + ", got " + s + (s.rank() > 0 && s.dim(0) != batch ? "; compile it for batch "
                        + s.dim(0) : ""));
            }
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

    /** Whether calls besides the caller's hold lanes now (lanes copy through pinned memory then, {@link Lane#upload}). */
    private synchronized boolean othersInFlight() {
        int busy = (firstBusy ? 1 : 0) + (lanes.size() - 1 - idle.size()) + reserved;
        return busy > 1;
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

    /**
     * Device time of one node in a profiled run: {@code kernels} launches in all, and {@code parts} their
     * time by kernel name, in order of first launch.
     */
    public record LayerTime(Node node, Shape output, double flops, long nanos, int kernels, List<KernelTime> parts) {
        public LayerTime {
            parts = List.copyOf(parts);
        }
    }

    /** The device time of one kernel's {@code launches} within a layer. */
    public record KernelTime(String kernel, int launches, long nanos) {
        /** The events' device time summed by kernel name, in order of first launch. */
        public static List<KernelTime> byKernel(List<ClEvent> events) {
            Map<String, long[]> sums = new LinkedHashMap<>();
            for (ClEvent e : events) {
                long[] s = sums.computeIfAbsent(e.label(), k -> new long[2]);
                s[0]++;
                s[1] += e.durationNanos();
            }
            List<KernelTime> out = new ArrayList<>();
            sums.forEach((k, s) -> out.add(new KernelTime(k, (int) s[0], s[1])));
            return out;
        }
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
