package dev.clnn.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.ops.Activation;
import dev.clnn.ops.Conv2dParams;
import dev.clnn.ops.ElementwiseParams;
import dev.clnn.ops.Pool2dParams;
import dev.clnn.ops.SoftmaxParams;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestData;

/** Graph building, the fusion passes, the memory planner and the executor against the reference. */
class GraphTest {
    private static final Contexts CONTEXTS = new Contexts();

    @AfterAll
    static void close() {
        CONTEXTS.close();
    }

    private static long seed = 1;

    private static Op.Conv conv(int k, int cin, int cout, int stride, int groups, int[] pad, boolean bias) {
        Shape w = Shape.of(k, k, cin / groups, cout);
        Conv2dParams p = Conv2dParams.defaults().withStride(stride).withGroups(groups)
                .withPadding(pad[0], pad[1], pad[2], pad[3]);
        return new Op.Conv(p, w, TestData.uniform((int) w.size(), seed++), bias ? TestData.uniform(cout, seed++) : null);
    }

    private static Op.BatchNorm bn(int c) {
        float[] var = TestData.uniform(c, seed++);
        for (int i = 0; i < c; i++) {
            var[i] = 0.5f + Math.abs(var[i]);
        }
        return new Op.BatchNorm(TestData.uniform(c, seed++), TestData.uniform(c, seed++), TestData.uniform(c, seed++),
                var, 1e-3f);
    }

    /** Every kind of op: conv + BN + ReLU6, depthwise, pointwise with a residual, pooling, dense, softmax. */
    static Graph everyOp() {
        Graph.Builder g = Graph.builder("every_op", "x", Shape.of(9, 10, 3));
        String a = g.add("conv", conv(3, 3, 8, 2, 1, new int[] {0, 0, 1, 1}, false), "x");
        a = g.add("conv_bn", bn(8), a);
        a = g.add("conv_relu", new Op.Act(Activation.RELU6), a);
        String d = g.add("dw", conv(3, 8, 8, 1, 8, new int[] {1, 1, 1, 1}, false), a);
        d = g.add("dw_bn", bn(8), d);
        d = g.add("dw_relu", new Op.Act(Activation.RELU6), d);
        String p = g.add("pw", conv(1, 8, 8, 1, 1, new int[] {0, 0, 0, 0}, true), d);
        p = g.add("pw_bn", bn(8), p);
        String sum = g.add("add", new Op.Binary(ElementwiseParams.add()), a, p);
        String scaled = g.add("scale", new Op.BinaryConst(ElementwiseParams.mul(), Shape.of(8), TestData.uniform(8, 77)), sum);
        String normed = g.add("post_bn", bn(8), scaled);
        String pooled = g.add("pool", new Op.Pool(Pool2dParams.max(2, 2)), normed);
        String gap = g.add("gap", new Op.Pool(Pool2dParams.globalAverage()), pooled);
        String flat = g.add("flat", new Op.Reshape(new int[] {-1}), gap);
        String fc = g.add("fc", new Op.Dense(8, 5, TestData.uniform(40, 78), TestData.uniform(5, 79), Activation.NONE),
                flat);
        String tanh = g.add("tanh", new Op.Act(Activation.TANH), fc);
        return g.add("softmax", new Op.Softmax(SoftmaxParams.softmax(-1)), tanh) == null ? null
                : g.build("softmax");
    }

    @Test
    void passesFoldBatchNormsAndFuseActivationsAndResidualsWithoutChangingResults() {
        Graph g = everyOp();
        Graph opt = Passes.optimize(g);
        List<String> names = opt.nodes().stream().map(Node::name).toList();
        // conv+bn+relu, dw+bn+relu, pw+bn+add, fc+tanh each become one node; post_bn follows a mul and stays
        assertEquals(List.of("conv", "dw", "pw", "scale", "post_bn", "pool", "gap", "flat", "fc", "softmax"), names);
        Op.Conv pw = (Op.Conv) opt.nodes().get(2).op();
        assertEquals(Conv2dParams.Residual.ADD_THEN_ACTIVATE, pw.params().residual());
        assertEquals(Activation.RELU6, ((Op.Conv) opt.nodes().get(0).op()).params().activation());
        assertEquals(Activation.TANH, ((Op.Dense) opt.nodes().get(8).op()).activation());
        float[] x = TestData.uniform((int) g.inputShape(2).size(), 5);
        float[] before = ReferenceExecutor.run(g, x, 2);
        float[] after = ReferenceExecutor.run(opt, x, 2);
        Comparison c = Comparison.of(after, before, 1e-4f, 1e-5f);
        assertTrue(c.passed(), c.describe(after, before));
    }

