package dev.clnn.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Graph;
import dev.clnn.graph.MemoryPlan;
import dev.clnn.graph.Passes;
import dev.clnn.graph.ReferenceExecutor;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestData;

/** The built-in networks: structure as Keras builds it, and device results against the reference. */
class ModelsTest {
    private static final Contexts CONTEXTS = new Contexts();

    @AfterAll
    static void close() {
        CONTEXTS.close();
    }

    @Test
    void parameterCountsMatchKeras() {
        // keras.applications.MobileNet().count_params() and MobileNetV2(): BatchNorm statistics included
        assertEquals(4_253_864, MobileNetV1.build(new RandomWeights(1)).weightFloats());
        assertEquals(3_538_984, MobileNetV2.build(new RandomWeights(1)).weightFloats());
        // Conv2D(32, 3) + Dense(128) + Dense(10) on 28x28x1
        assertEquals(2_770_634, MnistCnn.build(new RandomWeights(1)).weightFloats());
    }

    @Test
    void shapesFollowKerasAtEveryStride() {
        Graph v1 = MobileNetV1.build(new RandomWeights(1));
        assertEquals(Shape.of(2, 112, 112, 32), v1.shapes(2).get("conv1"));
        assertEquals(Shape.of(2, 7, 7, 1024), v1.shapes(2).get("conv_pw_13_relu"));
        assertEquals(Shape.of(2, 1000), v1.shapes(2).get(v1.output()));
        Graph v2 = MobileNetV2.build(new RandomWeights(1), 0.35f, 96, 10);
        assertEquals(Shape.of(1, 3, 3, 1280), v2.shapes(1).get("out_relu"));
        assertEquals(Shape.of(1, 10), v2.shapes(1).get(v2.output()));
        assertEquals(16, MobileNetV2.makeDivisible(32 * 0.35f));
        assertEquals(1280, MobileNetV2.makeDivisible(1280));
    }

    @Test
    void optimisedMobileNetsFuseEveryBatchNormAndActivation() {
        Graph v1 = Passes.optimize(MobileNetV1.build(new RandomWeights(1)));
        assertEquals(27 + 4, v1.nodes().size(), "27 convolutions, pooling, classifier, reshape, softmax");
        Graph v2 = Passes.optimize(MobileNetV2.build(new RandomWeights(1)));
        assertTrue(v2.nodes().stream().noneMatch(n -> n.op() instanceof dev.clnn.graph.Op.BatchNorm
                || n.op() instanceof dev.clnn.graph.Op.Act || n.op() instanceof dev.clnn.graph.Op.Binary), "all fused");
        MemoryPlan plan = MemoryPlan.of(v1, v1.shapes(1));
        assertTrue(plan.totalFloats() <= 2 * 112 * 112 * 64, "peak activations are the two largest: " + plan.slotFloats());
        MemoryPlan plan2 = MemoryPlan.of(v2, v2.shapes(1));
        assertTrue(plan2.slotFloats().size() <= 3, "v2 needs a third buffer for the shortcut: " + plan2.slotFloats());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void mobileNetsMatchTheReferenceOnEveryDevice(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        check(cl, MobileNetV1.build(new RandomWeights(3), 0.25f, 64, 100), 2);
        check(cl, MobileNetV2.build(new RandomWeights(4), 0.35f, 64, 100), 2);
        check(cl, MnistCnn.build(new RandomWeights(5)), 3);
    }

    private static void check(ClContext cl, Graph g, int batch) {
        float[] x = TestData.uniform((int) g.inputShape(batch).size(), 9);
        float[] expected = ReferenceExecutor.run(g, x, batch);
        try (Model m = Model.compile(g, cl, batch)) {
            float[] got = m.predict(x);
            Comparison c = Comparison.of(got, expected, Tolerances.BENCH_RTOL, Tolerances.BENCH_ATOL);
            assertTrue(c.passed(), g.name() + " on " + cl.device() + ": " + c.describe(got, expected));
        }
    }
}
