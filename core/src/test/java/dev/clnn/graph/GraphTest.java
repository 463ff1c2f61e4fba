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
import dev.clnn.ops.ConcatParams;
import dev.clnn.ops.Conv2d;
import dev.clnn.ops.Conv2dParams;
import dev.clnn.ops.ElementwiseParams;
import dev.clnn.ops.NormalizedPointwise;
import dev.clnn.ops.Pool2dParams;
import dev.clnn.ops.ScaledPointwise;
import dev.clnn.ops.SeparableConv;
import dev.clnn.ops.SoftmaxParams;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestData;

/** Graph building, the fusion passes, the memory planner and the executor against the reference. */
public class GraphTest {
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

    /** Every kind of op: conv + BN + ReLU6, depthwise, pointwise with a residual, BN + ReLU, pooling, dense, softmax. */
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
        normed = g.add("post_relu", new Op.Act(Activation.RELU), normed);
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
        // conv+bn+relu, dw+bn+relu, pw+bn+add, fc+tanh each become one node; post_bn follows a mul and stays,
        // with the ReLU after it in its kernel
        assertEquals(List.of("conv", "dw", "pw", "scale", "post_bn", "pool", "gap", "flat", "fc", "softmax"), names);
        assertEquals(Activation.RELU, ((Op.BatchNorm) opt.nodes().get(4).op()).activation());
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

    /** x -> depthwise 3x3 + relu6 -> pointwise to 4 (+ residual-free) -> depthwise -> pointwise to {@code wide}. */
    private static Graph separableChain(int wide) {
        Graph.Builder b = Graph.builder("separable", "x", Shape.of(7, 6, 8));
        Op.Conv dw = conv(3, 8, 8, 1, 8, new int[] {1, 1, 1, 1}, true);
        dw = new Op.Conv(dw.params().withActivation(Activation.RELU6), dw.weightShape(), dw.weights(), dw.bias());
        String v = b.add("dw", dw, "x");
        v = b.add("pw", conv(1, 8, 4, 1, 1, new int[] {0, 0, 0, 0}, true), v);
        v = b.add("dw2", conv(3, 4, 4, 2, 4, new int[] {0, 0, 1, 1}, false), v);
        v = b.add("pw2", conv(1, 4, wide, 1, 1, new int[] {0, 0, 0, 0}, true), v);
        return b.build(v);
    }

