package dev.clnn.train;

import static dev.clnn.testing.GradientCheck.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

/** SGD, plain and with momentum, against hand-computed values and the reference. */
class SgdTest {
    private static final Contexts CONTEXTS = new Contexts();

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void plainAndMomentumStepsByHand(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        float[] w0 = {1f, -0.5f, 0.25f, 0f};
        float[] g = {0.5f, -1f, 0f, 2f};
        try (ParameterStore s = OptimizerTesting.store(cl, w0); Sgd sgd = new Sgd(0.1f)) {
            OptimizerTesting.gradients(s, g);
            sgd.step(s);
            assertArrayEquals(new float[] {0.95f, -0.4f, 0.25f, -0.2f}, OptimizerTesting.values(s), 1e-7f, "w - 0.1 g");
        }
        // v = 0.9 v - 0.1 g; w += v:  v1 = -0.1 g, v2 = -0.19 g, v3 = -0.271 g
        float[][] expected = {
            {0.95f, -0.4f, 0.25f, -0.2f},
            {0.855f, -0.21f, 0.25f, -0.58f},
            {0.7195f, 0.061f, 0.25f, -1.122f},
        };
        try (ParameterStore s = OptimizerTesting.store(cl, w0); Sgd sgd = new Sgd(0.1f, 0.9f)) {
            OptimizerTesting.gradients(s, g);
            for (float[] e : expected) {
                sgd.step(s);
                assertArrayEquals(e, OptimizerTesting.values(s), 1e-6f, "momentum step " + sgd.steps());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void matchesTheReference(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        int n = 777;
        for (float momentum : new float[] {0f, 0.5f}) {
            float[] w = TestData.uniform(n, 2);
            double[] wd = ReferenceTraining.toDouble(w);
            double[] v = momentum == 0f ? null : new double[n];
            try (ParameterStore s = OptimizerTesting.store(cl, w); Sgd sgd = new Sgd(0.05f, momentum)) {
                for (int t = 1; t <= 4; t++) {
                    float[] g = TestData.uniform(n, 50 + t);
                    OptimizerTesting.gradients(s, g);
                    sgd.step(s);
                    ReferenceTraining.sgdStep(wd, ReferenceTraining.toDouble(g), v, 0.05f, momentum);
                    assertClose("SGD momentum " + momentum + " step " + t, OptimizerTesting.values(s), wd,
                            Tolerances.OPTIMIZER_RTOL, Tolerances.OPTIMIZER_ATOL);
                }
            }
        }
    }

    @Test
    void rejectsInvalidHyperparameters() {
        assertThrows(IllegalArgumentException.class, () -> new Sgd(-1f));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1f, 1f));
    }
}
