package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.reference.ReferenceLayout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.OpTesting;
import dev.clnn.testing.TestDevices;

/** Concatenation along every axis, many inputs, every variant, against {@code ReferenceLayout.concat}, bit for bit. */
class ConcatTest {
    private static final Contexts CONTEXTS = new Contexts();

    private record Case(int axis, List<Shape> inputs) {
    }

    private static final Case[] CASES = {
        new Case(-1, List.of(Shape.of(1, 7, 7, 16), Shape.of(1, 7, 7, 16))),
        new Case(3, List.of(Shape.of(2, 3, 3, 5), Shape.of(2, 3, 3, 1), Shape.of(2, 3, 3, 17))),
        new Case(0, List.of(Shape.of(1, 4), Shape.of(3, 4), Shape.of(2, 4))),
        new Case(1, List.of(Shape.of(2, 3, 5), Shape.of(2, 1, 5), Shape.of(2, 0, 5), Shape.of(2, 7, 5))),
        new Case(0, List.of(Shape.of(3, 5))),
        new Case(0, List.of(Shape.of(7), Shape.of(9))),
        new Case(-2, List.of(Shape.of(2, 13, 1), Shape.of(2, 29, 1))),
        new Case(3, List.of(Shape.of(4, 50, 50, 24), Shape.of(4, 50, 50, 40))),
    };
    private static final Case[] SIMULATOR_CASES = {
        new Case(-1, List.of(Shape.of(1, 2, 3, 5), Shape.of(1, 2, 3, 17))),
        new Case(0, List.of(Shape.of(1, 4), Shape.of(3, 4))),
        new Case(1, List.of(Shape.of(2, 3, 5), Shape.of(2, 0, 5), Shape.of(2, 2, 5))),
    };

    private static final List<KernelConfig<Concat.Variant>> VARIANTS = List.of(
            KernelConfig.of(Concat.Variant.GENERAL, 1, 64),
            KernelConfig.of(Concat.Variant.VECTOR, 4, 64),
            KernelConfig.of(Concat.Variant.VECTOR, 16, 64));

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    static Stream<Arguments> cases() {
        return TestDevices.crossedWith(VARIANTS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesTheReferenceExactly(ClDevice device, KernelConfig<Concat.Variant> config) {
        ClContext cl = CONTEXTS.on(device);
        long seed = 1;
        for (Case c : TestDevices.isSimulator(device) ? SIMULATOR_CASES : CASES) {
            check(cl, Concat.configure(cl, ConcatParams.axis(c.axis()), c.inputs(), config), seed++);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void tunedConfigurationMatchesTheReference(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        check(cl, Concat.configure(cl, ConcatParams.axis(-1), List.of(Shape.of(2, 5, 5, 24), Shape.of(2, 5, 5, 8))), 9);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void anAbsentInputsSliceIsLeftForItsProducer(ClDevice device, KernelConfig<Concat.Variant> config) {
        ClContext cl = CONTEXTS.on(device);
        Shape a = Shape.of(2, 3, 4, 5);
        Shape b = Shape.of(2, 3, 4, 7);
        Concat cat = Concat.configure(cl, ConcatParams.axis(3), List.of(a, b), config);
        float[] x = dev.clnn.testing.TestData.uniform(a.sizeAsInt(), 3);
        try (cat; Tensor xt = Tensor.of(cl, a, dev.clnn.tensor.Layout.NHWC, x);
             Tensor y = Tensor.allocate(cl, Shape.of(2, 3, 4, 12), dev.clnn.tensor.Layout.NHWC)) {
            y.buffer().fill(42f);
            cat.run(java.util.Arrays.asList(xt, null), y);
            float[] got = y.toArray();
            for (int p = 0; p < 24; p++) {
                for (int c = 0; c < 12; c++) {
                    assertEquals(c < 5 ? x[p * 5 + c] : 42f, got[p * 12 + c], "pixel " + p + ", channel " + c);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsMismatchedShapesAxesAndTensors(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Concat.configure(cl,
                ConcatParams.axis(1), List.of(Shape.of(2, 3), Shape.of(3, 3))));
        assertTrue(e.getMessage().contains("Concat") && e.getMessage().contains("(2, 3)")
                && e.getMessage().contains("(3, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Concat.configure(cl, ConcatParams.axis(2),
                List.of(Shape.of(2, 3), Shape.of(2, 3))));
        assertTrue(e.getMessage().contains("axis 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Concat.configure(cl, ConcatParams.axis(0), List.of()));
        assertThrows(IllegalArgumentException.class, () -> Concat.configure(cl, ConcatParams.axis(0),
                List.of(Shape.of(2, 3), Shape.of(2, 3, 1))));
        Concat cat = Concat.configure(cl, ConcatParams.axis(0), List.of(Shape.of(2), Shape.of(3)));
        assertEquals(Shape.of(5), cat.outputShape());
        try (Tensor a = Tensor.allocate(cl, Shape.of(2)); Tensor b = Tensor.allocate(cl, Shape.of(3));
             Tensor y = Tensor.allocate(cl, Shape.of(5))) {
            assertThrows(IllegalArgumentException.class, () -> cat.run(List.of(b, a), y));
            assertThrows(IllegalArgumentException.class, () -> cat.run(List.of(a), y));
            Tensor view = y.reshape(Shape.of(5));
            Concat copy = Concat.configure(cl, ConcatParams.axis(0), List.of(Shape.of(5)));
            e = assertThrows(IllegalArgumentException.class, () -> copy.run(List.of(view), y));
            assertTrue(e.getMessage().contains("share a buffer"), e.getMessage());
            b.close();
            assertThrows(IllegalStateException.class, () -> cat.run(List.of(a, b), y));
        }
    }

    private static void check(ClContext cl, Concat op, long seed) {
        List<Shape> shapes = op.inputShapes();
        List<float[]> data = new ArrayList<>();
        List<Tensor> xs = new ArrayList<>();
        try (Tensor y = Tensor.allocate(cl, op.outputShape())) {
            for (Shape s : shapes) {
                float[] d = OpTesting.withExtremes(s.sizeAsInt(), seed++, 3f);
                data.add(d);
                xs.add(Tensor.of(cl, s, d));
            }
            op.run(xs, y);
            OpTesting.assertExact(y.toArray(), ReferenceLayout.concat(data, shapes, op.params().axis()), op::toString);
        } finally {
            xs.forEach(Tensor::close);
        }
    }
}
