package dev.clnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.reference.ReferenceTraining;
import dev.clnn.reference.ReferenceTraining.Act;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestData;

/** ReLU and Flatten: exact ops, compared bit for bit. */
class ActivationLayersTest {
    private static final Contexts CONTEXTS = new Contexts();

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void reluForwardAndBackwardAreExact(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        for (int[] dims : new int[][] {{1, 1}, {3, 5, 7, 2}, {4, 257}}) {
            Shape shape = Shape.of(dims);
            int size = shape.sizeAsInt();
            float[] x = TestData.uniform(size, size);
            x[0] = 0f;          // the kink: forward 0, gradient 0
            float[] dy = TestData.uniform(size, size + 1);
            int[] example = java.util.Arrays.copyOfRange(dims, 1, dims.length);
            try (Relu relu = new Relu()) {
                relu.build(cl, Shape.of(example));
                try (Tensor xt = Tensor.of(cl, shape, Layout.NHWC, x); Tensor dyt = Tensor.of(cl, shape, dy)) {
                    float[] y = relu.forward(xt, true).toArray();
                    float[] dx = relu.backward(dyt, true).toArray();
                    float[] yRef = new float[size];
                    float[] dxRef = new float[size];
                    for (int i = 0; i < size; i++) {
                        yRef[i] = (float) ReferenceTraining.activate(Act.RELU, x[i]);
                        dxRef[i] = (float) ReferenceTraining.activationGrad(Act.RELU, dy[i], x[i]);
                    }
                    assertArrayEquals(yRef, y, "ReLU forward " + shape);
                    assertArrayEquals(dxRef, dx, "ReLU backward " + shape);
                    assertNull(relu.backward(dyt, false));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void flattenIsAViewBothWays(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        float[] x = TestData.uniform(2 * 3 * 4 * 5, 9);
        try (Flatten flatten = new Flatten()) {
            assertEquals(Shape.of(60), flatten.build(cl, Shape.of(3, 4, 5)));
            try (Tensor xt = Tensor.of(cl, Shape.of(2, 3, 4, 5), Layout.NHWC, x)) {
                Tensor y = flatten.forward(xt, true);
                assertEquals(Shape.of(2, 60), y.shape());
                assertSame(xt.buffer(), y.buffer(), "forward is a view");
                assertArrayEquals(x, y.toArray(), "NHWC memory order is Keras' flatten order");
                Tensor dx = flatten.backward(y, true);
                assertEquals(Shape.of(2, 3, 4, 5), dx.shape());
                assertEquals(Layout.NHWC, dx.layout());
                assertSame(xt.buffer(), dx.buffer(), "backward is a view");
            }
        }
    }
}
