package dev.clnn.nn;

import static dev.clnn.testing.GradientCheck.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.reference.ReferenceTraining;
import dev.clnn.reference.ReferenceTraining.LossResult;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.GradientCheck;
import dev.clnn.testing.TestData;

/** The fused loss: per-example losses, correctness and the gradient of the mean, stable for huge logits. */
class SoftmaxCrossEntropyTest {
    private static final Contexts CONTEXTS = new Contexts();

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    /** Runs the device loss; returns {losses and correctness as stats, gradient}. */
    private static float[][] run(ClContext cl, float[] logits, int[] labels, int classes, int statsRow) {
        int n = labels.length;
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = labels[i];
        }
        try (SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(cl);
             Tensor z = Tensor.of(cl, Shape.of(n, classes), logits);
             Tensor grad = Tensor.allocate(cl, Shape.of(n, classes));
             ClBuffer labelBuf = cl.buffer(y);
             ClBuffer stats = cl.buffer(2L * (statsRow + n))) {
            stats.fill(-1f);
            loss.compute(z, labelBuf, grad, stats, statsRow);
            float[] s = new float[2 * n];
            stats.read(s, 0, 2L * statsRow, 2 * n);
            return new float[][] {s, grad.toArray()};
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void matchesReferenceAndFiniteDifferences(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        int[][] shapes = {{1, 1}, {1, 10}, {7, 3}, {32, 10}, {5, 257}};
        long seed = 1;
        for (int[] s : shapes) {
            int n = s[0];
            int classes = s[1];
            float[] logits = TestData.uniform(n * classes, seed++);
            for (int i = 0; i < logits.length; i++) {
                logits[i] *= 4f;
            }
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = (int) ((i * 7L + seed) % classes);
            }
            float[][] out = run(cl, logits, labels, classes, 3);
            double[] z = ReferenceTraining.toDouble(logits);
            LossResult ref = ReferenceTraining.softmaxCrossEntropy(z, labels, classes);
            double[] losses = new double[n];
            float[] lossesDevice = new float[n];
            for (int i = 0; i < n; i++) {
                lossesDevice[i] = out[0][2 * i];
                losses[i] = ref.losses()[i];
                assertEquals(ref.correct()[i] ? 1f : 0f, out[0][2 * i + 1], "correctness of row " + i);
            }
            String what = "softmax cross-entropy " + n + "x" + classes;
            assertClose(what + " losses", lossesDevice, losses, Tolerances.LOSS_RTOL, Tolerances.LOSS_ATOL);
            assertClose(what + " gradient", out[1], ref.grad(), Tolerances.LOSS_RTOL, Tolerances.LOSS_ATOL);
            double[] fd = GradientCheck.numeric(
                    p -> ReferenceTraining.softmaxCrossEntropy(p, labels, classes).meanLoss(), z);
            assertClose(what + " gradient vs finite differences", out[1], fd, Tolerances.GRADIENT_CHECK_RTOL,
                    Tolerances.GRADIENT_CHECK_ATOL);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void hugeLogitsStayFiniteAndTiesPickTheFirstMaximum(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        float[] logits = {1000f, -1000f, 0f, -1e30f, 1e30f, 3e38f, 2f, 2f, 1f};
        float[][] out = run(cl, logits, new int[] {0, 0, 1}, 3, 0);
        assertEquals(0f, out[0][0], "a confident right answer costs nothing");
        assertEquals(1f, out[0][1]);
        assertEquals(3e38f, out[0][2], 3e38f * 1e-6f, "a confident wrong answer costs the margin, not infinity");
        assertEquals(0f, out[0][3]);
        assertTrue(Float.isFinite(out[0][4]));
        assertEquals(0f, out[0][5], "ties go to the first maximum, which is class 0, not the label 1");
        for (float g : out[1]) {
            assertTrue(Float.isFinite(g), "gradient finite");
        }
        assertEquals(0f, out[1][0], 1e-7f);
        assertEquals(-1f / 3, out[1][3], 1e-6f, "(softmax - onehot) / n");
        assertEquals(1f / 3, out[1][5], 1e-6f);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void aLabelOutOfRangeGivesNanNotGarbage(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        float[][] out = run(cl, new float[] {1f, 2f, 3f, 4f}, new int[] {2, 1}, 2, 0);
        assertTrue(Float.isNaN(out[0][0]), "label 2 of 2 classes");
        assertEquals(0f, out[1][0]);
        assertEquals(0f, out[1][1]);
        assertTrue(Float.isFinite(out[0][2]), "the other row is unaffected");
        try (SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(cl);
             Tensor z = Tensor.allocate(cl, Shape.of(4, 3));
             Tensor g = Tensor.allocate(cl, Shape.of(4, 2));
             ClBuffer b = cl.buffer(8)) {
            assertThrows(IllegalArgumentException.class, () -> loss.compute(z, b, g, b, 0));
        }
    }
}
