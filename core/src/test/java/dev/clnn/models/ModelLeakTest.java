package dev.clnn.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Graph;
import dev.clnn.testing.TestData;

/**
 * Compiling, running and closing models in one long-lived context (a service reloading a model)
 * leaves nothing behind: device bytes and open kernel objects return to where they were after
 * every cycle, and the Java heap does not grow with the number of cycles.
 */
class ModelLeakTest {
    private static final int CYCLES = 200;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void compilePredictCloseCyclesLeaveNothingBehind(ClDevice device) {
        // every operator family of the executor: convolutions, depthwise, pooling, adds, dense, softmax
        Graph g = MobileNetV2.build(new RandomWeights(4), 0.35f, 32, 10);
        float[] x = TestData.uniform((int) g.inputShape(1).size(), 7);
        try (ClContext cl = ClContext.create(device)) {
            cycle(cl, g, x);        // programs built and cached in the context
            long bytes = cl.allocatedBytes();
            int kernels = cl.openKernels();
            long heapAfterWarmUp = 0;
            for (int i = 1; i <= CYCLES; i++) {
                cycle(cl, g, x);
                assertEquals(bytes, cl.allocatedBytes(), "device bytes open after cycle " + i);
                assertEquals(kernels, cl.openKernels(), "kernel objects open after cycle " + i);
                if (i == 20) {
                    heapAfterWarmUp = usedHeap();
                }
            }
            long growth = usedHeap() - heapAfterWarmUp;
            System.out.printf(java.util.Locale.ROOT, "ModelLeakTest on %s: %d cycles, device bytes %d and kernel objects "
                    + "%d after each, heap growth %d bytes over the last %d%n", device.name(), CYCLES, bytes, kernels,
                    growth, CYCLES - 20);
            assertTrue(growth < 4L << 20, "heap grew by " + growth + " bytes over " + (CYCLES - 20) + " cycles");
        }
    }

    private static void cycle(ClContext cl, Graph g, float[] x) {
        try (Model m = Model.compile(g, cl, 1)) {
            m.predict(x);
        }
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
