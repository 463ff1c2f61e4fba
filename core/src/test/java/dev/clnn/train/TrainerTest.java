package dev.clnn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.data.Dataset;
import dev.clnn.data.Mnist;
import dev.clnn.nn.Conv2d;
import dev.clnn.nn.Dense;
import dev.clnn.nn.Flatten;
import dev.clnn.nn.Sequential;
import dev.clnn.ops.Activation;
import dev.clnn.tensor.Shape;
import dev.clnn.testing.Contexts;
import dev.clnn.testing.TestDatasets;

/** Training end to end on real Fashion-MNIST data: the loss falls, accuracy beats chance, runs repeat exactly. */
class TrainerTest {
    private static final Contexts CONTEXTS = new Contexts();
    private static Mnist.Split data;

    @BeforeAll
    static void loadData() throws IOException {
        data = Mnist.load(TestDatasets.fashionMnist(), 2000, 1000);
    }

    @AfterAll
    static void closeContexts() {
        CONTEXTS.close();
    }

    /** TensorFlow's "quickstart for experts" CNN. */
    static Sequential quickstart(ClContext cl, long seed) {
        Sequential model = new Sequential(cl, Shape.of(28, 28, 1), new Conv2d(32, 3, Activation.RELU), new Flatten(),
                new Dense(128, Activation.RELU), new Dense(10));
        model.initialize(seed);
        return model;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void oneEpochOnTwoThousandImagesLearnsFashionMnist(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        List<Metrics> progress = new ArrayList<>();
        try (Sequential model = quickstart(cl, 1);
             Adam adam = new Adam(1e-3f);
             Trainer trainer = new Trainer(model, adam)) {
            Metrics before = trainer.evaluate(data.test(), 100);
            long t0 = System.nanoTime();
            History h = trainer.fit(data.train(), data.test(), FitOptions.defaults().withSeed(3).withProgressEvery(10),
                    new TrainingListener() {
                        @Override
                        public void progress(int epoch, int step, int steps, Metrics running) {
                            progress.add(running);
                        }
                    });
            double seconds = (System.nanoTime() - t0) / 1e9;
            EpochMetrics e = h.last();
            System.out.printf("%s: before %s; after 1 epoch train %s, test %s; %.1f s%n", device.name(), before,
                    e.train(), e.test(), seconds);
            assertEquals(63, adam.steps());
            assertEquals(7, progress.size());
            assertTrue(e.test().loss() < before.loss() * 0.6, "test loss fell from " + before + " to " + e.test());
            assertTrue(progress.get(progress.size() - 1).loss() < progress.get(0).loss(), "running loss fell");
            assertTrue(e.test().accuracy() > 0.6, "test accuracy " + e.test());
            assertTrue(e.train().accuracy() > 0.5, "train accuracy " + e.train());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void sameSeedsRepeatExactlyAndAnotherSeedDiffers(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        Dataset train = data.train().head(300);     // 9 full batches of 32 and one of 12
        FitOptions options = FitOptions.defaults().withEpochs(2).withSeed(11).withProgressEvery(4);
        float[][] first = run(cl, train, options);
        float[][] again = run(cl, train, options);
        for (int i = 0; i < first.length; i++) {
            assertArrayEquals(first[i], again[i], "run " + i + " repeats bit for bit");
        }
        float[][] other = run(cl, train, options.withSeed(12));
        assertTrue(first[0][0] != other[0][0] || first[0][2] != other[0][2], "another shuffle, another run");
    }

    /** Trains a fresh model (seed 1); returns {epoch losses and accuracies, the first dense kernel}. */
    private static float[][] run(ClContext cl, Dataset train, FitOptions options) {
        try (Sequential model = quickstart(cl, 1);
             Sgd sgd = new Sgd(0.05f, 0.9f);
             Trainer trainer = new Trainer(model, sgd)) {
            History h = trainer.fit(train, null, options, null);
            assertEquals(20, sgd.steps());
            assertNull(h.last().test());
            float[] metrics = new float[4];
            for (int e = 0; e < 2; e++) {
                metrics[2 * e] = (float) h.epochs().get(e).train().loss();
                metrics[2 * e + 1] = (float) h.epochs().get(e).train().accuracy();
            }
            return new float[][] {metrics, model.parameters().get(2).read()};
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clnn.testing.TestDevices#stream")
    void evaluationLeavesWeightsAloneAndDatasetsMustFitTheModel(ClDevice device) {
        ClContext cl = CONTEXTS.on(device);
        try (Sequential model = quickstart(cl, 1);
             Adam adam = new Adam();
             Trainer trainer = new Trainer(model, adam)) {
            float[] before = model.parameters().get(2).read();
            Metrics m = trainer.evaluate(data.test().head(70), 32);
            assertEquals(70, m.examples());
            assertArrayEquals(before, model.parameters().get(2).read());
            assertEquals(0, adam.steps());
            Dataset wrong = new Dataset("flat", Shape.of(784), data.test().head(3).features(),
                    data.test().head(3).labels(), 10);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> trainer.evaluate(wrong, 32));
            assertTrue(e.getMessage().contains("(784,)") && e.getMessage().contains("(28, 28, 1)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> FitOptions.defaults().withBatchSize(0));
        }
    }
}
