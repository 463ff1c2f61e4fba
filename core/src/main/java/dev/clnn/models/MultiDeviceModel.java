package dev.clnn.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Graph;
import dev.clnn.tensor.Shape;

/**
 * One network on several devices at once: each batch is split across the devices in proportion to
 * their speed, the parts run concurrently (a thread per device) and the results are gathered in
 * order, so the output equals one device's within floating-point tolerance.
 *
 * <pre>{@code
 * Graph net = MobileNetV1.build(new RandomWeights(42));
 * try (MultiDeviceModel model = MultiDeviceModel.compile(net, Devices.select("gpu,cpu"), 64)) {
 *     System.out.println(model.describe());                 // the shares, and any device left out
 *     float[] probabilities = model.predict(images);        // (64, 224, 224, 3) NHWC -> (64, 1000)
 * }
 * }</pre>
 *
 * <p>Each listed device (the same device may be listed twice) gets a context of its own and a
 * {@link Model} compiled for its share of the batch. Compiling times a few one-example runs on each
 * device alone for the first shares; every call then times each device's part and re-balances
 * from a moving average of these times (see {@link DeviceSpeed}; a model's first run, which includes
 * the driver's lazy kernel builds, is not counted, and a split is kept for {@value #SETTLE_CALLS}
 * calls before it may change again), with a fixed cost per call and a
 * cost per example per device. A new split is taken only when it is predicted to be at least
 * {@value #REBALANCE_GAIN_PERCENT} % faster; a device's model is compiled again only when its share
 * changes, and the last {@value #CACHED_PER_DEVICE} sizes per device are kept. A device that would
 * slow the whole down (its share rounds to 0 examples, or its fixed cost alone is longer than the
 * batch on the others) gets no share and runs nothing; {@link #shares()} says which and why. A
 * device left out is not timed again, so it stays out.
 *
 * <p>Calls of {@link #predict} are serialised (each one already keeps every device busy). Close the
 * model after the last call: it closes every compiled model, context and thread it made.
 */
public final class MultiDeviceModel implements AutoCloseable {
    /** Timed one-example runs per device at compile (after one untimed run). */
    static final int CALIBRATION_RUNS = 3;
    static final int REBALANCE_GAIN_PERCENT = 5;
    static final int CACHED_PER_DEVICE = 3;
    /** Calls timed under a split before it may change again: lets the moving averages settle. */
    static final int SETTLE_CALLS = 3;

    /**
     * One listed device's part: {@code examples} of each batch (0 when left out, {@code dropped}
     * then says why), its estimated speed at that share and its fixed cost per call.
     */
    public record Share(int slot, ClDevice device, int examples, double examplesPerSecond, double overheadSeconds,
                        String dropped) {
        public boolean used() { return examples > 0; }
    }

    private final Graph graph;
    private final int batch;
    private final List<ClDevice> devices;
    private final long inPerExample;
    private final long outPerExample;
    private final List<ClContext> contexts = new ArrayList<>();
    private final List<Map<Integer, Model>> models = new ArrayList<>();
    private final DeviceSpeed[] speeds;
    private final ExecutorService pool;
    private final AtomicInteger compiled = new AtomicInteger();
    /** Models that have run once (their lazy kernel builds done). */
    private final Set<Model> warmed = ConcurrentHashMap.newKeySet();
    // guarded by this
    private int[] shares;
    private boolean rebalancing;
    private long calls;
    private int rebalances;
    private int sinceChange;
    private boolean closed;

