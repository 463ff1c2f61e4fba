package dev.clnn.cl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Programs are built with {@code -cl-denorms-are-zero} ({@link ProgramCache#COMPILER_FLAGS}). OpenCL lets
 * a device flush denormals or keep them; PoCL's CPU device flushes them, which is what keeps training
 * on CPUs from slowing down as Adam's moments decay (BENCHMARKS.md, "Denormals flushed to zero").
 */
class DenormalsTest {
    private static final KernelSource HALVE = KernelSource.of("test/halve.cl",
            "__kernel void halve(__global float* x) { x[get_global_id(0)] = x[get_global_id(0)] * 0.5f; }\n");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void aDenormalResultIsFlushedOnPoclOrExactElsewhere(ClDevice device) {
        assertTrue(ProgramCache.compilerOptions(BuildOptions.none().define("N", 1)).endsWith(" -cl-denorms-are-zero"));
        float[] x = {Float.MIN_NORMAL, 3 * Float.MIN_NORMAL, 1f};
        try (ClContext cl = ClContext.create(device); ClBuffer b = cl.buffer(x)) {
            ClKernel k = cl.program(HALVE, BuildOptions.none()).kernel("halve");
            k.args(b);
            k.launch(new long[] {x.length}, null);
            float[] y = b.read();
            assertEquals(1.5f * Float.MIN_NORMAL, y[1], "a normal result");
            assertEquals(0.5f, y[2]);
            boolean pocl = device.platformName().toLowerCase(java.util.Locale.ROOT).contains("portable computing");
            if (pocl && device.isCpu()) {
                assertEquals(0f, y[0], "PoCL's CPU device flushes the denormal MIN_NORMAL / 2 to zero");
            } else {
                assertTrue(y[0] == 0f || y[0] == Float.MIN_NORMAL / 2, "flushed or exact: " + y[0]);
            }
        }
    }
}
