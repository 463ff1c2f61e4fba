package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.clnn.reference.ReferenceConv;
import dev.clnn.testing.TestData;

/** BatchNorm folding and the weight layout conversions, host-side. */
class BatchNormFoldingTest {

    @Test
    void foldedConvolutionEqualsConvolutionThenBatchNorm() {
        ReferenceConv.Geometry g = new ReferenceConv.Geometry(2, 6, 5, 4, 3, 3, 7, 2, 1, 1, 1, 1, 1, 1, 1, 1);
        int c = g.cout();
        float[] x = TestData.uniform(g.n() * g.h() * g.w() * g.cin(), 1);
        float[] w = TestData.uniform(3 * 3 * 4 * c, 2);
        float[] b = TestData.uniform(c, 3);
        float[] gamma = TestData.uniform(c, 4);
        float[] beta = TestData.uniform(c, 5);
        float[] mean = TestData.uniform(c, 6);
        float[] var = TestData.uniform(c, 7);
        for (int i = 0; i < c; i++) {
            var[i] = Math.abs(var[i]) + 0.1f;
        }
        float eps = 1e-3f;
        float[] plain = ReferenceConv.conv2d(g, x, w, b, null, null, false);
        BatchNormFolding.Folded f = BatchNormFolding.fold(w, b, c, gamma, beta, mean, var, eps);
        float[] folded = ReferenceConv.conv2d(g, x, f.weights(), f.bias(), null, null, false);
        for (int i = 0; i < plain.length; i++) {
            int ch = i % c;
            double bn = (plain[i] - mean[ch]) / Math.sqrt(var[ch] + eps) * gamma[ch] + beta[ch];
            assertEquals(bn, folded[i], 1e-4, "element " + i);
        }
        assertEquals(w.length, f.weights().length);
    }

    @Test
    void foldingWithoutBiasTreatsItAsZero() {
        float[] w = {1, 2, 3, 4, 5, 6};     // (3, 2): two output channels
        BatchNormFolding.Folded f = BatchNormFolding.fold(w, null, 2, new float[] {2, 1}, new float[] {0.5f, 0},
                new float[] {1, -1}, new float[] {3, 0}, 1f);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, f.weights(), 1e-6f);
        assertArrayEquals(new float[] {-0.5f, 1f}, f.bias(), 1e-6f);
    }

    @Test
    void rejectsMismatchedLengths() {
        float[] w = new float[12];
        float[] four = new float[4];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BatchNormFolding.fold(w, null, 5, four, four, four, four, 1e-5f));
        assertTrue(e.getMessage().contains("12 weights"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BatchNormFolding.fold(w, null, 4, four, new float[3], four, four, 1e-5f));
        assertTrue(e.getMessage().contains("beta has 3 values for 4"), e.getMessage());
        float[] negative = {-1, 0, 0, 0};
        e = assertThrows(IllegalArgumentException.class,
                () -> BatchNormFolding.fold(w, null, 4, four, four, four, negative, 0f));
        assertTrue(e.getMessage().contains("must be positive"), e.getMessage());
    }

    @Test
    void oihwAndHwioConvertBothWays() {
        int cout = 5;
        int cin = 3;
        int kh = 2;
        int kw = 4;
        float[] oihw = TestData.uniform(cout * cin * kh * kw, 1);
        float[] hwio = ConvWeights.oihwToHwio(oihw, cout, cin, kh, kw);
        // spot check: element (o=4, i=1, y=1, x=2)
        assertEquals(oihw[((4 * cin + 1) * kh + 1) * kw + 2], hwio[((1 * kw + 2) * cin + 1) * cout + 4]);
        assertArrayEquals(oihw, ConvWeights.hwioToOihw(hwio, cout, cin, kh, kw));
        assertEquals(dev.clnn.tensor.Shape.of(kh, kw, cin, cout), ConvWeights.hwioShape(cout, cin, kh, kw));
        assertThrows(IllegalArgumentException.class, () -> ConvWeights.oihwToHwio(oihw, cout, cin, kh, kw + 1));
    }

    @Test
    void denseOutInBecomesInOut() {
        float[] outIn = {1, 2, 3, 4, 5, 6};     // (2, 3)
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, ConvWeights.outInToInOut(outIn, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> ConvWeights.outInToInOut(outIn, 4, 2));
    }
}
