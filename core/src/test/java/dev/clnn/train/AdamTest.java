package dev.clnn.train;

import static dev.clnn.testing.GradientCheck.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.nn.ParameterStore;
import dev.clnn.reference.ReferenceTraining;
import dev.clnn.reference.Tolerances;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestData;

/** Adam's device step against hand-computed values and the double-precision reference. */
class AdamTest {
    private static final Contexts CONTEXTS = new Contexts();

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    /**
     * With a constant gradient, bias-corrected Adam moves each weight by lr * sign(g) per step (less
     * epsilon's tiny share), from the first step on: at t = 1, m = 0.1 g and v = 0.001 g², and the
     * corrected step lr * sqrt(1 - 0.999) / (1 - 0.9) * m / (sqrt(v) + 1e-7) is 1e-3 * g / |g|.
     * Without the correction the first step would be 3.16e-3. A zero gradient leaves the weight alone.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void constantGradientStepsByTheLearningRate(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        float[][] expected = {
            {0.999000006f, -0.499000003f, 0.25f, -0.000999998f},
            {0.998000011f, -0.498000005f, 0.25f, -0.001999997f},
            {0.997000014f, -0.497000007f, 0.25f, -0.002999996f},
        };
        try (ParameterStore s = OptimizerTesting.store(cl, new float[] {1f, -0.5f, 0.25f, 0f});
             Adam adam = new Adam(1e-3f, 0.9f, 0.999f, 1e-7f)) {
            OptimizerTesting.gradients(s, new float[] {0.5f, -1f, 0f, 2f});
            for (float[] e : expected) {
                adam.step(s);
                assertArrayEquals(e, OptimizerTesting.values(s), 2e-7f, "after step " + adam.steps());
            }
            assertEquals(3, adam.steps());
            adam.reset();
            assertEquals(0, adam.steps());
            adam.step(s);
            assertArrayEquals(new float[] {0.996f, -0.496f, 0.25f, -0.004f}, OptimizerTesting.values(s), 2e-7f,
                    "after a reset the first step is again a full, corrected step");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void matchesTheReferenceOverStepsWithChangingGradients(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        int n = 1031;
        float lr = 3e-3f;
        float b1 = 0.8f;
        float b2 = 0.99f;
        float eps = 1e-6f;
        float[] w = TestData.uniform(n, 1);
        double[] wd = ReferenceTraining.toDouble(w);
        double[] m = new double[n];
        double[] v = new double[n];
        try (ParameterStore s = OptimizerTesting.store(cl, w); Adam adam = new Adam(lr, b1, b2, eps)) {
            for (int t = 1; t <= 6; t++) {
                float[] g = TestData.uniform(n, 100 + t);
                OptimizerTesting.gradients(s, g);
                adam.step(s);
                ReferenceTraining.adamStep(wd, ReferenceTraining.toDouble(g), m, v, t, lr, b1, b2, eps);
                assertClose("Adam step " + t, OptimizerTesting.values(s), wd, Tolerances.OPTIMIZER_RTOL,
                        Tolerances.OPTIMIZER_ATOL);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void holdsStateForOneModelOnly(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        try (ParameterStore a = OptimizerTesting.store(cl, new float[4]);
             ParameterStore b = OptimizerTesting.store(cl, new float[4]);
             Adam adam = new Adam()) {
            adam.step(a);
            assertThrows(IllegalArgumentException.class, () -> adam.step(b));
        }
    }

    @Test
    void rejectsInvalidHyperparameters() {
        assertThrows(IllegalArgumentException.class, () -> new Adam(0f));
        assertThrows(IllegalArgumentException.class, () -> new Adam(1e-3f, 1f, 0.999f, 1e-7f));
        assertThrows(IllegalArgumentException.class, () -> new Adam(1e-3f, 0.9f, 0.999f, 0f));
    }
}