    @Test
    void nothingIsFusedAwayThatAnotherNodeOrTheOutputReads() {
        Graph.Builder b = Graph.builder("shared", "x", Shape.of(4, 4, 2));
        String c = b.add("conv", conv(1, 2, 2, 1, 1, new int[] {0, 0, 0, 0}, true), "x");
        String r = b.add("relu", new Op.Act(Activation.RELU), c);
        b.add("sum", new Op.Binary(ElementwiseParams.add()), c, r);
        Graph g = Passes.optimize(b.build("sum"));
        assertEquals(3, g.nodes().size(), "conv output has two readers: nothing fuses");
        Graph.Builder b2 = Graph.builder("out", "x", Shape.of(4, 4, 2));
        b2.add("conv", conv(1, 2, 2, 1, 1, new int[] {0, 0, 0, 0}, true), "x");
        b2.add("bn", bn(2), "conv");
        assertEquals(1, Passes.optimize(b2.build("bn")).nodes().size());
        Graph.Builder b3 = Graph.builder("out2", "x", Shape.of(4, 4, 2));
        b3.add("conv", conv(1, 2, 2, 1, 1, new int[] {0, 0, 0, 0}, true), "x");
        b3.add("relu", new Op.Act(Activation.RELU), "conv");
        assertEquals(2, Passes.optimize(b3.build("conv")).nodes().size(), "the graph output is never fused away");
    }

