package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.clnn.cl.ClContext;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.ReferenceConv;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.TestData;

/** Runs one convolution case on a device and compares it with {@link ReferenceConv}. */
final class ConvHarness {
    /** Reference outputs by case and seed: several variants share one case's oracle. */
    private static final Map<String, float[]> EXPECTED = new ConcurrentHashMap<>();

    private ConvHarness() {
    }

    /** One convolution: input {@code (n, h, w, cin)}, a {@code kh x kw} kernel to {@code cout} channels. */
    record Case(String name, int n, int h, int w, int cin, int kh, int kw, int cout, Conv2dParams params,
                boolean bias) {

        Shape input() {
            return Shape.of(n, h, w, cin);
        }

        Shape weights() {
            return Shape.of(kh, kw, cin / params.groups(), cout);
        }

        ReferenceConv.Geometry geometry() {
            Conv2dParams p = params;
            return new ReferenceConv.Geometry(n, h, w, cin, kh, kw, cout, p.strideH(), p.strideW(), p.dilationH(),
                    p.dilationW(), p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), p.groups());
        }

        /** Products per output: the length of each sum. */
        int terms() {
            return kh * kw * (cin / params.groups());
        }

        boolean depthwise() {
            return params.groups() == cin && cout % cin == 0 && cin > 1;
        }

        Case with(Conv2dParams p) {
            return new Case(name, n, h, w, cin, kh, kw, cout, p, bias);
        }

        @Override
        public String toString() {
            return name + " " + input() + " * " + weights() + (bias ? " + bias" : "") + " " + params;
        }
    }

    static Case conv(String name, int n, int h, int w, int cin, int kh, int kw, int cout, Conv2dParams p) {
        return new Case(name, n, h, w, cin, kh, kw, cout, p, true);
    }

    static Case noBias(Case c) {
        return new Case(c.name() + " no bias", c.n(), c.h(), c.w(), c.cin(), c.kh(), c.kw(), c.cout(), c.params(),
                false);
    }

    /**
     * Configures the case (with {@code config}, or the device's choice when null), runs it twice
     * (a second input through the same operator, then once more after new weights and
     * {@link Conv2d#reloadWeights()}), and compares each result with the reference.
     *
     * @return the configuration that ran
     */
    static Conv2dConfig check(ClContext cl, Case c, Conv2dConfig config, long seed) {
        Shape ws = c.weights();
        float[] w = TestData.uniform(ws.sizeAsInt(), seed * 7 + 1);
        float[] w2 = TestData.uniform(ws.sizeAsInt(), seed * 7 + 2);
        float[] b = c.bias() ? TestData.uniform(c.cout(), seed * 7 + 3) : null;
        boolean residual = c.params().residual() != Conv2dParams.Residual.NONE;
        Shape out = c.params().outputShape(c.input(), ws, null);
        try (Tensor wt = Tensor.of(cl, ws, w);
             Tensor bt = b == null ? null : Tensor.of(cl, Shape.of(c.cout()), b);
             Conv2d conv = config == null ? Conv2d.configure(cl, c.params(), c.input(), wt, bt)
                     : Conv2d.configure(cl, c.params(), c.input(), wt, bt, config);
             Tensor y = Tensor.allocate(cl, out, Layout.NHWC)) {
            assertEquals(out, conv.outputShape(), c + ": output shape");
            String what = c + " on " + conv.config();
            runAndCompare(cl, c, conv, w, "w1", b, y, residual, seed * 7 + 4, what);
            runAndCompare(cl, c, conv, w, "w1", b, y, residual, seed * 7 + 5, what + " (second run)");
            wt.copyFrom(w2);
            conv.reloadWeights();
            runAndCompare(cl, c, conv, w2, "w2", b, y, residual, seed * 7 + 4, what + " (after reloadWeights)");
            return conv.config();
        }
    }

    private static void runAndCompare(ClContext cl, Case c, Conv2d conv, float[] w, String wTag, float[] b, Tensor y,
                                      boolean residual, long seed, String what) {
        float[] x = TestData.uniform(c.input().sizeAsInt(), seed);
        float[] r = residual ? TestData.uniform(y.shape().sizeAsInt(), seed + 1000) : null;
        float[] expected = EXPECTED.computeIfAbsent(c + " " + seed + " " + wTag, k -> reference(c, x, w, b, r));
        try (Tensor xt = Tensor.of(cl, c.input(), Layout.NHWC, x);
             Tensor rt = r == null ? null : Tensor.of(cl, y.shape(), Layout.NHWC, r)) {
            y.buffer().fill(Float.NaN);       // every output must be written
            conv.run(xt, rt, y);
            float[] actual = y.toArray();
            Comparison cmp = Comparison.of(actual, expected, Tolerances.CONV_RTOL, Tolerances.convAtol(c.terms()));
            assertTrue(cmp.passed(), () -> what + ": " + cmp.describe(actual, expected));
        }
    }

    static float[] reference(Case c, float[] x, float[] w, float[] b, float[] r) {
        Activation act = c.params().activation();
        boolean before = c.params().residual() != Conv2dParams.Residual.ACTIVATE_THEN_ADD;
        return c.depthwise()
                ? ReferenceConv.depthwise(c.geometry(), x, w, b, v -> act.apply((float) v), r, before)
                : ReferenceConv.conv2d(c.geometry(), x, w, b, v -> act.apply((float) v), r, before);
    }

    static void clear() {
        EXPECTED.clear();
    }
}
