package dev.clnn.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestData;

/** ONNX Flatten shapes, and the view sharing its input's buffer. */
class FlattenTest {
    private static final Contexts CONTEXTS = new Contexts();

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    @Test
    void shapesFollowOnnx() {
        Shape s = Shape.of(2, 3, 4, 5);
        assertEquals(Shape.of(2, 60), Flatten.shape(s, 1));
        assertEquals(Shape.of(1, 120), Flatten.shape(s, 0));
        assertEquals(Shape.of(120, 1), Flatten.shape(s, 4));
        assertEquals(Shape.of(24, 5), Flatten.shape(s, -1));
        assertEquals(Shape.of(0, 12), Flatten.shape(Shape.of(0, 3, 4), 1));
        assertThrows(IllegalArgumentException.class, () -> Flatten.shape(s, 5));
        assertThrows(IllegalArgumentException.class, () -> Flatten.shape(s, -5));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void viewSharesTheBuffer(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        float[] data = TestData.uniform(2 * 3 * 4, 1);
        try (Tensor x = Tensor.of(cl, Shape.of(2, 3, 4), data)) {
            Tensor flat = Flatten.view(x, 1);
            assertEquals(Shape.of(2, 12), flat.shape());
            assertArrayEquals(data, flat.toArray());
            x.close();
            assertThrows(IllegalStateException.class, flat::toArray);
        }
    }
}