    @Test
    void theMemoryPlanReusesBuffersAlongAChain() {
        Graph.Builder b = Graph.builder("chain", "x", Shape.of(8, 8, 4));
        String v = "x";
        for (int i = 0; i < 10; i++) {
            v = b.addAuto("conv", conv(3, 4, 4, 1, 1, new int[] {1, 1, 1, 1}, true), v);
        }
        Graph g = b.build(v);
        MemoryPlan plan = MemoryPlan.of(g, g.shapes(1));
        assertEquals(2, plan.slotFloats().size(), "a chain ping-pongs between two buffers");
        assertEquals(10 * 256, plan.naiveFloats());
        assertEquals(2 * 256, plan.totalFloats());
        for (int i = 1; i < g.nodes().size(); i++) {
            assertTrue(plan.slotOf(g.nodes().get(i).output()) != plan.slotOf(g.nodes().get(i - 1).output()),
                    "a node never writes the buffer it reads");
        }
        Graph res = Passes.optimize(everyOp());
        MemoryPlan p2 = MemoryPlan.of(res, res.shapes(1));
        assertTrue(p2.slotFloats().size() <= 3, "residual graph slots: " + p2.slotFloats());
        assertEquals(p2.slotOf("gap"), p2.slotOf("flat"), "a reshape shares its input's buffer");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void executesLikeTheReferenceAtSeveralBatchSizes(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Graph g = everyOp();
        for (Graph variant : List.of(g, Passes.optimize(g))) {
            for (int batch : new int[] {1, 3}) {
                float[] x = TestData.uniform((int) g.inputShape(batch).size(), 11 + batch);
                float[] expected = ReferenceExecutor.run(variant, x, batch);
                try (Executable e = Executable.compile(cl, variant, batch)) {
                    float[] got = e.run(x);
                    Comparison c = Comparison.of(got, expected, Tolerances.BENCH_RTOL, 1e-5f);
                    assertTrue(c.passed(), variant.nodes().size() + " nodes, batch " + batch + ": "
                            + c.describe(got, expected));
                    float[] again = e.run(x);
                    assertEquals(Comparison.of(again, got, 0, 0).failures(), 0, "runs are repeatable");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void profilesEveryLayerWithDeviceTimes(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Graph g = Passes.optimize(everyOp());
        try (Executable e = Executable.compile(cl, g, 1);
             Tensor x = Tensor.of(cl, e.inputShape(), TestData.uniform((int) e.inputShape().size(), 3))) {
            List<Executable.LayerTime> times = e.profile(x);
            assertEquals(g.nodes().size(), times.size());
            for (Executable.LayerTime t : times) {
                boolean reshape = t.node().op() instanceof Op.Reshape;
                assertEquals(reshape, t.kernels() == 0, t.node().name() + " launched " + t.kernels() + " kernels");
                assertTrue(t.nanos() >= 0);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void wrongInputsAreRejectedWithTheShapes(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Graph g = everyOp();
        try (Executable e = Executable.compile(cl, g, 2)) {
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> e.run(new float[7]));
            assertTrue(wrong.getMessage().contains("(2, 9, 10, 3)"), wrong.getMessage());
            try (Tensor one = Tensor.allocate(cl, g.inputShape(1))) {
                IllegalArgumentException batch = assertThrows(IllegalArgumentException.class, () -> e.run(one));
                assertTrue(batch.getMessage().contains("compile it for batch 1"), batch.getMessage());
            }
        }
        Executable closed = Executable.compile(cl, g, 1);
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.run(new float[270]));
    }

    @Test
    void malformedGraphsAreRejectedNamingTheNode() {
        Graph.Builder b = Graph.builder("bad", "x", Shape.of(4, 4, 3));
        b.add("relu", new Op.Act(Activation.RELU), "missing");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.build("relu"));
        assertTrue(e.getMessage().contains("relu reads missing"), e.getMessage());
        Graph.Builder b2 = Graph.builder("bad2", "x", Shape.of(4, 4, 3));
        b2.add("conv", conv(3, 5, 8, 1, 1, new int[] {0, 0, 0, 0}, false), "x");
        Graph g = b2.build("conv");
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> g.shapes(1));
        assertTrue(shape.getMessage().contains("node conv"), shape.getMessage());
        assertThrows(IllegalArgumentException.class, () -> g.shapes(0));
    }

    @Test
    void aTransposedMatMulOperandIsReadWithTheGemmTransposeFlag() {
        Graph.Builder b = Graph.builder("attention", "x", Shape.of(3, 5, 4));
        String kt = b.add("kt", new Op.Transpose(dev.clnn.ops.TransposeParams.of(0, 1, 3, 2)), "x");
        String s = b.add("scores", new Op.MatMul(dev.clnn.ops.MatMulParams.PLAIN), "x", kt);
        String qt = b.add("qt", new Op.Transpose(dev.clnn.ops.TransposeParams.of(0, 1, 3, 2)), s);
        String o = b.add("out", new Op.MatMul(dev.clnn.ops.MatMulParams.PLAIN), qt, "x");
        Graph g = b.build(o);
        Graph f = Passes.optimize(g);
        assertEquals(List.of("scores", "out"), f.nodes().stream().map(Node::name).toList());
        assertEquals(new dev.clnn.ops.MatMulParams(false, true), ((Op.MatMul) f.nodes().get(0).op()).params());
        assertEquals(new dev.clnn.ops.MatMulParams(true, false), ((Op.MatMul) f.nodes().get(1).op()).params());
        float[] x = TestData.uniform(2 * 60, 6);
        Comparison c = Comparison.of(ReferenceExecutor.run(f, x, 2), ReferenceExecutor.run(g, x, 2), 1e-6f, 1e-6f);
        assertTrue(c.passed(), c.toString());
        // a transpose another node also reads stays
        Graph.Builder b2 = Graph.builder("shared", "x", Shape.of(3, 4, 4));
        String t2 = b2.add("t", new Op.Transpose(dev.clnn.ops.TransposeParams.of(0, 1, 3, 2)), "x");
        String m2 = b2.add("mm", new Op.MatMul(dev.clnn.ops.MatMulParams.PLAIN), t2, t2);
        assertEquals(2, Passes.optimize(b2.build(m2)).nodes().size());
    }

    @Test
    void transposesThatCancelOrOnlyMoveUnitDimensionsLeaveNoKernel() {
        // an NHWC model exported through NCHW: NHWC -> NCHW -> NHWC before the first convolution
        Graph.Builder b = Graph.builder("edges", "x", Shape.of(6, 5, 1));
        String t = b.add("to_nchw", new Op.Transpose(dev.clnn.ops.TransposeParams.NHWC_TO_NCHW), "x");
        t = b.add("to_nhwc", new Op.Transpose(dev.clnn.ops.TransposeParams.NCHW_TO_NHWC), t);
        t = b.add("conv", conv(3, 1, 4, 1, 1, new int[] {1, 1, 1, 1}, true), t);
        t = b.add("nchw", new Op.Transpose(dev.clnn.ops.TransposeParams.NHWC_TO_NCHW), t);
        Graph g = b.build(t);
        Graph s = Passes.simplifyTransposes(g);
        assertEquals(List.of("conv", "nchw"), s.nodes().stream().map(Node::name).toList());
        assertTrue(s.nodes().get(1).op() instanceof Op.Transpose, "4 channels: a real transpose stays");
        float[] x = TestData.uniform(2 * 30, 4);
        assertEquals(0, Comparison.of(ReferenceExecutor.run(s, x, 2), ReferenceExecutor.run(g, x, 2), 0, 0).failures());

        // a one-channel NHWC -> NCHW is a reshape; two real transposes compose into one
        Graph.Builder c = Graph.builder("unit", "x", Shape.of(4, 3, 1));
        String u = c.add("t1", new Op.Transpose(dev.clnn.ops.TransposeParams.NHWC_TO_NCHW), "x");
        u = c.add("t2", new Op.Transpose(dev.clnn.ops.TransposeParams.of(0, 1, 3, 2)), u);
        Graph h = c.build(u);
        Graph hs = Passes.simplifyTransposes(h);
        assertEquals(1, hs.nodes().size(), hs.nodes().toString());
        assertTrue(hs.nodes().get(0).op() instanceof Op.Transpose);
        float[] y = TestData.uniform(3 * 12, 5);
        assertEquals(0, Comparison.of(ReferenceExecutor.run(hs, y, 3), ReferenceExecutor.run(h, y, 3), 0, 0).failures());
        Graph.Builder d = Graph.builder("unit1", "x", Shape.of(4, 3, 1));
        Graph one = d.build(d.add("t", new Op.Transpose(dev.clnn.ops.TransposeParams.NHWC_TO_NCHW), "x"));
        assertTrue(Passes.simplifyTransposes(one).nodes().get(0).op() instanceof Op.Reshape);
        assertEquals(Shape.of(2, 1, 4, 3), Passes.simplifyTransposes(one).shapes(2).get(one.output()));
    }
}