    @Test
    void aDepthwiseConvolutionJoinsThePointwiseOneThatAloneReadsIt() {
        Graph g = separableChain(80);
        Graph f = Passes.fuseSeparable(g, 64);
        assertEquals(List.of("pw", "dw2", "pw2"), f.nodes().stream().map(Node::name).toList(),
                "the pointwise layer wider than 64 channels stays apart");
        Op.Separable s = (Op.Separable) f.nodes().get(0).op();
        assertEquals(Activation.RELU6, s.depthwise().params().activation());
        assertEquals(List.of("x"), f.nodes().get(0).inputs());
        assertEquals(2, Passes.fuseSeparable(g, 128).nodes().size(), "both blocks join when wide ones may");
        assertSameReference(g, f, 4, "the reference of the joined op is the two convolutions'");
        assertEquals(g.weightFloats(), f.weightFloats());
        // a depthwise output read twice stays
        Graph.Builder b = Graph.builder("two readers", "x", Shape.of(5, 5, 4));
        String d = b.add("dw", conv(3, 4, 4, 1, 4, new int[] {1, 1, 1, 1}, true), "x");
        b.add("pw", conv(1, 4, 4, 1, 1, new int[] {0, 0, 0, 0}, true), d);
        b.add("sum", new Op.Binary(ElementwiseParams.add()), "pw", d);
        assertEquals(3, Passes.fuseSeparable(b.build("sum"), 64).nodes().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void separableBlocksRunAsOneKernelOnCpusAndComputeTheSame(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Graph g = separableChain(24);
        Graph lowered = Passes.optimize(g, device);
        long joined = lowered.nodes().stream().filter(n -> n.op() instanceof Op.Separable).count();
        assertEquals(SeparableConv.widestOn(device) >= 24 ? 2 : 0, joined, lowered.nodes().toString());
        assertLoweredComputesTheSame(cl, g, lowered, 21);
    }

    /** {@code lowered} (a device's rewrite of {@code g}) runs on the device as {@code g}'s reference computes, at batch 1 and 3. */
    private static void assertLoweredComputesTheSame(ClContext cl, Graph g, Graph lowered, long seed) {
        for (int batch : new int[] {1, 3}) {
            float[] x = TestData.uniform((int) g.inputShape(batch).size(), seed + batch);
            float[] expected = ReferenceExecutor.run(g, x, batch);
            try (Executable e = Executable.compile(cl, lowered, batch)) {
                float[] got = e.run(x);
                Comparison c = Comparison.of(got, expected, Tolerances.BENCH_RTOL, 1e-5f);
                assertTrue(c.passed(), "batch " + batch + ": " + c.describe(got, expected));
            }
        }
    }

    /**
     * x -> depthwise -> squeeze-and-excitation (global pool, two 1x1 convolutions, sigmoid) -> x * s ->
     * pointwise projection with a residual of the block's input.
     */
    public static Graph squeezeExcite() {
        Graph.Builder b = Graph.builder("se", "x", Shape.of(6, 5, 8));
        String d = b.add("dw", conv(3, 8, 8, 1, 8, new int[] {1, 1, 1, 1}, true), "x");
        String g = b.add("gap", new Op.Pool(Pool2dParams.globalAverage()), d);
        String f1 = b.add("fc1", conv(1, 8, 4, 1, 1, new int[] {0, 0, 0, 0}, true), g);
        String a1 = b.add("relu", new Op.Act(Activation.RELU), f1);
        String f2 = b.add("fc2", conv(1, 4, 8, 1, 1, new int[] {0, 0, 0, 0}, true), a1);
        String sg = b.add("sigmoid", new Op.Act(Activation.SIGMOID), f2);
        String m = b.add("mul", new Op.Binary(ElementwiseParams.mul()), d, sg);
        String p = b.add("project", conv(1, 8, 8, 1, 1, new int[] {0, 0, 0, 0}, true), m);
        String y = b.add("add", new Op.Binary(ElementwiseParams.add()), p, "x");
        return b.build(y);
    }

    @Test
    void aPerImageScaleJoinsThePointwiseConvolutionThatAloneReadsIt() {
        Graph g = Passes.optimize(squeezeExcite());
        Graph f = Passes.fuseScales(g);
        Node project = node(f, "project");
        assertTrue(project.op() instanceof Op.Scaled, project.toString());
        assertEquals(g.nodes().size() - 1, f.nodes().size(), "the multiply is gone");
        assertEquals(List.of("dw", "sigmoid", "x"), project.inputs(), "activations, scale, residual");
        assertSameReference(g, f, 8, "the reference of the joined op is the multiply and the convolution");
        // a scale per row of pixels, not per image: nothing joins
        Graph.Builder b = Graph.builder("row scale", "x", Shape.of(4, 4, 8));
        b.input("s", Shape.of(4, 1, 8));
        String m = b.add("mul", new Op.Binary(ElementwiseParams.mul()), "x", "s");
        b.add("pw", conv(1, 8, 4, 1, 1, new int[] {0, 0, 0, 0}, true), m);
        Graph shared = b.build("pw");
        assertEquals(shared.nodes().size(), Passes.fuseScales(shared).nodes().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void scaledProjectionsRunAsOneKernelOnCpusAndComputeTheSame(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Graph g = squeezeExcite();
        Graph lowered = Passes.optimize(g, device);
        long joined = lowered.nodes().stream().filter(n -> n.op() instanceof Op.Scaled).count();
        assertEquals(ScaledPointwise.runsOn(device) ? 1 : 0, joined, lowered.nodes().toString());
        assertLoweredComputesTheSame(cl, g, lowered, 31);
    }

    /**
     * Two layers of a dense block (DenseNet): each concatenates the block's features, normalises them
     * with a ReLU and reads them through a pointwise convolution; the second's normalisation is also read
     * by a 3x3 convolution, and a third normalisation, with a SiLU, feeds a pointwise convolution too.
     */
    public static Graph denseBlock() {
        Graph.Builder b = Graph.builder("dense block", "x", Shape.of(6, 5, 8));
        String a = b.add("stem", conv(3, 8, 8, 1, 1, new int[] {1, 1, 1, 1}, true), "x");
        String c1 = b.add("concat1", new Op.Concat(ConcatParams.axis(3), 2), "x", a);
        String n1 = b.add("norm1", bnWith(16, Activation.RELU), c1);
        String p1 = b.add("pw1", conv(1, 16, 8, 1, 1, new int[] {0, 0, 0, 0}, true), n1);
        String f1 = b.add("conv1", conv(3, 8, 4, 1, 1, new int[] {1, 1, 1, 1}, false), p1);
        String c2 = b.add("concat2", new Op.Concat(ConcatParams.axis(3), 3), "x", a, f1);
        String n2 = b.add("norm2", bnWith(20, Activation.RELU6), c2);
        String p2 = b.add("pw2", conv(1, 20, 6, 1, 1, new int[] {0, 0, 0, 0}, true), n2);
        String q2 = b.add("side2", conv(3, 20, 6, 1, 1, new int[] {1, 1, 1, 1}, true), n2);
        String n3 = b.add("norm3", bnWith(20, Activation.SILU), c2);
        String p3 = b.add("pw3", conv(1, 20, 6, 1, 1, new int[] {0, 0, 0, 0}, false), n3);
        String s = b.add("sum", new Op.Binary(ElementwiseParams.add()), p2, q2);
        String y = b.add("out", new Op.Binary(ElementwiseParams.add()), s, p3);
        return b.build(y);
    }

    private static Op.BatchNorm bnWith(int c, Activation a) {
        Op.BatchNorm n = bn(c);
        return new Op.BatchNorm(n.gamma(), n.beta(), n.mean(), n.variance(), n.epsilon(), a);
    }

    @Test
    void aNormalisationJoinsThePointwiseConvolutionThatAloneReadsIt() {
        Graph g = Passes.optimize(denseBlock());
        Graph f = Passes.fuseNorms(g);
        Node pw1 = node(f, "pw1");
        assertTrue(pw1.op() instanceof Op.Normalized, pw1.toString());
        assertEquals(List.of("concat1"), pw1.inputs(), "the concatenation, read raw");
        assertEquals(1, count(f, Op.Normalized.class), "norm2 is read twice and norm3 has a SiLU: both stay apart, "
                + f.nodes());
        assertEquals(g.nodes().size() - 1, f.nodes().size(), "norm1 is gone");
        assertSameReference(g, f, 12, "the reference of the joined op is the normalisation and the convolution");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void normalisedPointwiseConvolutionsRunAsOneKernelOnCpusAndComputeTheSame(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Graph g = denseBlock();
        Graph lowered = Passes.optimize(g, device);
        assertEquals(NormalizedPointwise.runsOn(device) ? 1 : 0, count(lowered, Op.Normalized.class),
                lowered.nodes().toString());
        assertLoweredComputesTheSame(cl, g, lowered, 41);
    }

    @Test
    void aDenseBlocksConcatenationsCopyNothing() {
        Graph g = Passes.fuseNorms(Passes.optimize(denseBlock()));
        Graph f = Passes.concatenateInPlace(g, dev.clnn.cl.FakeDevices.h200());
        assertEquals(0, count(f, Op.Concat.class), f.nodes().toString());
        assertEquals(1, count(f, Op.Widen.class), "the block's input copied into the wide tensor once");
        assertEquals(2, count(f, Op.ConvInto.class), "the stem and conv1 write their channels in place");
        Node pw1 = node(f, "pw1");
        Node conv1 = node(f, "conv1");
        assertEquals(List.of("concat2/1"), pw1.inputs(), "concat1 is the wide tensor once the stem has written it");
        assertEquals(List.of("pw1", "concat2/1"), conv1.inputs());
        assertEquals(16, ((Op.ConvInto) conv1.op()).offset(), "after x's 8 channels and the stem's 8");
        assertEquals("concat2", conv1.output(), "the last writer defines the largest concatenation");
        assertSameReference(g, f, 13, "the same values, with no copies");
        // a prefix read by a normalisation of its own (not joined to a convolution): everything stays a copy
        Graph apart = Passes.optimize(denseBlock());
        assertEquals(apart.nodes(), Passes.concatenateInPlace(apart, dev.clnn.cl.FakeDevices.h200()).nodes());
    }

    /** SqueezeNet's fire module: a 1x1 squeeze, then 1x1 and 3x3 expansions concatenated, then a 1x1. */
    public static Graph fire() {
        Graph.Builder b = Graph.builder("fire", "x", Shape.of(6, 5, 8));
        String q = b.add("squeeze", conv(1, 8, 4, 1, 1, new int[] {0, 0, 0, 0}, true), "x");
        String e1 = b.add("expand1", conv(1, 4, 8, 1, 1, new int[] {0, 0, 0, 0}, true), q);
        String e3 = b.add("expand3", conv(3, 4, 8, 1, 1, new int[] {1, 1, 1, 1}, true), q);
        String c = b.add("concat", new Op.Concat(ConcatParams.axis(3), 2), e1, e3);
        return b.build(b.add("head", conv(1, 16, 5, 1, 1, new int[] {0, 0, 0, 0}, true), c));
    }

    @Test
    void aFireModulesExpansionsBothWriteTheirChannelsInPlace() {
        Graph g = Passes.optimize(fire());
        Graph f = Passes.concatenateInPlace(g, dev.clnn.cl.FakeDevices.h200());
        assertEquals(0, count(f, Op.Concat.class), f.nodes().toString());
        Node e1 = node(f, "expand1");
        assertTrue(e1.op() instanceof Op.Widen w && w.conv() != null && w.channels() == 16, e1.toString());
        Node e3 = node(f, "expand3");
        assertTrue(e3.op() instanceof Op.ConvInto c && c.offset() == 8, e3.toString());
        assertEquals(g.nodes().size() - 1, f.nodes().size(), "only the concatenation is gone");
        assertSameReference(g, f, 14, "the same values, with no copies");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void fireModulesConcatenateInPlaceAndComputeTheSame(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Graph g = fire();
        Graph lowered = Passes.optimize(g, device);
        boolean expected = concatenatesInPlace(device, (Op.Conv) node(g, "expand3").op(), Shape.of(1, 6, 5, 4));
        assertEquals(expected ? 0 : 1, count(lowered, Op.Concat.class), lowered.nodes().toString());
        assertLoweredComputesTheSame(cl, g, lowered, 61);
    }

    /** The node of {@code g} named {@code name}. */
    private static Node node(Graph g, String name) {
        return g.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    /** The reference computes on {@code f}, a rewrite of {@code g}, exactly what it computes on {@code g}, at batch 2. */
    private static void assertSameReference(Graph g, Graph f, long seed, String message) {
        float[] x = TestData.uniform((int) g.inputShape(2).size(), seed);
        org.junit.jupiter.api.Assertions.assertArrayEquals(ReferenceExecutor.run(g, x, 2), ReferenceExecutor.run(f, x, 2),
                message);
    }

    /**
     * Whether {@code device} concatenates in place a group whose convolution {@code conv} reads
     * inputs shaped {@code input}: it folds normalisations, and the convolution writes a slice there.
     */
    private static boolean concatenatesInPlace(ClDevice device, Op.Conv conv, Shape input) {
        return NormalizedPointwise.runsOn(device) && Conv2d.writesSlices(device, conv.params(), input, conv.weightShape());
    }

    private static long count(Graph g, Class<? extends Op> kind) {
        return g.nodes().stream().filter(n -> kind.isInstance(n.op())).count();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void denseBlocksConcatenateInPlaceOnCpusAndComputeTheSame(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Graph g = denseBlock();
        Graph lowered = Passes.optimize(g, device);
        boolean expected = concatenatesInPlace(device, (Op.Conv) node(g, "stem").op(), Shape.of(1, 6, 5, 8));
        assertEquals(expected ? 0 : 2, count(lowered, Op.Concat.class), lowered.nodes().toString());
        assertEquals(expected ? 2 : 0, count(lowered, Op.ConvInto.class), lowered.nodes().toString());
        assertLoweredComputesTheSame(cl, g, lowered, 51);
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
                // the breakdown by kernel accounts for every launch and all of the layer's time
                assertEquals(t.kernels(), t.parts().stream().mapToInt(Executable.KernelTime::launches).sum(),
                        t.node().name() + ": " + t.parts());
                assertEquals(t.nanos(), t.parts().stream().mapToLong(Executable.KernelTime::nanos).sum(),
                        t.node().name() + ": " + t.parts());
                assertEquals(t.parts().size(), t.parts().stream().map(Executable.KernelTime::kernel).distinct().count(),
                        t.node().name() + ": " + t.parts());
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

    /**
     * Two inputs, an image {@code a} (6, 5, 3) and a second image {@code b} (6, 5, 2), through a
     * convolution each, added, then two heads: class probabilities {@code p} (3) and a pointwise
     * convolution {@code q} (6, 5, 2). With {@code extra}, the sum {@code s} (read by the ReLU too)
     * and the input {@code b} are outputs as well.
     */
    static Graph twoInTwoOut(boolean extra) {
        Graph.Builder g = Graph.builder("two_heads", "a", Shape.of(6, 5, 3));
        g.input("b", Shape.of(6, 5, 2));
        String ca = g.add("conv_a", conv(3, 3, 4, 1, 1, new int[] {1, 1, 1, 1}, true), "a");
        String cb = g.add("conv_b", conv(1, 2, 4, 1, 1, new int[] {0, 0, 0, 0}, false), "b");
        String s = g.add("s", new Op.Binary(ElementwiseParams.add()), ca, cb);
        String r = g.add("relu", new Op.Act(Activation.RELU), s);
        String gap = g.add("gap", new Op.Pool(Pool2dParams.globalAverage()), r);
        String flat = g.add("flat", new Op.Reshape(new int[] {-1}), gap);
        String fc = g.add("fc", new Op.Dense(4, 3, TestData.uniform(12, 81), TestData.uniform(3, 82), Activation.NONE),
                flat);
        String p = g.add("p", new Op.Softmax(SoftmaxParams.softmax(-1)), fc);
        String q = g.add("q", conv(1, 4, 2, 1, 1, new int[] {0, 0, 0, 0}, true), r);
        return extra ? g.build(s, p, "b", q) : g.build(p, q);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void aGraphOfTwoInputsAndTwoOutputsRunsLikeTheReference(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        for (boolean extra : new boolean[] {false, true}) {
            Graph g = twoInTwoOut(extra);
            for (Graph variant : List.of(g, Passes.optimize(g))) {
                for (int batch : new int[] {1, 3}) {
                    float[] a = TestData.uniform((int) g.inputShape(batch).size(), 20 + batch);
                    float[] b = TestData.uniform((int) g.inputs().get(1).shape(batch).size(), 30 + batch);
                    float[][] expected = ReferenceExecutor.runAll(variant, new float[][] {a, b}, batch);
                    assertEquals(g.outputs().size(), expected.length);
                    try (Executable e = Executable.compile(cl, variant, batch)) {
                        assertEquals(List.of(Shape.of(batch, 6, 5, 3), Shape.of(batch, 6, 5, 2)), e.inputShapes());
                        float[][] got = e.runAll(a, b);
                        java.util.Map<String, float[]> named = e.run(java.util.Map.of("b", b, "a", a));
                        assertEquals(g.outputs(), List.copyOf(named.keySet()), "outputs in the graph's order");
                        for (int k = 0; k < got.length; k++) {
                            String what = variant.nodes().size() + " nodes, batch " + batch + ", output "
                                    + g.outputs().get(k) + ": ";
                            assertEquals(e.outputShapes().get(k).size(), got[k].length, what);
                            Comparison c = Comparison.of(got[k], expected[k], Tolerances.BENCH_RTOL, 1e-5f);
                            assertTrue(c.passed(), what + c.describe(got[k], expected[k]));
                            assertEquals(0, Comparison.of(named.get(g.outputs().get(k)), got[k], 0, 0).failures(), what);
                        }
                        if (extra) {
                            assertEquals(0, Comparison.of(got[2], b, 0, 0).failures(), "an input as an output");
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void severalInputsRunOnDeviceTensorsAndConcurrently(ClDevice device) throws Exception {
        ClContext cl = CONTEXTS.on(device);
        Graph g = Passes.optimize(twoInTwoOut(false));
        float[] a = TestData.uniform((int) g.inputShape(2).size(), 41);
        float[] b = TestData.uniform((int) g.inputs().get(1).shape(2).size(), 42);
        try (Executable e = Executable.compile(cl, g, 2);
             Tensor ta = Tensor.of(cl, e.inputShapes().get(0), a);
             Tensor tb = Tensor.of(cl, e.inputShapes().get(1), b)) {
            float[][] host = e.runAll(a, b);
            List<Tensor> out = e.runAll(ta, tb);
            assertEquals(2, out.size());
            for (int k = 0; k < 2; k++) {
                assertEquals(e.outputShapes().get(k), out.get(k).shape());
                assertEquals(0, Comparison.of(out.get(k).toArray(), host[k], 0, 0).failures());
            }
            assertEquals(g.nodes().size(), e.profile(ta, tb).size());
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
            try {
                List<java.util.concurrent.Future<float[][]>> runs = new java.util.ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    runs.add(pool.submit(() -> e.runAll(a, b)));
                }
                for (java.util.concurrent.Future<float[][]> f : runs) {
                    float[][] r = f.get();
                    for (int k = 0; k < 2; k++) {
                        assertEquals(0, Comparison.of(r[k], host[k], 0, 0).failures(), "concurrent runs agree");
                    }
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void outputsAreNeverFusedAwayNorTheirBuffersReused() {
        Graph g = twoInTwoOut(true);
        Graph opt = Passes.optimize(g);
        assertEquals(List.of("s", "p", "b", "q"), opt.outputs());
        // the add may ride in a convolution's epilogue, but the ReLU after it may not: s is read as it is
        Op sum = opt.producer("s").op();
        assertTrue(sum instanceof Op.Conv c && c.params().activation().kind() == Activation.Kind.NONE, sum.describe());
        assertTrue(opt.nodes().stream().anyMatch(n -> n.op() instanceof Op.Act), "the ReLU of s stays");
        for (Graph variant : List.of(g, opt)) {
            MemoryPlan plan = MemoryPlan.of(variant, variant.shapes(1));
            assertEquals(-1, plan.slotOf("b"), "an input takes no slot");
            for (String out : variant.outputs()) {
                int slot = plan.slotOf(out);
                Node producer = variant.producer(out);
                if (slot < 0) {
                    continue;
                }
                boolean after = false;
                for (Node n : variant.nodes()) {
                    if (after && !(n.op() instanceof Op.Reshape)) {
                        assertTrue(plan.slotOf(n.output()) != slot, n.name() + " overwrites output " + out);
                    }
                    after |= n == producer;
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void wrongInputsOfSeveralAreRejectedNamingTheInput(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Graph g = twoInTwoOut(false);
        float[] a = new float[(int) g.inputShape(2).size()];
        float[] b = new float[(int) g.inputs().get(1).shape(2).size()];
        try (Executable e = Executable.compile(cl, g, 2)) {
            IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> e.runAll(a));
            assertTrue(one.getMessage().contains("takes 2 inputs (a, b), got 1"), one.getMessage());
            IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                    () -> e.runAll(a, new float[7]));
            assertTrue(length.getMessage().contains("input b of (2, 6, 5, 2) = 120 floats per batch of 2, got 7"),
                    length.getMessage());
            IllegalArgumentException single = assertThrows(IllegalArgumentException.class, () -> e.run(a));
            assertTrue(single.getMessage().contains("2 inputs (a (2, 6, 5, 3), b (2, 6, 5, 2))")
                    && single.getMessage().contains("use runAll"), single.getMessage());
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> e.run(java.util.Map.of("a", a)));
            assertTrue(missing.getMessage().contains("input b is missing"), missing.getMessage());
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> e.run(java.util.Map.of("a", a, "b", b, "c", b)));
            assertTrue(unknown.getMessage().contains("no input named c"), unknown.getMessage());
            try (Tensor ta = Tensor.allocate(cl, g.inputShape(2)); Tensor tb = Tensor.allocate(cl, g.inputShape(2))) {
                IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> e.runAll(ta, tb));
                assertTrue(shape.getMessage().contains("input b (2, 6, 5, 2), got (2, 6, 5, 3)"), shape.getMessage());
                assertThrows(IllegalArgumentException.class, () -> e.run(ta));
                assertThrows(IllegalArgumentException.class, () -> e.profile(ta));
            }
        }
        IllegalArgumentException reference = assertThrows(IllegalArgumentException.class,
                () -> ReferenceExecutor.runAll(g, new float[][] {a}, 2));
        assertTrue(reference.getMessage().contains("takes 2 inputs [a, b], got 1"), reference.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ReferenceExecutor.run(g, a, 2));
    }

    @Test
    void inputsAndOutputsAreCheckedWhenTheGraphIsBuilt() {
        Graph.Builder twice = Graph.builder("twice", "x", Shape.of(4));
        twice.input("x", Shape.of(2));
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> twice.build("x"));
        assertTrue(dup.getMessage().contains("input x is declared twice"), dup.getMessage());
        Graph.Builder b = Graph.builder("outs", "x", Shape.of(4));
        b.input("y", Shape.of(4));
        String sum = b.add("sum", new Op.Binary(ElementwiseParams.add()), "x", "y");
        IllegalArgumentException repeated = assertThrows(IllegalArgumentException.class, () -> b.build(sum, sum));
        assertTrue(repeated.getMessage().contains("output sum is listed twice"), repeated.getMessage());
        IllegalArgumentException undefined = assertThrows(IllegalArgumentException.class, () -> b.build(sum, "nope"));
        assertTrue(undefined.getMessage().contains("no node defines the output nope"), undefined.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.build());
        Graph.Builder shadow = Graph.builder("shadow", "x", Shape.of(4));
        shadow.input("y", Shape.of(4));
        shadow.add("y", new Op.Act(Activation.RELU), "x");
        IllegalArgumentException redefined = assertThrows(IllegalArgumentException.class, () -> shadow.build("y"));
        assertTrue(redefined.getMessage().contains("value y is defined twice (it is a graph input)"),
                redefined.getMessage());
        Graph g = b.build("y", sum);
        assertEquals(List.of("x", "y"), g.inputNames());
        assertEquals("x", g.input());
        assertEquals("y", g.output());
        assertEquals(Shape.of(3, 4), g.shapes(3).get("y"));
    }
}
