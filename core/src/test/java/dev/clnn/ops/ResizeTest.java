package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.ops.ResizeParams.Coord;
import dev.clnn.ops.ResizeParams.Mode;
import dev.clnn.ops.ResizeParams.Nearest;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.ReferenceResize;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.OpTesting;
import dev.clnn.testing.TestData;
import dev.clnn.testing.TestDevices;

/**
 * Resize on every device against {@link ReferenceResize}: nearest exactly, bilinear within rounding,
 * every coordinate transformation and rounding, up and down, by scales and to sizes; and the
 * coordinates themselves against values worked out by hand from ONNX's formulas.
 */
class ResizeTest {
    private static final Contexts CONTEXTS = new Contexts();

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    private static List<ResizeParams> params() {
        List<ResizeParams> list = new ArrayList<>();
        for (Coord c : Coord.values()) {
            for (Nearest n : Nearest.values()) {
                list.add(ResizeParams.scales(Mode.NEAREST, c, n, 2f, 2f));
            }
            list.add(ResizeParams.scales(Mode.LINEAR, c, Nearest.FLOOR, 2f, 3f));
            list.add(ResizeParams.scales(Mode.LINEAR, c, Nearest.FLOOR, 0.5f, 1.5f));
            list.add(ResizeParams.sizes(Mode.LINEAR, c, Nearest.FLOOR, 7, 1));
            list.add(ResizeParams.sizes(Mode.NEAREST, c, Nearest.ROUND_PREFER_CEIL, 2, 11));
        }
        return list;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void matchesTheReference(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Shape[] shapes = TestDevices.isSimulator(device) ? new Shape[] {Shape.of(2, 3, 5, 3)}
                : new Shape[] {Shape.of(2, 3, 5, 3), Shape.of(1, 2, 1, 1), Shape.of(3, 7, 4, 17), Shape.of(1, 13, 11, 64)};
        long seed = 1;
        for (Shape in : shapes) {
            for (ResizeParams p : params()) {
                try (Resize op = Resize.configure(cl, p, in)) {
                    float[] x = OpTesting.withExtremes(in.sizeAsInt(), seed++, 3f);
                    if (p.mode() == Mode.LINEAR) {
                        x = TestData.uniform(in.sizeAsInt(), seed);
                    }
                    Shape out = op.outputShape();
                    float[] expected = ReferenceResize.resize(x, in, p.table(in.dim(1), out.dim(1), true),
                            p.table(in.dim(2), out.dim(2), false), p.mode() == Mode.LINEAR);
                    try (Tensor xt = Tensor.of(cl, in, x); Tensor y = Tensor.allocate(cl, out)) {
                        y.buffer().fill(Float.NaN);
                        op.run(xt, y);
                        float[] got = y.toArray();
                        if (p.mode() == Mode.NEAREST) {
                            OpTesting.assertExact(got, expected, op::toString);
                        } else {
                            Comparison c = Comparison.of(got, expected, 1e-5f, 1e-6f);
                            assertTrue(c.passed(), () -> op + ": " + c.describe(got, expected));
                        }
                    }
                }
            }
        }
    }

    /** One axis of {@code in} pixels 0, 10, 20, ... resized to {@code out}, through the reference. */
    private static float[] axis(ResizeParams p, int in) {
        float[] x = new float[in];
        for (int i = 0; i < in; i++) {
            x[i] = 10 * i;
        }
        Shape s = Shape.of(1, 1, in, 1);
        Shape o = p.outputShape(s);
        return ReferenceResize.resize(x, s, p.table(1, 1, true), p.table(in, o.dim(2), false),
                p.mode() == Mode.LINEAR);
    }

    @Test
    void coordinatesFollowOnnxsFormulas() {
        // asymmetric x / 2: ties at 0.5 and 1.5
        assertArrayEquals(new float[] {0, 0, 10, 10}, axis(ResizeParams.scales(Mode.NEAREST, Coord.ASYMMETRIC,
                Nearest.ROUND_PREFER_FLOOR, 1f, 2f), 2));
        assertArrayEquals(new float[] {0, 10, 10, 10}, axis(ResizeParams.scales(Mode.NEAREST, Coord.ASYMMETRIC,
                Nearest.ROUND_PREFER_CEIL, 1f, 2f), 2));
        assertArrayEquals(new float[] {0, 10, 10, 20, 20, 20}, axis(ResizeParams.scales(Mode.NEAREST,
                Coord.ASYMMETRIC, Nearest.CEIL, 1f, 2f), 3));
        // half_pixel (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped to the edges
        assertArrayEquals(new float[] {0, 2.5f, 7.5f, 10}, axis(ResizeParams.scales(Mode.LINEAR, Coord.HALF_PIXEL,
                Nearest.FLOOR, 1f, 2f), 2));
        // align_corners x * (in - 1) / (out - 1)
        assertArrayEquals(new float[] {0, 5, 10, 15, 20}, axis(ResizeParams.sizes(Mode.LINEAR, Coord.ALIGN_CORNERS,
                Nearest.FLOOR, 1, 5), 3));
        // pytorch_half_pixel gives coordinate 0 to a one-pixel output; half_pixel the middle
        assertArrayEquals(new float[] {0}, axis(ResizeParams.sizes(Mode.LINEAR, Coord.PYTORCH_HALF_PIXEL,
                Nearest.FLOOR, 1, 1), 4));
        assertArrayEquals(new float[] {15}, axis(ResizeParams.sizes(Mode.LINEAR, Coord.HALF_PIXEL,
                Nearest.FLOOR, 1, 1), 4));
        // downsampling by 0.5, half_pixel: 0.5, 2.5 fall between pixels
        assertArrayEquals(new float[] {5, 25}, axis(ResizeParams.scales(Mode.LINEAR, Coord.HALF_PIXEL,
                Nearest.FLOOR, 1f, 0.5f), 4));
    }

    @Test
    void outputSizesFloorTheScaledInput() {
        ResizeParams p = ResizeParams.scales(Mode.NEAREST, Coord.ASYMMETRIC, Nearest.FLOOR, 1.5f, 0.34f);
        assertEquals(Shape.of(2, 7, 3, 4), p.outputShape(Shape.of(2, 5, 9, 4)));
        assertThrows(IllegalArgumentException.class, () -> p.outputShape(Shape.of(2, 5, 2, 4)));
        assertThrows(IllegalArgumentException.class, () -> p.outputShape(Shape.of(2, 5, 4)));
        assertThrows(IllegalArgumentException.class, () -> ResizeParams.scales(Mode.LINEAR, Coord.HALF_PIXEL,
                Nearest.FLOOR, 0f, 1f));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void rejectsAliasingAndUseAfterClose(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        ResizeParams p = ResizeParams.sizes(Mode.NEAREST, Coord.ASYMMETRIC, Nearest.FLOOR, 2, 3);
        Resize op = Resize.configure(cl, p, Shape.of(1, 2, 3, 1));
        try (Tensor x = Tensor.allocate(cl, Shape.of(1, 2, 3, 1))) {
            assertThrows(IllegalArgumentException.class, () -> op.run(x, x));
            op.close();
            op.close();
            assertThrows(IllegalStateException.class, () -> op.run(x, x));
        }
    }
}
