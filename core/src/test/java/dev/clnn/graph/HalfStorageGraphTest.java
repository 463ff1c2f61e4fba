package dev.clnn.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.models.MobileNetV2;
import dev.clnn.models.Model;
import dev.clnn.models.RandomWeights;
import dev.clnn.ops.Conv2dParams;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.DType;
import dev.clnn.tensor.Shape;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestData;

/**
 * {@link Passes#storeHalf}: which values become half-precision and where the casts go, graph outputs
 * kept fp32, the type check of every graph, the memory plan's smaller slots, and half-precision
 * graphs and models computing within the half tolerance of fp32 on every device.
 */
class HalfStorageGraphTest {
    private static final Contexts CONTEXTS = new Contexts();

    @AfterAll
    static void close() {
        CONTEXTS.close();
    }

    private static Node node(Graph g, String name) {
        return g.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    private static long count(Graph g, Class<? extends Op> kind) {
        return g.nodes().stream().filter(n -> kind.isInstance(n.op())).count();
    }

    @Test
    void convolutionsStoreHalvesAndCastsComeAtTheBoundaries() {
        Graph opt = Passes.optimize(GraphTest.everyOp());
        Graph half = Passes.storeHalf(opt);
        Map<String, DType> types = half.types();
        // the input is cast once for the first convolution; the pointwise one's output, read by a mul, is cast back
        assertEquals(2, count(half, Op.Cast.class), half.toString());
        for (Node n : half.nodes()) {
            if (n.op() instanceof Op.Conv c) {
                assertEquals(DType.FLOAT16, c.params().storage(), n.name());
                assertEquals(DType.FLOAT16, types.get(n.output()), n.name());
            }
        }
        assertEquals(DType.FLOAT16, types.get("x@fp16"));
        assertEquals(DType.FLOAT32, types.get("softmax"));
        assertEquals(List.of("x@fp16"), node(half, "conv").inputs());
        // the pointwise convolution reads the depthwise one's half output and the first one's as its residual
        assertEquals(List.of(node(half, "dw").output(), node(half, "conv").output()), node(half, "pw").inputs());
        assertEquals(List.of(node(half, "pw").output() + "@fp32"), node(half, "scale").inputs());
        float[] x = TestData.uniform((int) opt.inputShape(2).size(), 3);
        org.junit.jupiter.api.Assertions.assertArrayEquals(ReferenceExecutor.run(opt, x, 2),
                ReferenceExecutor.run(half, x, 2), "the reference of the casts is the identity");
    }

    @Test
    void anOutputComputedInHalfIsRenamedAndCastBack() {
        Graph.Builder b = Graph.builder("conv out", "x", Shape.of(5, 5, 4));
        Shape w = Shape.of(1, 1, 4, 6);
        String c = b.add("c", new Op.Conv(Conv2dParams.defaults(), w, TestData.uniform(24, 1), null), "x");
        String r = b.add("r", new Op.Reshape(new int[] {-1}), c);
        Graph g = b.build(c, r);
        Graph half = Passes.storeHalf(g);
        Map<String, DType> types = half.types();
        assertEquals(DType.FLOAT16, types.get("c@fp16"));
        assertEquals(DType.FLOAT32, types.get("c"));
        assertEquals(DType.FLOAT16, types.get("r@fp16"), "a reshape of a half value is one");
        assertEquals(DType.FLOAT32, types.get("r"));
        assertEquals(List.of("c@fp16"), half.producer("r@fp16").inputs());
        assertEquals(List.of("c", "r"), half.outputs());
    }

    @Test
    void aGraphThatReadsAHalfValueAsFloatsIsRejected() {
        Graph.Builder b = Graph.builder("no cast", "x", Shape.of(5, 5, 4));
        Shape w = Shape.of(1, 1, 4, 4);
        String c = b.add("c", new Op.Conv(Conv2dParams.defaults().withStorage(DType.FLOAT16), w,
                TestData.uniform(16, 1), null), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.build(c));
        assertTrue(e.getMessage().contains("reads x as FLOAT16, but it is stored as FLOAT32"), e.getMessage());
        Graph.Builder b2 = Graph.builder("half out", "x", Shape.of(5, 5, 4));
        String x16 = b2.add("x16", new Op.Cast(DType.FLOAT16), "x");
        String c2 = b2.add("c", new Op.Conv(Conv2dParams.defaults().withStorage(DType.FLOAT16), w,
                TestData.uniform(16, 1), null), x16);
        e = assertThrows(IllegalArgumentException.class, () -> b2.build(c2));
        assertTrue(e.getMessage().contains("graph outputs are FLOAT32"), e.getMessage());
    }

    /** The whole graph in half against the fp32 reference, relative to the output's largest magnitude. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void halfGraphsComputeWithinTheHalfTolerance(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Graph g = GraphTest.everyOp();
        Graph half = Passes.storeHalf(Passes.optimize(g, device));
        for (int batch : new int[] {1, 3}) {
            float[] x = TestData.uniform((int) g.inputShape(batch).size(), 21 + batch);
            float[] expected = ReferenceExecutor.run(g, x, batch);
            try (Executable e = Executable.compile(cl, half, batch)) {
                float[] got = e.run(x);
                Comparison c = Comparison.of(got, expected, 0, Tolerances.halfModelAtol(expected));
                assertTrue(c.passed(), "batch " + batch + ": " + c.describe(got, expected));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void aModelCompiledForHalfStorageAgreesWithFp32(ClDevice device) {
        Graph g = MobileNetV2.build(new RandomWeights(3), 0.35f, 64, 20);
        float[] x = TestData.uniform((int) g.inputShape(2).size(), 4);
        try (Model m32 = Model.compile(g, device, 2);
             Model m16 = Model.compile(g, device, 2, DType.FLOAT16)) {
            assertTrue(count(m16.executable().graph(), Op.Cast.class) > 0);
            assertTrue(m16.executable().activationBytes() < m32.executable().activationBytes(),
                    m16.executable().activationBytes() + " vs " + m32.executable().activationBytes());
            float[] y32 = m32.predict(x);
            float[] y16 = m16.predict(x);
            Comparison c = Comparison.of(y16, y32, 0, Tolerances.halfModelAtol(y32));
            assertTrue(c.passed(), c.describe(y16, y32));
        }
    }
}
