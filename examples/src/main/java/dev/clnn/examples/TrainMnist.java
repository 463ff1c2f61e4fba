package dev.clnn.examples;

import java.io.IOException;
import java.io.PrintStream;

import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;
import dev.clnn.data.Mnist;
import dev.clnn.models.MnistCnn;
import dev.clnn.nn.Sequential;
import dev.clnn.train.Adam;
import dev.clnn.train.EpochMetrics;
import dev.clnn.train.FitOptions;
import dev.clnn.train.History;
import dev.clnn.train.Trainer;

/**
 * Trains TensorFlow's "quickstart for experts" CNN (Conv2D 32 3x3 ReLU, Flatten, Dense 128 ReLU,
 * Dense 10) on Fashion-MNIST with Adam and prints the loss and accuracy after each epoch. The data
 * is read from {@code /usr/share/datasets/fashion-mnist} (Debian package
 * {@code dataset-fashion-mnist}).
 *
 * <pre>
 * java -cp ... dev.clnn.examples.TrainMnist [EPOCHS [LIMIT [DEVICE-SPEC]]]
 * </pre>
 * LIMIT uses only the first LIMIT training and test images (0: all of them).
 */
public final class TrainMnist {
    private TrainMnist() {
    }

    public static void main(String[] args) throws IOException {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int limit = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        String spec = args.length > 2 ? args[2] : null;
        run(epochs, limit, spec, System.out);
    }

    /** Trains for {@code epochs} on the device {@code spec} names and returns the metrics of each epoch. */
    public static History run(int epochs, int limit, String spec, PrintStream out) throws IOException {
        int n = limit > 0 ? limit : Integer.MAX_VALUE;
        Mnist.Split data = Mnist.load(Mnist.DEFAULT_DIR, n, n);            // pixels in [0, 1], (N, 28, 28, 1)
        ClDevice device = Devices.selectOne(spec);
        out.printf("%d training and %d test images on %s%n", data.train().size(), data.test().size(), device);
        try (ClContext cl = ClContext.create(device);
             Sequential model = MnistCnn.create(cl, 42);                    // Glorot-uniform weights, seed 42
             Adam adam = new Adam(1e-3f);
             Trainer trainer = new Trainer(model, adam)) {                  // softmax cross-entropy
            FitOptions options = FitOptions.defaults().withEpochs(epochs).withBatchSize(32).withSeed(42);
            History history = trainer.fit(data.train(), data.test(), options, null);
            for (EpochMetrics e : history.epochs()) {
                out.printf("epoch %d: loss %.4f, accuracy %.2f %%, test loss %.4f, test accuracy %.2f %% (%.1f s)%n",
                        e.epoch(), e.train().loss(), 100 * e.train().accuracy(), e.test().loss(),
                        100 * e.test().accuracy(), e.seconds());
            }
            return history;
        }
    }
}
