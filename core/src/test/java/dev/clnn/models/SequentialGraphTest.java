package dev.clnn.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.graph.Graph;
import dev.clnn.graph.Op;
import dev.clnn.graph.Passes;
import dev.clnn.nn.Conv2d;
import dev.clnn.nn.Dense;
import dev.clnn.nn.Flatten;
import dev.clnn.nn.Padding;
import dev.clnn.nn.Relu;
import dev.clnn.nn.Sequential;
import dev.clnn.ops.Activation;
import dev.clnn.reference.Comparison;
import dev.clnn.reference.Tolerances;
import dev.clnn.tensor.Shape;
import dev.clnn.testing.TestData;

/** One network definition for training and inference: a Sequential compiles to a Model that agrees with it. */
class SequentialGraphTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void aSequentialCompilesToTheSamePredictions(ClDevice device) {
        try (ClContext cl = ClContext.create(device);
             Sequential net = new Sequential(cl, Shape.of(11, 9, 3),
                     new Conv2d(6, 3, 3, 2, Padding.SAME, Activation.RELU), new Conv2d(5, 1, Activation.NONE),
                     new Relu(), new Flatten(), new Dense(7, Activation.RELU), new Dense(4))) {
            net.initialize(3);
            float[] x = TestData.uniform(3 * 11 * 9 * 3, 8);
            float[] expected = net.predict(x);
            Graph g = SequentialGraph.of(net, "small");
            assertEquals(List.of("conv2d", "conv2d_1", "relu", "flatten", "dense", "dense_1"),
                    g.nodes().stream().map(n -> n.name()).toList());
            assertEquals(net.parameterCount(), g.weightFloats());
            try (Model m = Model.compile(net, 3)) {
                float[] got = m.predict(x);
                Comparison c = Comparison.of(got, expected, Tolerances.TRAIN_RTOL, Tolerances.TRAIN_ATOL);
                assertTrue(c.passed(), c.describe(got, expected));
                assertEquals(5, Passes.optimize(g).nodes().size(), "the ReLU layer fused into the second convolution: "
                        + Passes.optimize(g).nodes());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void mnistCnnIsDefinedOnceForTrainingAndInference(ClDevice device) {
        Graph built = MnistCnn.build(new RandomWeights(5));
        assertEquals(List.of("conv2d", "flatten", "dense", "dense_1"),
                built.nodes().stream().map(n -> n.name()).toList());
        assertTrue(built.nodes().get(1).op() instanceof Op.Reshape);
        try (ClContext cl = ClContext.create(device); Sequential trainable = MnistCnn.create(cl, 5)) {
            assertEquals(trainable.parameterCount(), built.weightFloats());
            assertEquals(trainable.outputShape(), Shape.of(MnistCnn.CLASSES));
        }
    }
}
