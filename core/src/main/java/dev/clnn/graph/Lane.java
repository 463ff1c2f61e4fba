package dev.clnn.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClEvent;
import dev.clnn.cl.ClException;
import dev.clnn.cl.ClHostBuffer;
import dev.clnn.cl.ClQueue;
import dev.clnn.ops.Workspace;
import dev.clnn.tensor.DType;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;

/**
 * One set of execution state of an {@link Executable}: a configured {@link Step} per node (its own
 * kernel objects, whose arguments are per-object state), the activation buffers of the memory
 * plan, a buffer per graph input, and optionally a command queue of its own. One thread uses a lane
 * at a time; concurrent callers of an executable each hold a different lane.
 */
final class Lane implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.clnn.graph");

    private final ClContext cl;
    private final Graph graph;
    private final Map<String, Shape> shapes;
    private final ClQueue queue;
    private final List<Step> steps = new ArrayList<>();
    private final List<ClBuffer> slots = new ArrayList<>();
    /** Scratch the lane's operators share, one after another on its queue (the Winograd products). */
    private final Workspace workspace;
    private final Map<String, Tensor> values = new HashMap<>();
    private final Tensor[] inputs;
    private final Staging staging = Staging.fromProperty();
    /** Pinned host memory for the copies of Java arrays in and out ({@link #stages}), made on first use. */
    private ClHostBuffer pinned;
    private boolean pinFailed;
    private boolean closed;

    /**
     * Configures every node of {@code graph} for the value {@code shapes} of one batch size.
     * With {@code ownQueue} the lane runs on a new queue; otherwise on the context's default queue.
     */
    Lane(ClContext cl, Graph graph, Map<String, Shape> shapes, MemoryPlan plan, Constants constants,
         boolean ownQueue) {
        this.cl = cl;
        this.graph = graph;
        this.shapes = shapes;
        this.inputs = new Tensor[graph.inputs().size()];
        ClQueue q = null;
        this.workspace = new Workspace(cl);
        try {
            for (Node n : graph.nodes()) {
                try {
                    steps.add(StepFactory.configure(cl, constants, workspace, n.op(), shapesOf(n)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(graph.name() + ", node " + n.name() + ": " + e.getMessage(), e);
                }
            }
            for (long floats : plan.slotFloats()) {
                slots.add(cl.buffer(floats));
            }
            if (workspace.reserved() > 0) {
                workspace.buffer();     // allocated now, so that a device too small fails here, not in a run
            }
            q = ownQueue ? cl.createQueue() : null;
            // NOTE: configuring may enqueue weight packing on the default queue; a lane with its
            // own queue is not ordered after that work, so wait for it here, once.
            cl.finish();
        } catch (RuntimeException e) {
            this.queue = q;
            close();
            throw e;
        }
        this.queue = q;
        Map<String, DType> types = graph.types();
        for (Node n : graph.nodes()) {
            int slot = plan.slotOf(n.output());
            if (slot >= 0) {
                Shape s = shapes.get(n.output());
                values.put(n.output(), Tensor.wrap(slots.get(slot), s, layoutOf(s), types.get(n.output())));
            }
        }
    }

    static Layout layoutOf(Shape s) {
        return s.rank() == 4 ? Layout.NHWC : Layout.ROW_MAJOR;
    }

    /** Binds this lane's queue (if it has one) to the calling thread until the binding is closed. */
    ClQueue.Binding bind() {
        return queue == null ? () -> { } : queue.bind();
    }

    /** How a lane copies Java arrays: {@code -Dclnn.pinnedStaging=auto|on|off}, read when the lane is made. */
    enum Staging {
        AUTO, ON, OFF;

        static Staging fromProperty() {
            String mode = System.getProperty("clnn.pinnedStaging", "auto");
            return switch (mode) {
                case "auto" -> AUTO;
                case "on" -> ON;
                case "off" -> OFF;
                default -> throw new IllegalArgumentException("clnn.pinnedStaging must be auto, on or off, got '"
                        + mode + "'");
            };
        }
    }

    /**
     * Whether this call's copies go through the lane's pinned memory: always with {@code on}, never with
     * {@code off}. By default only on devices with memory of their own (discrete GPUs; on CPUs and
     * integrated GPUs it would only add a copy) and only while {@code othersInFlight}: on the H200 a copy
     * into pinned memory by the calling thread made one call at a time 20-35 % slower than the driver's
     * own copy of pageable memory, and two at a time 12-34 % faster (a call no longer waits for the
     * other's transfer).
     */
    private boolean stages(boolean othersInFlight) {
        return switch (staging) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> othersInFlight && !cl.device().unifiedMemory() && !cl.device().isCpu();
        };
    }

    /**
     * Copies {@code length} floats of {@code src} from {@code offset} into graph input {@code k}'s
     * buffer; through pinned memory where {@link #stages} says so.
     */
    void upload(int k, float[] src, int offset, int length, boolean othersInFlight) {
        Tensor x = input(k);
        ClHostBuffer s = stages(othersInFlight) ? pinned(length) : null;
        if (s != null) {
            s.upload(src, offset, length, x.buffer());
        } else {
            x.buffer().write(src, offset, 0, length);
        }
    }

    /** Reads the first {@code length} floats of {@code y} into {@code dst} from {@code offset}, like {@link #upload}. */
    void download(Tensor y, float[] dst, int offset, int length, boolean othersInFlight) {
        ClHostBuffer s = stages(othersInFlight) ? pinned(length) : null;
        if (s != null) {
            s.download(y.buffer(), dst, offset, length);
        } else {
            y.buffer().read(dst, offset, 0, length);
        }
    }

    /**
     * The lane's pinned memory, grown to at least {@code floats}, or null where the driver could not
     * pin the memory (then logged once, and copies go straight from pageable memory in this lane).
     */
    private ClHostBuffer pinned(int floats) {
        if (pinFailed) {
            return null;
        }
        if (pinned != null && pinned.floats() >= floats) {
            return pinned;
        }
        long size = Math.max(floats, pinned == null ? 0 : pinned.floats());
        for (int k = 0; k < graph.inputs().size(); k++) {
            size = Math.max(size, shapes.get(graph.inputs().get(k).name()).size());
        }
        if (pinned != null) {
            pinned.close();
            pinned = null;
        }
        try {
            pinned = cl.hostBuffer(size);
        } catch (ClException e) {
            pinFailed = true;
            LOG.log(System.Logger.Level.WARNING, "No pinned host memory of " + size * 4 + " bytes for " + graph.name()
                    + " on " + cl.device().name() + " (" + e.getMessage() + "); copying from pageable memory");
        }
        return pinned;
    }

    /** The lane's buffer for graph input {@code k}, made on first use. */
    Tensor input(int k) {
        if (inputs[k] == null) {
            Shape shape = shapes.get(graph.inputs().get(k).name());
            inputs[k] = Tensor.allocate(cl, shape, layoutOf(shape));
        }
        return inputs[k];
    }

    /**
     * Enqueues every node on the graph inputs {@code xs} (in the graph's order) and returns the
     * output tensors in the graph's order (owned by the lane, or one of {@code xs} where an output is
     * an input or a view of one); with {@code times} non-null, records each node's device time (and
     * finishes after each node).
     */
    Tensor[] run(Tensor[] xs, List<Executable.LayerTime> times) {
        Map<String, Tensor> bound = new HashMap<>(values);
        for (int k = 0; k < xs.length; k++) {
            bound.put(graph.inputs().get(k).name(), xs[k]);
        }
        List<Node> nodes = graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            Tensor[] in = new Tensor[n.inputs().size()];
            for (int k = 0; k < in.length; k++) {
                in[k] = bound.get(n.inputs().get(k));
            }
            Tensor out = bound.get(n.output());
            if (out == null) {
                // a reshape of a caller's input: a view of it
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
                times.add(new Executable.LayerTime(n, shapes.get(n.output()),
                        n.op().flops(shapesOf(n), shapes.get(n.output())), ClEvent.totalNanos(events),
                        events.size(), Executable.KernelTime.byKernel(events)));
                events.forEach(ClEvent::close);
            }
        }
        Tensor[] out = new Tensor[graph.outputs().size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = bound.get(graph.outputs().get(k));
        }
        return out;
    }

    private List<Shape> shapesOf(Node n) {
        List<Shape> out = new ArrayList<>();
        for (String v : n.inputs()) {
            out.add(shapes.get(v));
        }
        return out;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (queue != null) {
            queue.close();      // waits for the lane's work before its buffers go
        }
        for (Step s : steps) {
            s.close();
        }
        for (ClBuffer b : slots) {
            b.close();
        }
        workspace.close();
        for (Tensor t : inputs) {
            if (t != null) {
                t.close();
            }
        }
        if (pinned != null) {
            pinned.close();
        }
    }
}
