package dev.clnn.nn;

import static dev.clnn.testing.GradientCheck.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.ops.Activation;
import dev.clnn.reference.ReferenceConv2d;
import dev.clnn.reference.ReferenceConv2d.Geometry;
import dev.clnn.reference.ReferenceDense;
import dev.clnn.reference.ReferenceTraining;
import dev.clnn.reference.ReferenceTraining.Act;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Layout;
import dev.clnn.tensor.Shape;
import dev.clnn.tensor.Tensor;
import dev.clnn.testing.Contexts;
import dev.clnn.train.Sgd;

/**
 * Dense and Conv2d read their kernel and bias where they live in the store: every change of the
 * values (a write at the parameter's offset of the flat buffer, an optimizer step) is seen by the
 * next forward pass, in training mode (explicit columns for a 3x3 convolution, the fused operator
 * otherwise) and in inference mode (the fused operator), with no copy to refresh.
 */
class GemmLayerTest {
    private static final Contexts CONTEXTS = new Contexts();
    private static final Act RELU = LayerTesting.reference(Activation.RELU);

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void buildingAllocatesNoCopiesOfTheWeights(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        List<Layer> layers = List.of(new Dense(9), new Conv2d(4, 3, 3, 1, Padding.VALID, Activation.RELU));
        Shape[] inputs = {Shape.of(13), Shape.of(6, 6, 2)};
        for (int i = 0; i < layers.size(); i++) {
            try (Layer layer = layers.get(i)) {
                long before = cl.allocatedBytes();
                layer.build(cl, inputs[i]);
                assertEquals(before, cl.allocatedBytes(), layer + " allocates no buffers when built: its weights"
                        + " live in the store only");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void denseSeesEveryChangeOfTheStore(ClDevice device) {
        int n = 3;
        int in = 11;
        int out = 7;
        float[] x = LayerTesting.uniform(n * in, 1, 1f);
        try (Dense dense = new Dense(out, Activation.RELU)) {
            check(CONTEXTS.on(device), dense, Shape.of(in), Shape.of(n, in), Layout.ROW_MAJOR, x,
                    (w, b) -> ReferenceDense.forward(ReferenceTraining.toDouble(x), w, b, n, in, out));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void convolutionsSeeEveryChangeOfTheStore(ClDevice device) {
        for (int k : new int[] {3, 1}) {
            Geometry g = Geometry.valid(2, 6, 5, 3, 4, k, k, 1, 1);
            float[] x = LayerTesting.uniform(g.inputSize(), 2, 1f);
            try (Conv2d conv = new Conv2d(4, k, k, 1, Padding.VALID, Activation.RELU)) {
                check(CONTEXTS.on(device), conv, Shape.of(6, 5, 3), Shape.of(2, 6, 5, 3), Layout.NHWC, x,
                        (w, b) -> ReferenceConv2d.forward(g, ReferenceTraining.toDouble(x), w, b));
            }
        }
    }

    /**
     * Runs both forward modes after: the first write of the parameters; a write of the flat value
     * buffer at the parameters' offsets; an optimizer step. Each time both must match the reference
     * for the values the store holds then.
     */
    private static void check(ClContext cl, GemmLayer layer, Shape example, Shape batch, Layout layout, float[] x,
                              BiFunction<double[], double[], double[]> reference) {
        layer.build(cl, example);
        Parameter kernel = layer.kernel();
        Parameter bias = layer.bias();
        try (ParameterStore store = ParameterStore.allocate(cl, layer.parameters());
             Tensor xt = Tensor.of(cl, batch, layout, x);
             Sgd sgd = new Sgd(0.25f)) {
            kernel.write(LayerTesting.uniform(kernel.size(), 10, 0.5f));
            bias.write(LayerTesting.uniform(bias.size(), 11, 0.5f));
            expect(layer, xt, reference, "after the first write");

            float[] w = LayerTesting.uniform(kernel.size(), 20, 0.5f);
            float[] b = LayerTesting.uniform(bias.size(), 21, 0.5f);
            store.values().write(w, 0, kernel.offset(), w.length);
            store.values().write(b, 0, bias.offset(), b.length);
            store.changed();
            expect(layer, xt, reference, "after a write of the flat buffer");

            float[] before = kernel.read();
            Tensor y = layer.forward(xt, true);
            float[] dyValues = LayerTesting.uniform(y.shape().sizeAsInt(), 30, 1f);
            try (Tensor dy = Tensor.of(cl, y.shape(), y.layout(), dyValues)) {
                layer.backward(dy, false);
            }
            sgd.step(store);
            assertFalse(Arrays.equals(before, kernel.read()), "the step moved the kernel");
            expect(layer, xt, reference, "after an optimizer step");
        }
    }

    private static void expect(GemmLayer layer, Tensor x, BiFunction<double[], double[], double[]> reference,
                               String when) {
        double[] z = reference.apply(ReferenceTraining.toDouble(layer.kernel().read()),
                ReferenceTraining.toDouble(layer.bias().read()));
        double[] expected = LayerTesting.activate(RELU, z);
        for (boolean training : new boolean[] {true, false}) {
            assertClose(layer + (training ? " training" : " inference") + " forward " + when,
                    layer.forward(x, training).toArray(), expected, Tolerances.TRAIN_RTOL, Tolerances.TRAIN_ATOL);
        }
    }
}
