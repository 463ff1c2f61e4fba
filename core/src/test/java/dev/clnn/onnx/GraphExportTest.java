package dev.clnn.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import dev.clnn.graph.Graph;
import dev.clnn.graph.Op;
import dev.clnn.graph.Passes;
import dev.clnn.graph.ReferenceExecutor;
import dev.clnn.models.MnistCnn;
import dev.clnn.ops.Activation;
import dev.clnn.models.MobileNetV1;
import dev.clnn.models.MobileNetV2;
import dev.clnn.models.RandomWeights;
import dev.clnn.reference.Comparison;
import dev.clnn.tensor.Shape;
import dev.clnn.testing.TestData;

/**
 * A clnn graph exported to ONNX computes in ONNX Runtime what clnn's reference computes: the
 * built-in networks as built and as optimised (fused epilogues, residuals in convolutions).
 */
class GraphExportTest {

    @Test
    void builtInNetworksRunInOnnxRuntimeWithTheSameResults() throws Exception {
        check(MobileNetV1.build(new RandomWeights(3), 0.25f, 64, 100), 2);
        check(MobileNetV2.build(new RandomWeights(4), 0.35f, 64, 100), 2);
        check(MnistCnn.build(new RandomWeights(5)), 3);
    }

    /** A batch norm not folded into a convolution (DenseNet's, before its convolutions) with its ReLU fused. */
    @Test
    void aBatchNormWithItsActivationExportsAsTwoOperators() throws Exception {
        Graph.Builder b = Graph.builder("bn_relu", "x", Shape.of(5, 6, 4));
        float[] variance = TestData.uniform(4, 3);
        for (int i = 0; i < variance.length; i++) {
            variance[i] = 0.25f + Math.abs(variance[i]);
        }
        String y = b.add("bn", new Op.BatchNorm(TestData.uniform(4, 1), TestData.uniform(4, 2), TestData.uniform(4, 4),
                variance, 1e-3f), "x");
        y = b.add("relu", new Op.Act(Activation.RELU6), y);
        Graph g = b.build(y);
        Graph fused = Passes.optimize(g);
        assertEquals(1, fused.nodes().size(), "the activation joins the batch norm");
        check(g, 2);
    }

    /** MobileNet v2 with its separable blocks joined (as on CPUs) exports as the two convolutions each. */
    @Test
    void joinedSeparableBlocksExportAsTwoConvolutions() throws Exception {
        Graph g = Passes.fuseSeparable(Passes.optimize(MobileNetV2.build(new RandomWeights(7), 0.35f, 48, 10)), 1 << 20);
        assertTrue(g.nodes().stream().anyMatch(n -> n.op() instanceof Op.Separable), "the pass joined blocks");
        assertOnnxRuntimeAgrees(g, 9);
    }

    /** A squeeze-and-excitation block with its scale folded into the projection exports as the multiply and the convolution. */
    @Test
    void aScaledProjectionExportsAsAMultiplyAndAConvolution() throws Exception {
        Graph g = Passes.fuseScales(Passes.optimize(dev.clnn.graph.GraphTest.squeezeExcite()));
        assertTrue(g.nodes().stream().anyMatch(n -> n.op() instanceof Op.Scaled), "the pass joined the projection");
        assertOnnxRuntimeAgrees(g, 10);
    }

    /** A normalisation folded into the pointwise convolution after it exports as the two. */
    @Test
    void aNormalisedPointwiseConvolutionExportsAsANormalisationAndAConvolution() throws Exception {
        Graph g = Passes.fuseNorms(Passes.optimize(dev.clnn.graph.GraphTest.denseBlock()));
        assertTrue(g.nodes().stream().anyMatch(n -> n.op() instanceof Op.Normalized), "the pass joined a layer");
        assertOnnxRuntimeAgrees(g, 11);
    }

    /** A dense block concatenated in place exports as its convolutions and concatenations again. */
    @Test
    void aDenseBlockConcatenatedInPlaceExportsAsConcatenations() throws Exception {
        Graph g = Passes.concatenateInPlace(Passes.fuseNorms(Passes.optimize(dev.clnn.graph.GraphTest.denseBlock())),
                dev.clnn.cl.FakeDevices.h200());
        assertTrue(g.nodes().stream().anyMatch(n -> n.op() instanceof Op.ConvInto), "the pass wrote in place");
        assertOnnxRuntimeAgrees(g, 12);
    }

