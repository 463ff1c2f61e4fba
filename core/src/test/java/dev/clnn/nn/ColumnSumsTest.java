package dev.clnn.nn;

import static dev.clnn.testing.GradientCheck.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.reference.ReferenceDense;
import dev.clnn.reference.ReferenceTraining;
import dev.clnn.reference.Tolerances;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestData;

/** The two-pass column sums (bias gradients, metric sums) against double sums, with offsets, alpha and beta. */
class ColumnSumsTest {
    private static final Contexts CONTEXTS = new Contexts();

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void matchDoubleSums(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        int[][] shapes = {{1, 1}, {7, 3}, {31, 1}, {33, 2}, {1000, 10}, {4097, 32}, {21632, 5}};
        long seed = 5;
        try (ColumnSums sums = new ColumnSums(cl)) {
            for (int[] s : shapes) {
                int rows = s[0];
                int cols = s[1];
                float[] m = TestData.uniform(3 + rows * cols, seed++);
                float[] init = TestData.uniform(2 + cols, seed++);
                double[] expected = ReferenceDense.columnSums(
                        ReferenceTraining.toDouble(java.util.Arrays.copyOfRange(m, 3, m.length)), rows, cols);
                try (ClBuffer src = cl.buffer(m); ClBuffer dst = cl.buffer(init)) {
                    sums.run(src, 3, rows, cols, 0.5f, 0f, dst, 2);
                    float[] out = dst.read();
                    assertEquals(init[0], out[0], "before the offset untouched");
                    double[] half = new double[cols];
                    for (int j = 0; j < cols; j++) {
                        half[j] = 0.5 * expected[j];
                    }
                    float atol = Tolerances.TRAIN_ATOL * (float) Math.sqrt(rows);
                    assertClose("column sums " + rows + "x" + cols, java.util.Arrays.copyOfRange(out, 2, 2 + cols),
                            half, Tolerances.TRAIN_RTOL, atol);
                    sums.run(src, 3, rows, cols, 1f, 2f, dst, 2);
                    float[] acc = dst.read();
                    double[] plus = new double[cols];
                    for (int j = 0; j < cols; j++) {
                        plus[j] = expected[j] + 2 * out[2 + j];
                    }
                    assertClose("column sums with beta " + rows + "x" + cols,
                            java.util.Arrays.copyOfRange(acc, 2, 2 + cols), plus, Tolerances.TRAIN_RTOL, atol);
                }
            }
            try (ClBuffer small = cl.buffer(10)) {
                assertThrows(IllegalArgumentException.class, () -> sums.run(small, 0, 4, 3, 1f, 0f, small, 0));
            }
        }
    }
}