    private MultiDeviceModel(Graph graph, List<ClDevice> devices, int batch, DeviceSpeed[] speeds) {
        this.graph = graph;
        this.batch = batch;
        this.devices = List.copyOf(devices);
        this.speeds = speeds;
        this.inPerExample = graph.inputShape(1).size();
        this.outPerExample = graph.shapes(1).get(graph.output()).size();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(devices.size(), r -> {
            Thread t = new Thread(r, "clnn-multi-device-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Compiles {@code graph} once per device (each in its own context) for batches of {@code batch}
     * examples, timing each device to choose the first shares; re-balances during use.
     *
     * @throws IllegalArgumentException when {@code devices} is empty, {@code batch < 1}, or the graph
     *                                  has several inputs or outputs
     */
    public static MultiDeviceModel compile(Graph graph, List<ClDevice> devices, int batch) {
        check(graph, devices, batch);
        DeviceSpeed[] speeds = new DeviceSpeed[devices.size()];
        Arrays.setAll(speeds, i -> DeviceSpeed.measured());
        return build(graph, devices, batch, speeds, true);
    }

    /**
     * Compiles with given speeds instead of measured ones ({@code examplesPerSecond[i]} for
     * {@code devices.get(i)}, no fixed cost): shares follow them and stay fixed unless
     * {@link #rebalancing(boolean)} turns re-balancing on.
     *
     * @throws IllegalArgumentException also when a speed is missing, not finite or not positive
     */
    public static MultiDeviceModel compile(Graph graph, List<ClDevice> devices, int batch,
                                           double[] examplesPerSecond) {
        check(graph, devices, batch);
        if (examplesPerSecond.length != devices.size()) {
            throw new IllegalArgumentException(examplesPerSecond.length + " speeds for " + devices.size()
                    + " devices; give one per device");
        }
        DeviceSpeed[] speeds = new DeviceSpeed[devices.size()];
        for (int i = 0; i < speeds.length; i++) {
            double s = examplesPerSecond[i];
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new IllegalArgumentException("The speed of device " + i + " (" + devices.get(i).name()
                        + ") is " + s + " examples/s; speeds must be positive and finite");
            }
            speeds[i] = DeviceSpeed.fixed(s);
        }
        return build(graph, devices, batch, speeds, false);
    }

    private static void check(Graph graph, List<ClDevice> devices, int batch) {
        if (graph == null) {
            throw new IllegalArgumentException("No graph given");
        }
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new IllegalArgumentException(graph.name() + " has inputs " + graph.inputNames() + " and outputs "
                    + graph.outputs() + "; MultiDeviceModel splits networks of one input and one output (run one of"
                    + " several with a Model per device)");
        }
        if (devices == null || devices.isEmpty()) {
            throw new IllegalArgumentException("No devices given: list at least one device to run " + graph.name()
                    + " on");
        }
        if (devices.stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("The device list has a null entry: " + devices);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("The batch size must be at least 1, not " + batch);
        }
    }

    private static MultiDeviceModel build(Graph graph, List<ClDevice> devices, int batch, DeviceSpeed[] speeds,
                                          boolean measure) {
        MultiDeviceModel m = new MultiDeviceModel(graph, devices, batch, speeds);
        try {
            for (ClDevice d : devices) {
                m.contexts.add(ClContext.create(d));
                m.models.add(new LinkedHashMap<>(4, 0.75f, true));
            }
            synchronized (m) {
                if (measure) {
                    m.calibrate();
                }
                m.rebalancing = measure;
                m.shares = m.plan();
                m.prepare();
            }
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Times one example on each device alone (after one untimed run): the median of a few runs. */
    private void calibrate() {
        int[] ones = new int[devices.size()];
        Arrays.fill(ones, 1);
        forEachSlot(ones, slot -> {
            model(slot, 1, 1);
            return 0.0;
        });
        float[] one = new float[(int) inPerExample];
        for (int slot = 0; slot < devices.size(); slot++) {
            Model m = model(slot, 1, 1);
            m.predict(one);
            warmed.add(m);
            double[] t = new double[CALIBRATION_RUNS];
            for (int r = 0; r < t.length; r++) {
                long t0 = System.nanoTime();
                m.predict(one);
                t[r] = (System.nanoTime() - t0) / 1e9;
            }
            Arrays.sort(t);
            speeds[slot].observe(1, t[t.length / 2]);
        }
    }

    /** Compiles the models of the current shares and runs each once, all devices at once. */
    private void prepare() {
        int[] plan = shares.clone();
        forEachSlot(plan, slot -> {
            Model m = model(slot, plan[slot], plan[slot]);
            if (warmed.add(m)) {
                m.predict(new float[(int) (plan[slot] * inPerExample)]);
            }
            return 0.0;
        });
    }

    /** The split the current estimates give. */
    private int[] plan() {
        double[] o = new double[speeds.length];
        double[] c = new double[speeds.length];
        for (int i = 0; i < speeds.length; i++) {
            o[i] = speeds[i].overhead();
            c[i] = speeds[i].perExample();
        }
        return SharePlan.split(o, c, batch);
    }

    /**
     * Runs one batch: {@code input} is the flattened {@link #inputShape()} (NHWC for images) and is
     * only read; returns the flattened {@link #outputShape()}, example {@code i} where it was in the
     * input.
     *
     * @throws IllegalArgumentException when {@code input} is not one batch long
     */
    public synchronized float[] predict(float[] input) {
        ensureOpen();
        if (input == null || input.length != batch * inPerExample) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "The input has %s floats; %s expects a "
                    + "batch of %d examples of %s, %d floats (flattened %s)", input == null ? "no" : input.length,
                    graph.name(), batch, graph.exampleShape(), batch * inPerExample, inputShape()));
        }
        int[] plan = shares.clone();
        int[] offsets = new int[plan.length];
        for (int i = 1; i < plan.length; i++) {
            offsets[i] = offsets[i - 1] + plan[i - 1];
        }
        float[] output = new float[(int) (batch * outPerExample)];
        double[] seconds = forEachSlot(plan, slot -> {
            int from = offsets[slot];
            int n = plan[slot];
            Model m = model(slot, n, n);
            boolean fresh = warmed.add(m);
            long t0 = System.nanoTime();
            m.predict(input, (int) (from * inPerExample), output, (int) (from * outPerExample));
            double s = (System.nanoTime() - t0) / 1e9;
            // NOTE: a model's first run includes the driver's lazy kernel builds (PoCL compiles per
            // launch size on first use, seconds on a CPU): not a speed, so not observed
            return fresh ? Double.NaN : s;
        });
        for (int slot = 0; slot < plan.length; slot++) {
            if (plan[slot] > 0) {
                speeds[slot].observe(plan[slot], seconds[slot]);
            }
        }
        calls++;
        sinceChange++;
        if (rebalancing && sinceChange >= SETTLE_CALLS) {
            rebalance();
        }
        return output;
    }

    /** Takes the split the estimates give when it is predicted to be clearly faster. */
    synchronized void rebalance() {
        double[] o = new double[speeds.length];
        double[] c = new double[speeds.length];
        for (int i = 0; i < speeds.length; i++) {
            o[i] = speeds[i].overhead();
            c[i] = speeds[i].perExample();
        }
        int[] next = SharePlan.split(o, c, batch);
        if (!Arrays.equals(next, shares) && SharePlan.seconds(o, c, next)
                < (1 - REBALANCE_GAIN_PERCENT / 100.0) * SharePlan.seconds(o, c, shares)) {
            shares = next;
            rebalances++;
            sinceChange = 0;
        }
    }

    /** Feeds an observed time to device {@code slot}'s estimate, as a call would (for tests). */
    synchronized void observe(int slot, int examples, double seconds) {
        speeds[slot].observe(examples, seconds);
    }

    /** The cached model of {@code slot} for {@code n} examples, compiled on first need. */
    private Model model(int slot, int n, int keep) {
        Map<Integer, Model> cache = models.get(slot);
        synchronized (cache) {
            Model m = cache.get(n);
            if (m != null) {
                return m;
            }
            m = Model.compile(graph, contexts.get(slot), n);
            cache.put(n, m);
            compiled.incrementAndGet();
            var it = cache.entrySet().iterator();
            while (cache.size() > CACHED_PER_DEVICE && it.hasNext()) {
                var e = it.next();      // least recently used first
                if (e.getKey() != keep) {
                    warmed.remove(e.getValue());
                    e.getValue().close();
                    it.remove();
                }
            }
            return m;
        }
    }

    private interface SlotTask {
        double run(int slot);
    }

    /**
     * Runs {@code task} for every slot with a positive share, one thread per device, and waits for
     * all of them; rethrows the first failure after every task has ended.
     */
    private double[] forEachSlot(int[] plan, SlotTask task) {
        List<Future<Double>> futures = new ArrayList<>();
        for (int slot = 0; slot < plan.length; slot++) {
            final int s = slot;
            Callable<Double> c = () -> task.run(s);
            futures.add(plan[slot] > 0 ? pool.submit(c) : null);
        }
        double[] seconds = new double[plan.length];
        RuntimeException failure = null;
        for (int slot = 0; slot < plan.length; slot++) {
            Future<Double> f = futures.get(slot);
            if (f == null) {
                continue;
            }
            try {
                seconds[slot] = f.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                RuntimeException r = cause instanceof RuntimeException re ? re
                        : new IllegalStateException("Device " + slot + " (" + devices.get(slot).name() + ") failed",
                        cause);
                if (failure == null) {
                    failure = r;
                } else {
                    failure.addSuppressed(r);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(x -> {
                    if (x != null) {
                        x.cancel(false);
                    }
                });
                throw new IllegalStateException("Interrupted while waiting for the devices", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return seconds;
    }

    /** Every listed device's share, in list order; the used ones add up to {@link #batch()}. */
    public synchronized List<Share> shares() {
        double[] o = new double[speeds.length];
        double[] c = new double[speeds.length];
        for (int i = 0; i < speeds.length; i++) {
            o[i] = speeds[i].overhead();
            c[i] = speeds[i].perExample();
        }
        double total = SharePlan.seconds(o, c, shares);
        List<Share> out = new ArrayList<>();
        for (int i = 0; i < shares.length; i++) {
            String why = shares[i] > 0 ? null : whyDropped(o[i], c[i], total);
            out.add(new Share(i, devices.get(i), shares[i], speeds[i].examplesPerSecond(shares[i]), o[i], why));
        }
        return out;
    }

    private static String whyDropped(double overhead, double perExample, double total) {
        if (overhead > 0 && overhead >= total) {
            return String.format(Locale.ROOT, "its fixed cost per call (%.3f ms) alone is longer than the whole batch "
                    + "on the other devices (%.3f ms)", overhead * 1e3, total * 1e3);
        }
        if (overhead + perExample < total) {
            return String.format(Locale.ROOT, "its share would shorten the call by less than %.0f %% (one example "
                    + "takes %.3f ms there, the whole batch %.3f ms on the other devices), too little to pay for the "
                    + "host time a busy device takes from the others", SharePlan.MIN_GAIN * 100,
                    (overhead + perExample) * 1e3, total * 1e3);
        }
        return String.format(Locale.ROOT, "its share rounds to 0 examples: one example takes %.3f ms there, the "
                + "whole batch %.3f ms on the other devices", (overhead + perExample) * 1e3, total * 1e3);
    }

    /** A few lines for people: the batch, then each device's share and speed, or why it has none. */
    public synchronized String describe() {
        List<Share> all = shares();
        long used = all.stream().filter(Share::used).count();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s, batch %d split over %d of %d device%s",
                graph.name(), batch, used, all.size(), all.size() == 1 ? "" : "s"));
        for (Share s : all) {
            sb.append(String.format(Locale.ROOT, "%n  %d: %s: ", s.slot(), s.device().name()));
            if (s.used()) {
                sb.append(String.format(Locale.ROOT, "%d example%s (%.1f %%), about %.1f examples/s, fixed cost "
                        + "%.3f ms per call", s.examples(), s.examples() == 1 ? "" : "s", 100.0 * s.examples() / batch,
                        s.examplesPerSecond(), s.overheadSeconds() * 1e3));
            } else {
                sb.append("no share: ").append(s.dropped());
            }
        }
        return sb.toString();
    }

    /** Turns re-balancing after each call on or off (on after measured compiles). Returns this model. */
    public synchronized MultiDeviceModel rebalancing(boolean on) {
        rebalancing = on;
        return this;
    }

    /** {@code (batch, ...)}: what {@link #predict} takes. */
    public Shape inputShape() { return graph.inputShape(batch); }

    public Shape outputShape() { return graph.shapes(batch).get(graph.output()); }

    public int batch() { return batch; }

    /** The devices as listed at compile, used or not. */
    public List<ClDevice> devices() { return devices; }

    /** Calls of {@link #predict} so far. */
    public synchronized long calls() { return calls; }

    /** Times the split changed after compile. */
    public synchronized int rebalances() { return rebalances; }

    /** Models compiled so far (one per device and share size that was needed). */
    public int compiledModels() { return compiled.get(); }

    /** The contexts this model made, one per listed device (for tests). */
    List<ClContext> contexts() { return List.copyOf(contexts); }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("This MultiDeviceModel (" + graph.name() + ") was closed");
        }
    }

    /** Closes every compiled model, context and thread; idempotent, never throws. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        pool.shutdownNow();
        for (Map<Integer, Model> cache : models) {
            synchronized (cache) {
                for (Model m : cache.values()) {
                    quietly(m::close, m);
                }
                cache.clear();
            }
        }
        warmed.clear();
        contexts.forEach(c -> quietly(c::close, c));
    }

    private static void quietly(Runnable close, Object what) {
        try {
            close.run();
        } catch (RuntimeException e) {
            System.getLogger("dev.clnn.models").log(System.Logger.Level.WARNING, "Closing " + what + " failed", e);
        }
    }
}
