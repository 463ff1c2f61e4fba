package dev.clnn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Graph;
import dev.clnn.testing.TestData;

/**
 * {@link Model#predict(float[])} from many threads at once: every result bit-identical to the same
 * input run on one thread, for one shared model (with as many lanes as threads, and with fewer, so
 * callers wait), for separate models compiled concurrently in one context, and for models in
 * separate contexts. Before lanes, four threads on one model crashed PoCL or returned wrong
 * results for a few percent of calls.
 */
class ModelConcurrencyTest {
    private static final int THREADS = 4;
    private static final int CALLS = 60;
    private static final int INPUTS = 5;

    static List<ClDevice> devices() {
        return dev.clnn.testing.TestDevices.all();
    }

    /** A small MobileNet v2 (depthwise, pointwise, residual adds) and the MNIST CNN. */
    private static List<Graph> graphs() {
        return List.of(MnistCnn.build(new RandomWeights(5)),
                MobileNetV2.build(new RandomWeights(4), 0.35f, 48, 10));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void oneModelSharedByThreadsGivesSingleThreadResults(ClDevice device) throws Exception {
        for (Graph g : graphs()) {
            try (ClContext cl = ClContext.create(device)) {
                float[][] inputs = inputs(g, 1);
                float[][] expected = singleThread(cl, g, inputs);
                for (int lanes : new int[] {THREADS, 2}) {
                    try (Model shared = Model.compile(g, cl, 1).maxConcurrency(lanes)) {
                        hammer(t -> shared, inputs, expected, g.name() + " shared, " + lanes + " lanes");
                        assertTrue(shared.executable().lanes() <= lanes, "lanes made: " + shared.executable().lanes());
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void separateModelsInOneContextAndInSeparateContexts(ClDevice device) throws Exception {
        Graph g = graphs().get(1);
        float[][] inputs = inputs(g, 2);
        float[][] expected;
        try (ClContext cl = ClContext.create(device)) {
            expected = singleThread(cl, g, inputs);
            Model[] own = new Model[THREADS];
            try {
                // compiled concurrently too: programs, kernels and buffers of one context from many threads
                runAll(t -> () -> {
                    own[t] = Model.compile(g, cl, 2);
                    return null;
                });
                hammer(t -> own[t], inputs, expected, "a model per thread, one context");
            } finally {
                for (Model m : own) {
                    if (m != null) {
                        m.close();
                    }
                }
            }
        }
        Model[] apart = new Model[THREADS];
        try {
            runAll(t -> () -> {
                apart[t] = Model.compile(g, device, 2);
                return null;
            });
            hammer(t -> apart[t], inputs, expected, "a model and context per thread");
        } finally {
            for (Model m : apart) {
                if (m != null) {
                    m.close();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void closedModelRefusesLaterCalls(ClDevice device) {
        Graph g = graphs().get(0);
        float[] x = inputs(g, 1)[0];
        Model m = Model.compile(g, device, 1);
        m.predict(x);
        m.close();
        m.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.predict(x));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Model.compile(g, device, 1).maxConcurrency(0));
    }

    /**
     * Copies through pinned host memory (the default on discrete GPUs, forced here on every device):
     * the same results as plain copies, from threads sharing a model, through predict with offsets
     * and through several inputs and outputs.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void pinnedStagingGivesThePlainCopiesResults(ClDevice device) throws Exception {
        Graph g = MnistCnn.build(new RandomWeights(5));
        try (ClContext cl = ClContext.create(device)) {
            float[][] inputs = inputs(g, 2);
            System.setProperty("clnn.pinnedStaging", "off");
            float[][] expected;
            try {
                expected = singleThread(cl, g, inputs);
            } finally {
                System.clearProperty("clnn.pinnedStaging");
            }
            System.setProperty("clnn.pinnedStaging", "on");
            try (Model m = Model.compile(g, cl, 2).maxConcurrency(THREADS)) {
                hammer(t -> m, inputs, expected, "pinned staging");
                // a batch in the middle of larger arrays
                int in = inputs[0].length;
                int out = expected[0].length;
                float[] big = new float[3 * in];
                System.arraycopy(inputs[1], 0, big, in, in);
                float[] results = new float[3 * out];
                m.predict(big, in, results, 2 * out);
                assertArrayEquals(expected[1], java.util.Arrays.copyOfRange(results, 2 * out, 3 * out), 0f);
                assertArrayEquals(expected[2], m.predictAll(inputs[2])[0], 0f);
            } finally {
                System.clearProperty("clnn.pinnedStaging");
            }
        }
    }

    @org.junit.jupiter.api.Test
    void anUnknownStagingModeIsRefused() {
        System.setProperty("clnn.pinnedStaging", "sometimes");
        try (ClContext cl = ClContext.create(devices().get(0))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Model.compile(MnistCnn.build(new RandomWeights(5)), cl, 1).close());
            assertTrue(e.getMessage().contains("clnn.pinnedStaging must be auto, on or off, got 'sometimes'"),
                    e.getMessage());
        } finally {
            System.clearProperty("clnn.pinnedStaging");
        }
    }

    private static float[][] inputs(Graph g, int batch) {
        float[][] x = new float[INPUTS][];
        for (int i = 0; i < INPUTS; i++) {
            x[i] = TestData.uniform((int) g.inputShape(batch).size(), 100 + i);
        }
        return x;
    }

    private static float[][] singleThread(ClContext cl, Graph g, float[][] inputs) {
        int batch = (int) (inputs[0].length / g.inputShape(1).size());
        float[][] out = new float[inputs.length][];
        try (Model m = Model.compile(g, cl, batch)) {
            for (int i = 0; i < inputs.length; i++) {
                out[i] = m.predict(inputs[i]);
            }
        }
        return out;
    }

    /** THREADS threads, CALLS calls each, inputs in a different order per thread; every result checked. */
    private static void hammer(IntFunction<Model> modelOf, float[][] inputs, float[][] expected, String what)
            throws Exception {
        int[] mismatches = new int[THREADS];
        runAll(t -> () -> {
            Model m = modelOf.apply(t);
            for (int c = 0; c < CALLS; c++) {
                int i = (c * (t + 1) + t) % inputs.length;
                float[] got = m.predict(inputs[i]);
                if (!java.util.Arrays.equals(got, expected[i])) {
                    mismatches[t]++;
                    assertArrayEquals(expected[i], got, 0f, what + ": thread " + t + ", call " + c + ", input " + i);
                }
            }
            return null;
        });
        assertArrayEquals(new int[THREADS], mismatches, what + ": mismatching calls per thread");
    }

    /** Runs one task per thread, started together; rethrows the first failure. */
    private static void runAll(IntFunction<Callable<Void>> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CyclicBarrier start = new CyclicBarrier(THREADS);
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Callable<Void> body = task.apply(t);
                futures.add(pool.submit(() -> {
                    start.await(60, TimeUnit.SECONDS);
                    return body.call();
                }));
            }
            for (Future<Void> f : futures) {
                try {
                    f.get(10, TimeUnit.MINUTES);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof Exception ex) {
                        throw ex;
                    }
                    throw (Error) e.getCause();
                }
            }
        } finally {
            pool.shutdownNow();
            assertEquals(true, pool.awaitTermination(1, TimeUnit.MINUTES), "worker threads ended");
        }
    }
}
