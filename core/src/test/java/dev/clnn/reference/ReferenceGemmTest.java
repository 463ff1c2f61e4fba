package dev.clnn.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.clnn.testing.TestData;

/**
 * The GEMM oracle against a textbook triple loop summed in double: every transpose, padded leading
 * dimensions, offsets, beta, and sizes that cross the cache blocks and take the multi-threaded path.
 */
class ReferenceGemmTest {

    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
    @CsvSource({
            "1, 1, 1, false, false",
            "3, 5, 7, true, false",
            "3, 5, 7, false, true",
            "3, 5, 7, true, true",
            "13, 1, 0, false, false",
            "37, 600, 300, false, false",   // several K and N blocks
            "131, 67, 129, true, true",     // large enough to run on several threads
    })
    void matchesATextbookLoop(int m, int n, int k, boolean transA, boolean transB) {
        int off = 3;
        int lda = (transA ? m : k) + 2;
        int ldb = (transB ? k : n) + 1;
        int ldc = n + 4;
        float[] a = TestData.uniform(off + (transA ? k : m) * lda, 1);
        float[] b = TestData.uniform(off + (transB ? n : k) * ldb, 2);
        float[] c = TestData.uniform(off + m * ldc, 3);
        float[] before = c.clone();
        float alpha = 0.75f;
        float beta = -0.5f;
        ReferenceGemm.gemm(transA, transB, m, n, k, alpha, a, off, lda, b, off, ldb, beta, c, off, ldc);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    double x = transA ? a[off + p * lda + i] : a[off + i * lda + p];
                    double y = transB ? b[off + j * ldb + p] : b[off + p * ldb + j];
                    sum += x * y;
                }
                int at = off + i * ldc + j;
                double expected = alpha * sum + beta * before[at];
                assertEquals(expected, c[at], 1e-6 * Math.max(k, 16), "C[" + i + ", " + j + "]");
            }
        }
        for (int i = 0; i < c.length; i++) {
            boolean inC = i >= off && (i - off) % ldc < n && (i - off) / ldc < m;
            if (!inC) {
                assertEquals(before[i], c[i], "element " + i + " outside C is untouched");
            }
        }
    }

    @ParameterizedTest(name = "m={0} n={1} k={2}")
    @CsvSource({"1, 1, 1", "64, 48, 200", "300, 530, 140"})
    void parallelAndSequentialAgreeExactly(int m, int n, int k) {
        float[] a = TestData.uniform(m * k, 4);
        float[] b = TestData.uniform(k * n, 5);
        float[] sequential = ReferenceGemm.multiply(a, b, m, n, k);
        assertArrayEquals(sequential, ReferenceGemm.multiplyParallel(a, b, m, n, k),
                "each element is summed in the same order whatever the thread");
        float[] c = new float[m * n];
        ReferenceGemm.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
        assertArrayEquals(sequential, c);
    }

    @Test
    void rejectsArraysTooShortForTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReferenceGemm.gemm(false, false, 4, 4, 4, 1f, new float[15], 0, 4, new float[16], 0, 4, 0f,
                        new float[16], 0, 4));
        assertTrue(e.getMessage().contains("GEMM A"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ReferenceGemm.multiply(new float[3], new float[4], 2, 2, 2));
    }
}
