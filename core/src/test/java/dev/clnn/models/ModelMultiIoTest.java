package dev.clnn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Graph;
import dev.clnn.graph.Op;
import dev.clnn.graph.ReferenceExecutor;
import dev.clnn.ops.Activation;
import dev.clnn.ops.Conv2dParams;
import dev.clnn.ops.ElementwiseParams;
import dev.clnn.ops.Pool2dParams;
import dev.clnn.tensor.Shape;
import dev.clnn.testing.TestData;
import dev.clnn.testing.TestDevices;

/**
 * A network of two inputs and two outputs through {@link Model} (by position and by name, under
 * names of the caller's choosing) and {@link DynamicBatchModel} (padding every input), against the
 * reference; {@link MultiDeviceModel} refuses it with a reason.
 */
class ModelMultiIoTest {
    /** image (5, 4, 3) and features (4) in; a (5, 4, 4) map and a (4) vector out. */
    private static Graph net() {
        Graph.Builder g = Graph.builder("two_in_two_out", "image", Shape.of(5, 4, 3));
        g.input("features", Shape.of(4));
        Shape w = Shape.of(3, 3, 3, 4);
        String c = g.add("conv", new Op.Conv(Conv2dParams.defaults().withPadding(1, 1, 1, 1), w,
                TestData.uniform((int) w.size(), 3), TestData.uniform(4, 4)), "image");
        String pooled = g.add("gap", new Op.Pool(Pool2dParams.globalAverage()), c);
        String flat = g.add("flat", new Op.Reshape(new int[] {-1}), pooled);
        String sum = g.add("sum", new Op.Binary(ElementwiseParams.add()), flat, "features");
        String vec = g.add("vec", new Op.Dense(4, 4, TestData.uniform(16, 5), null, Activation.TANH), sum);
        String map = g.add("map", new Op.Act(Activation.RELU), c);
        return g.build(map, vec);
    }

    private static float[][] inputs(Graph g, int batch, long seed) {
        return new float[][] {TestData.uniform((int) g.inputShape(batch).size(), seed),
            TestData.uniform((int) g.inputs().get(1).shape(batch).size(), seed + 1)};
    }

    @Test
    void aModelPredictsSeveralOutputsByPositionAndByName() {
        Graph g = net();
        ClDevice d = TestDevices.all().get(0);
        float[][] x = inputs(g, 2, 10);
        float[][] expected = ReferenceExecutor.runAll(g, x, 2);
        try (Model m = Model.compile(g, d, 2)) {
            assertEquals(List.of("image", "features"), m.inputNames());
            assertEquals(List.of("map", "vec"), m.outputNames());
            assertEquals(List.of(Shape.of(2, 5, 4, 3), Shape.of(2, 4)), m.inputShapes());
            assertEquals(List.of(Shape.of(2, 5, 4, 4), Shape.of(2, 4)), m.outputShapes());
            float[][] got = m.predictAll(x);
            for (int k = 0; k < 2; k++) {
                assertArrayEquals(expected[k], got[k], 1e-4f, m.outputNames().get(k));
            }
            m.names(List.of("img", "feat"), List.of("heatmap", "embedding"));
            Map<String, float[]> named = m.predict(Map.of("feat", x[1], "img", x[0]));
            assertEquals(List.of("heatmap", "embedding"), List.copyOf(named.keySet()));
            assertArrayEquals(got[1], named.get("embedding"));
            IllegalArgumentException single = assertThrows(IllegalArgumentException.class, () -> m.predict(x[0]));
            assertTrue(single.getMessage().contains("use runAll(float[]...) or run(Map)"), single.getMessage());
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> m.predict(Map.of("image", x[0], "feat", x[1])));
            assertTrue(unknown.getMessage().contains("no input named 'image'"), unknown.getMessage());
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> m.predict(Map.of("img", x[0])));
            assertTrue(missing.getMessage().contains("'feat' is missing"), missing.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.names(List.of("a"), List.of("b", "c")));
            assertThrows(IllegalArgumentException.class, () -> m.names(List.of("a", "a"), List.of("b", "c")));
            IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                    () -> m.predictAll(x[0], x[1], x[1]));
            assertTrue(count.getMessage().contains("takes 2 inputs (image, features), got 3"), count.getMessage());
        }
    }

    @Test
    void aDynamicBatchModelPadsEveryInput() {
        Graph g = net();
        try (DynamicBatchModel m = DynamicBatchModel.compile(g, TestDevices.all().get(0), 4,
                DynamicBatchModel.Rounding.POWER_OF_TWO)) {
            float[][] x = inputs(g, 3, 20);
            float[][] expected = ReferenceExecutor.runAll(g, x, 3);
            float[][] got = m.predictAll(x);
            assertEquals(List.of(4), m.compiledBatchSizes(), "3 examples run at 4");
            for (int k = 0; k < 2; k++) {
                assertArrayEquals(expected[k], got[k], 1e-4f, g.outputs().get(k));
            }
            IllegalArgumentException uneven = assertThrows(IllegalArgumentException.class,
                    () -> m.predictAll(x[0], java.util.Arrays.copyOf(x[1], 8)));
            assertTrue(uneven.getMessage().contains("Input image holds 3 examples and input features 2"),
                    uneven.getMessage());
            IllegalArgumentException partial = assertThrows(IllegalArgumentException.class,
                    () -> m.predictAll(x[0], new float[5]));
            assertTrue(partial.getMessage().contains("The input features has 5 floats"), partial.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.predict(x[0]));
            assertThrows(IllegalArgumentException.class, () -> m.predictAll(x[0]));
        }
    }

    @Test
    void aMultiDeviceModelRefusesSeveralInputsWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MultiDeviceModel.compile(net(), TestDevices.all(), 2));
        assertTrue(e.getMessage().contains("one input and one output"), e.getMessage());
    }
}