    /** A fire module whose expansions write their channels in place exports as a convolution, a pad and a concatenation. */
    @Test
    void aFireModuleConcatenatedInPlaceExportsAsConcatenations() throws Exception {
        Graph g = Passes.concatenateInPlace(Passes.optimize(dev.clnn.graph.GraphTest.fire()), dev.clnn.cl.FakeDevices.h200());
        assertTrue(g.nodes().stream().anyMatch(n -> n.op() instanceof Op.Widen w && w.conv() != null), "widened");
        assertOnnxRuntimeAgrees(g, 13);
    }

    /** ONNX Runtime on the export of {@code g} computes what clnn's reference computes on {@code g}, at batch 2. */
    private static void assertOnnxRuntimeAgrees(Graph g, long seed) throws Exception {
        float[] x = TestData.uniform((int) g.inputShape(2).size(), seed);
        float[] expected = ReferenceExecutor.run(g, x, 2);
        float[] got = ort(GraphExport.toBytes(g), x, g.inputShape(2));
        Comparison c = Comparison.of(got, expected, 1e-4f, 1e-5f);
        assertTrue(c.passed(), g.name() + ": " + c.describe(got, expected));
    }

    private static void check(Graph g, int batch) throws Exception {
        for (Graph variant : new Graph[] {g, Passes.optimize(g)}) {
            float[] x = TestData.uniform((int) variant.inputShape(batch).size(), 9);
            float[] expected = ReferenceExecutor.run(variant, x, batch);
            float[] got = ort(GraphExport.toBytes(variant), x, variant.inputShape(batch));
            Comparison c = Comparison.of(got, expected, 1e-4f, 1e-5f);
            assertTrue(c.passed(), variant.name() + " (" + variant.nodes().size() + " nodes): "
                    + c.describe(got, expected));
        }
    }

    /**
     * Imports {@code m}, exports it again by {@link GraphExport} as imported and optimised (fused
     * epilogues, transpose flags), and checks that ONNX Runtime computes on each what clnn's
     * reference computes on the import, at {@code batch}.
     */
    static void assertExportRunsInOnnxRuntime(ModelProto m, int batch) throws Exception {
        Graph g = OnnxImport.load(m.toByteArray(), null, m.getGraph().getName()).graph();
        float[] x = TestData.uniform((int) g.inputShape(batch).size(), 5);
        float[] expected = ReferenceExecutor.run(g, x, batch);
        for (Graph variant : List.of(g, Passes.optimize(g))) {
            float[] got = ort(GraphExport.toBytes(variant), x, g.inputShape(batch));
            Comparison c = Comparison.of(got, expected, 1e-4f, 1e-5f);
            assertTrue(c.passed(), m.getGraph().getName() + " exported: " + c.describe(got, expected));
        }
    }

    /**
     * ONNX Runtime's options for checking an export: its graph rewrites off, so that the check reads
     * the exported operators as the ONNX specification defines them (ONNX Runtime 1.20's
     * MatMul-BatchNormalization fusion rejects a MatMul on rank 3 followed by a Flatten).
     */
    private static OrtSession.SessionOptions noGraphRewrites() throws Exception {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
        return options;
    }

    static float[] ort(byte[] model, float[] x, Shape shape) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] dims = new long[shape.rank()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.dim(i);
        }
        try (OrtSession.SessionOptions options = noGraphRewrites();
             OrtSession session = env.createSession(model, options);
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), dims);
             OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), in))) {
            OnnxTensor out = (OnnxTensor) result.get(0);
            FloatBuffer b = out.getFloatBuffer();
            float[] y = new float[b.remaining()];
            b.get(y);
            return y;
        }
    }

    @Test
    void importingTheExportGivesTheSameNetwork() throws Exception {
        Graph g = Passes.optimize(MobileNetV2.build(new RandomWeights(6), 0.35f, 48, 10));
        OnnxModel back = OnnxImport.load(GraphExport.toBytes(g), java.nio.file.Path.of("."), "exported");
        float[] x = TestData.uniform((int) g.inputShape(1).size(), 2);
        float[] a = ReferenceExecutor.run(g, x, 1);
        float[] b = ReferenceExecutor.run(back.graph(), x, 1);
        assertArrayEquals(a, b, 1e-4f);
    }
}
